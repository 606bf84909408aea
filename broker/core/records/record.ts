// The kinds of record the broker writes (docs/design.md section 2.4) and the signed entry
// that carries one in the log. Formats are described in README.md.
import { encodeBase64url } from '../base64url.js';
import type { PreState } from '../certificate/claims.js';
import type { Contract } from '../certificate/contract.js';
import { TYP_RECORD } from '../crypto-params.js';
import { sha256 } from '../digest.js';
import { canonicalize } from '../jcs.js';
import { signCompact } from '../jws.js';
import type { SigningKey } from '../keys.js';
import type { Reason } from '../reasons.js';
import type { JsonObject, JsonValue } from '../strict-json.js';

/** Milliseconds spent per phase (verify, ledger, drift, ...), as the broker names them; unset phases are left out. */
export type PhaseTimings = Readonly<Partial<Record<string, number>>>;

interface DecisionCommon {
  readonly kind: 'decision';
  readonly seq: number;
  readonly time: number;
  readonly broker: string;
  readonly phases?: PhaseTimings;
}

/** An allow names its certificate; a deny of an unreadable certificate may know none of it. */
export type DecisionRecord = DecisionCommon &
  (
    | { readonly decision: 'allow'; readonly reason: null; readonly jti: string; readonly iss: string; readonly sub: string; readonly cdg: string }
    | {
        readonly decision: 'deny';
        readonly reason: Reason;
        readonly jti: string | null;
        readonly iss: string | null;
        readonly sub: string | null;
        readonly cdg: string | null;
      }
  );

export interface OutcomeRecord {
  readonly kind: 'outcome';
  readonly seq: number;
  readonly time: number;
  readonly broker: string;
  /** The allow this outcome completes: its seq and entry hash. */
  readonly decision: { readonly seq: number; readonly hash: string };
  readonly jti: string;
  readonly status: 'succeeded' | 'failed' | 'unknown';
  readonly detail?: string;
}

/**
 * What the broker is about to do for an allow, signed before it mints: the
 * contract and the state the certificate expected. Reconciliation after a
 * crash reads the live state for this contract; being in the signed log, an
 * intent cannot be removed without breaking the chain.
 */
export interface IntentRecord {
  readonly kind: 'intent';
  readonly seq: number;
  readonly time: number;
  readonly broker: string;
  /** The allow this intent announces: its seq and entry hash. */
  readonly decision: { readonly seq: number; readonly hash: string };
  readonly jti: string;
  readonly contract: Contract;
  readonly pre?: PreState;
  /** What the mint will create, as the platform adapter named it beforehand (its Reservation). */
  readonly executor?: JsonObject;
}

/**
 * Denials of requests whose certificate did not verify (UNAUTHENTICATED_REASONS),
 * counted per reason over [from, to): unauthenticated input cannot grow the log
 * faster than one record per interval. Every certificate that verified gets a
 * decision record of its own.
 */
export interface TallyRecord {
  readonly kind: 'tally';
  readonly seq: number;
  readonly time: number;
  readonly broker: string;
  /** Unix ms of the first and of the last denial counted. */
  readonly from: number;
  readonly to: number;
  /** Denials per reason; only reasons with at least one. */
  readonly counts: Readonly<Partial<Record<Reason, number>>>;
}

export type LogRecord = DecisionRecord | IntentRecord | OutcomeRecord | TallyRecord;

/** A record as signed: the record plus the hash of the entry before it. */
export interface Entry {
  readonly record: LogRecord;
  readonly prev: string;
}

/** Hash of a stored entry: base64url(SHA-256(its compact JWS)). */
export function entryHash(jws: string): string {
  return encodeBase64url(sha256(jws));
}

/** `prev` of the first entry: the hash of no bytes at all. */
export const GENESIS_PREV = encodeBase64url(sha256(''));

export function signEntry(key: SigningKey, record: LogRecord, prev: string): string {
  const payload = defined({ ...record, prev });
  if (record.kind === 'decision' && record.phases !== undefined) payload.phases = defined(record.phases);
  if (record.kind === 'intent' && record.pre !== undefined) payload.pre = defined(record.pre);
  return signCompact(key, TYP_RECORD, canonicalize(payload));
}

/** Members set to undefined are left out, as JSON.stringify would, rather than refused by JCS. */
function defined(value: object): JsonObject {
  const out: JsonObject = {};
  for (const [name, member] of Object.entries(value)) if (member !== undefined) out[name] = member as JsonValue;
  return out;
}
