// Cases on disk: one folder per case, readable by people and replayable by
// `seb fuzz --replay` (in process, or through any verifier with --against).
// scenarios/fuzz-corpus/README.md describes the files.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../../broker/core/errors.js';
import { MAX_REQUEST_BYTES } from '../../broker/core/limits.js';
import { isReason, type Decision } from '../../broker/core/reasons.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../broker/core/strict-json.js';
import { readBytesCapped, readJsonFile, writeFileAtomic } from '../../broker/files.js';
import type { FuzzCase, LedgerSpec, Outcome } from './case.js';
import type { Tag } from './model.js';

export const CASE_FORMAT = 'seb-fuzz-case/1';

export const FILES = {
  case: 'case.json',
  keys: 'keys.json',
  request: 'request.json',
  certificate: 'certificate.jws',
  revoked: 'revoked.json',
  live: 'live-state.json',
} as const;

export interface CaseMeta {
  readonly name: string;
  readonly note?: string;
  /** Where a fuzz run found it: seed, round, fast-check path, the finding. */
  readonly found?: JsonObject;
  /** What the verifier under test decided when the case was saved. */
  readonly actual?: Decision;
}

export interface StoredCase {
  readonly dir: string;
  readonly meta: CaseMeta;
  readonly fuzzCase: FuzzCase;
}

export function writeCase(dir: string, c: FuzzCase, meta: CaseMeta): void {
  const v = c.verify;
  const doc = {
    format: CASE_FORMAT,
    name: meta.name,
    ...(meta.note === undefined ? {} : { note: meta.note }),
    ...(meta.found === undefined ? {} : { found: meta.found }),
    mutations: c.tags,
    expected: c.expected,
    ...(meta.actual === undefined ? {} : { actual: meta.actual }),
    cli: c.cli,
    verify: {
      issuer: v.issuer,
      audience: v.audience,
      ...(v.sharedLedgerAudiences.length === 0 ? {} : { 'shared-ledger-audience': v.sharedLedgerAudiences }),
      now: v.now,
      'policy-epoch': v.policyEpoch,
      'revocation-floor': v.revocationFloor,
      'max-lifetime': v.maxLifetimeS,
      'max-skew': v.maxSkewS,
    },
    nowMs: c.nowMs,
    revocation: { ageMs: c.revocation.ageMs, maxAgeMs: c.revocation.maxAgeMs },
    ledger: c.ledger,
  };
  writeFileAtomic(join(dir, FILES.case), `${JSON.stringify(doc, null, 2)}\n`);
  writeFileAtomic(join(dir, FILES.keys), `${JSON.stringify(c.jwks, null, 2)}\n`);
  writeFileAtomic(join(dir, FILES.request), c.request);
  writeFileAtomic(join(dir, FILES.certificate), `${c.certificate}\n`);
  if (c.revocation.revoked.length > 0) writeFileAtomic(join(dir, FILES.revoked), `${JSON.stringify(c.revocation.revoked)}\n`);
  if (c.live !== null) writeFileAtomic(join(dir, FILES.live), c.live);
}

export function readCase(dir: string): StoredCase {
  const path = join(dir, FILES.case);
  const doc = object(readJsonFile(path, 'fuzz case'), path);
  if (doc.format !== CASE_FORMAT) throw new InvalidInputError(`${path}: format must be ${CASE_FORMAT}`);
  const verify = object(doc.verify, `${path} verify`);
  const revocation = object(doc.revocation, `${path} revocation`);
  const revokedPath = join(dir, FILES.revoked);
  const livePath = join(dir, FILES.live);
  const fuzzCase: FuzzCase = {
    cli: doc.cli === true,
    tags: Array.isArray(doc.mutations) ? (doc.mutations as unknown as Tag[]) : [],
    expected: outcomeOf(doc.expected, `${path} expected`),
    verify: {
      issuer: text(verify.issuer, `${path} verify.issuer`),
      audience: text(verify.audience, `${path} verify.audience`),
      sharedLedgerAudiences: verify['shared-ledger-audience'] === undefined ? [] : strings(verify['shared-ledger-audience'], `${path} verify.shared-ledger-audience`),
      now: int(verify.now, `${path} verify.now`),
      policyEpoch: int(verify['policy-epoch'], `${path} verify.policy-epoch`),
      revocationFloor: int(verify['revocation-floor'], `${path} verify.revocation-floor`),
      maxLifetimeS: int(verify['max-lifetime'], `${path} verify.max-lifetime`),
      maxSkewS: int(verify['max-skew'], `${path} verify.max-skew`),
    },
    nowMs: int(doc.nowMs, `${path} nowMs`),
    revocation: {
      revoked: existsSync(revokedPath) ? strings(readJsonFile(revokedPath, 'revoked list'), revokedPath) : [],
      ageMs: int(revocation.ageMs, `${path} revocation.ageMs`),
      maxAgeMs: int(revocation.maxAgeMs, `${path} revocation.maxAgeMs`),
    },
    ledger: ledgerOf(doc.ledger, `${path} ledger`),
    live: existsSync(livePath) ? readBytesCapped(livePath, 'live state', 1024 * 1024).toString('utf8') : null,
    jwks: object(readJsonFile(join(dir, FILES.keys), 'keys'), join(dir, FILES.keys)),
    certificate: existsSync(join(dir, FILES.certificate)) ? readBytesCapped(join(dir, FILES.certificate), 'certificate', MAX_REQUEST_BYTES).toString('utf8').trim() : '',
    request: readBytesCapped(join(dir, FILES.request), 'request', 8 * MAX_REQUEST_BYTES),
  };
  const actual = doc.actual === undefined ? undefined : decisionOf(doc.actual, `${path} actual`);
  const meta: CaseMeta = {
    name: typeof doc.name === 'string' ? doc.name : dir,
    ...(typeof doc.note === 'string' ? { note: doc.note } : {}),
    ...(isJsonObject(doc.found) ? { found: doc.found } : {}),
    ...(actual === undefined ? {} : { actual }),
  };
  return { dir, meta, fuzzCase };
}

/** A case folder, or a folder of case folders (sorted by name). */
export function caseDirs(root: string): string[] {
  if (existsSync(join(root, FILES.case))) return [root];
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new InvalidInputError(`${root}: no such corpus folder`);
  return readdirSync(root)
    .sort()
    .map((name) => join(root, name))
    .filter((dir) => existsSync(join(dir, FILES.case)));
}

/** The `seb verify` flags for a case written to `dir`. */
export function verifyArgs(dir: string, c: FuzzCase, ledgerPath?: string): string[] {
  const v = c.verify;
  const pairs: [string, string][] = [
    ['keys', join(dir, FILES.keys)],
    ['issuer', v.issuer],
    ['audience', v.audience],
    ['request', join(dir, FILES.request)],
    ['now', String(v.now)],
    ['policy-epoch', String(v.policyEpoch)],
    ['revocation-floor', String(v.revocationFloor)],
    ['max-lifetime', String(v.maxLifetimeS)],
    ['max-skew', String(v.maxSkewS)],
    ...v.sharedLedgerAudiences.map((a): [string, string] => ['shared-ledger-audience', a]),
  ];
  if (c.revocation.revoked.length > 0) pairs.push(['revoked', join(dir, FILES.revoked)]);
  if (c.live !== null) pairs.push(['live-state', join(dir, FILES.live)]);
  if (ledgerPath !== undefined) pairs.push(['ledger', ledgerPath]);
  // A value that starts with '-' would read as a flag; attach it.
  return pairs.flatMap(([flag, value]) => (value.startsWith('-') ? [`--${flag}=${value}`] : [`--${flag}`, value]));
}

function object(v: JsonValue | undefined, what: string): JsonObject {
  if (!isJsonObject(v)) throw new InvalidInputError(`${what}: expected an object`);
  return v;
}

function text(v: JsonValue | undefined, what: string): string {
  if (typeof v !== 'string') throw new InvalidInputError(`${what}: expected a string`);
  return v;
}

function int(v: JsonValue | undefined, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new InvalidInputError(`${what}: expected an integer`);
  return v;
}

function strings(v: JsonValue, what: string): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new InvalidInputError(`${what}: expected an array of strings`);
  return v as string[];
}

function outcomeOf(v: JsonValue | undefined, what: string): Outcome {
  const o = object(v, what);
  if (o.decision === 'allow' && o.reason === null) return { decision: 'allow', reason: null };
  if (o.decision === 'deny' && isReason(o.reason)) return { decision: 'deny', reason: o.reason };
  throw new InvalidInputError(`${what}: expected {"decision":"allow","reason":null} or {"decision":"deny","reason":REASON}`);
}

function decisionOf(v: JsonValue, what: string): Decision {
  const o = outcomeOf(v, what);
  const jti = object(v, what).jti;
  return o.reason === null ? { decision: 'allow', reason: null, jti: String(jti) } : { decision: 'deny', reason: o.reason, jti: typeof jti === 'string' ? jti : null };
}

function ledgerOf(v: JsonValue | undefined, what: string): LedgerSpec | null {
  if (v === null || v === undefined) return null;
  const o = object(v, what);
  if (o.down === true) return { down: true };
  return {
    issuer: text(o.issuer, `${what}.issuer`),
    jti: text(o.jti, `${what}.jti`),
    uses: int(o.uses, `${what}.uses`),
    consumed: int(o.consumed, `${what}.consumed`),
    perUse: o.perUse === true,
  };
}
