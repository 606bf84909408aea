// Signed tree heads: the broker's signed statement that its log holds `size`
// records whose Merkle root is `root`. An auditor who keeps one can later
// prove the log only grew since (consistency), or that it forked or shrank.
import { encodeBase64url } from '../base64url.js';
import { TYP_TREE_HEAD } from '../crypto-params.js';
import { InvalidInputError } from '../errors.js';
import { canonicalize } from '../jcs.js';
import { signCompact } from '../jws.js';
import type { KeySet, SigningKey } from '../keys.js';
import type { JsonObject } from '../strict-json.js';
import { openSigned, type SignedProblem } from './signed.js';

export interface TreeHead {
  readonly size: number;
  readonly root: string; // base64url of the 32-byte MTH
  readonly time: number; // unix ms
  readonly broker: string;
}

export interface SignedTreeHead extends TreeHead {
  readonly jws: string;
}

export function signTreeHead(key: SigningKey, size: number, root: Uint8Array, time: number, broker: string): SignedTreeHead {
  const head: TreeHead = { size, root: encodeBase64url(root), time, broker };
  return { ...head, jws: signCompact(key, TYP_TREE_HEAD, canonicalize({ ...head })) };
}

export type OpenedTreeHead =
  | { readonly ok: true; readonly head: SignedTreeHead }
  | { readonly ok: false; readonly problem: SignedProblem; readonly message: string };

export function openTreeHead(jws: string, keys: KeySet, what = 'tree head'): OpenedTreeHead {
  const opened = openSigned(jws, TYP_TREE_HEAD, keys, what);
  if (!opened.ok) return opened;
  try {
    return { ok: true, head: { ...readTreeHead(opened.payload), jws } };
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    return { ok: false, problem: 'malformed', message: `${what}: ${error.message}` };
  }
}

function readTreeHead(p: JsonObject): TreeHead {
  const { size, root, time, broker } = p;
  if (Object.keys(p).sort().join() !== 'broker,root,size,time') throw new InvalidInputError('members must be broker, root, size, time');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new InvalidInputError('size must be a non-negative integer');
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) throw new InvalidInputError('time must be a non-negative integer');
  if (typeof root !== 'string' || typeof broker !== 'string') throw new InvalidInputError('root and broker must be strings');
  return { size, root, time, broker };
}
