// Reading a stored entry back: its signature through signed.ts, then its
// record strictly (exact members, types, and the allow/deny invariants), so
// the auditor accepts only what signEntry could have written.
import type { PreState } from '../certificate/claims.js';
import { readContract } from '../certificate/contract.js';
import { TYP_RECORD } from '../crypto-params.js';
import { InvalidInputError } from '../errors.js';
import type { KeySet } from '../keys.js';
import { isReason, UNAUTHENTICATED_REASONS, type Reason } from '../reasons.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../strict-json.js';
import type { DecisionRecord, Entry, IntentRecord, OutcomeRecord, PhaseTimings, TallyRecord } from './record.js';
import { openSigned, type SignedProblem } from './signed.js';

export type OpenedEntry =
  | { readonly ok: true; readonly entry: Entry }
  | { readonly ok: false; readonly problem: SignedProblem; readonly message: string };

/** Verify an entry's signature and read its record; failures are values for the auditor. */
export function openEntry(jws: string, keys: KeySet, what: string): OpenedEntry {
  const opened = openSigned(jws, TYP_RECORD, keys, what);
  if (!opened.ok) return opened;
  try {
    return { ok: true, entry: readEntry(opened.payload) };
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    return { ok: false, problem: 'malformed', message: `${what}: ${error.message}` };
  }
}

const DECISION_MEMBERS = ['broker', 'cdg', 'decision', 'iss', 'jti', 'kind', 'prev', 'reason', 'seq', 'sub', 'time'];
const OUTCOME_MEMBERS = ['broker', 'decision', 'jti', 'kind', 'prev', 'seq', 'status', 'time'];
const INTENT_MEMBERS = ['broker', 'contract', 'decision', 'jti', 'kind', 'prev', 'seq', 'time'];
const TALLY_MEMBERS = ['broker', 'counts', 'from', 'kind', 'prev', 'seq', 'time', 'to'];
const STATUSES: readonly string[] = ['succeeded', 'failed', 'unknown'];

function readEntry(p: JsonObject): Entry {
  const common = { seq: count(p.seq, 'seq'), time: count(p.time, 'time'), broker: text(p.broker, 'broker') };
  const prev = text(p.prev, 'prev');
  if (p.kind === 'decision') {
    members(p, DECISION_MEMBERS, ['phases']);
    const base = { kind: 'decision' as const, ...common, ...(p.phases === undefined ? {} : { phases: phases(p.phases) }) };
    const [jti, iss, sub, cdg] = [nullable(p.jti, 'jti'), nullable(p.iss, 'iss'), nullable(p.sub, 'sub'), nullable(p.cdg, 'cdg')];
    let record: DecisionRecord;
    if (p.decision === 'allow' && p.reason === null && jti !== null && iss !== null && sub !== null && cdg !== null) {
      record = { ...base, decision: 'allow', reason: null, jti, iss, sub, cdg };
    } else if (p.decision === 'deny' && p.reason !== null) {
      record = { ...base, decision: 'deny', reason: reason(p.reason), jti, iss, sub, cdg };
    } else {
      throw new InvalidInputError('record: an allow has no reason and names its certificate; a deny has a reason');
    }
    return { record, prev };
  }
  if (p.kind === 'intent') {
    members(p, INTENT_MEMBERS, ['pre', 'executor']);
    if (p.executor !== undefined && !isJsonObject(p.executor)) throw new InvalidInputError('record: executor must be an object');
    const record: IntentRecord = {
      kind: 'intent',
      ...common,
      decision: decisionRef(p.decision),
      jti: text(p.jti, 'jti'),
      contract: readContract(p.contract, 'record: contract'),
      ...(p.pre === undefined ? {} : { pre: preState(p.pre) }),
      ...(isJsonObject(p.executor) ? { executor: p.executor } : {}),
    };
    return { record, prev };
  }
  if (p.kind === 'outcome') {
    members(p, OUTCOME_MEMBERS, ['detail']);
    if (typeof p.status !== 'string' || !STATUSES.includes(p.status)) throw new InvalidInputError('record: bad status');
    const record: OutcomeRecord = {
      kind: 'outcome',
      ...common,
      decision: decisionRef(p.decision),
      jti: text(p.jti, 'jti'),
      status: p.status as OutcomeRecord['status'],
      ...(p.detail === undefined ? {} : { detail: text(p.detail, 'detail') }),
    };
    return { record, prev };
  }
  if (p.kind === 'tally') {
    members(p, TALLY_MEMBERS, []);
    const [from, to] = [count(p.from, 'from'), count(p.to, 'to')];
    if (from > to) throw new InvalidInputError('record: a tally ends before it starts');
    const record: TallyRecord = { kind: 'tally', ...common, from, to, counts: tallyCounts(p.counts) };
    return { record, prev };
  }
  throw new InvalidInputError('record: kind must be decision, intent, outcome or tally');
}

/** The {seq, hash} by which an intent or an outcome names its allow. */
function decisionRef(d: JsonValue | undefined): { seq: number; hash: string } {
  if (!isJsonObject(d) || Object.keys(d).sort().join() !== 'hash,seq') throw new InvalidInputError('record: decision must be {seq, hash}');
  return { seq: count(d.seq, 'decision.seq'), hash: text(d.hash, 'decision.hash') };
}

function preState(v: JsonValue): PreState {
  if (!isJsonObject(v)) throw new InvalidInputError('record: pre must be an object');
  members(v, ['digest'], ['version']);
  const digest = text(v.digest, 'pre.digest');
  return v.version === undefined ? { digest } : { digest, version: text(v.version, 'pre.version') };
}

/** Only reasons given before a signature verified, each counted at least once. */
function tallyCounts(v: JsonValue | undefined): TallyRecord['counts'] {
  if (!isJsonObject(v) || Object.keys(v).length === 0) throw new InvalidInputError('record: counts must be a non-empty object');
  for (const [name, n] of Object.entries(v)) {
    if (!isReason(name) || !UNAUTHENTICATED_REASONS.includes(name)) throw new InvalidInputError(`record: a tally counts only denials before the signature, not ${name}`);
    if (count(n, `counts.${name}`) === 0) throw new InvalidInputError(`record: counts.${name} must be at least 1`);
  }
  return v as TallyRecord['counts'];
}

function members(p: JsonObject, required: readonly string[], optional: readonly string[]): void {
  for (const name of required) if (!(name in p)) throw new InvalidInputError(`record: missing ${name}`);
  for (const name of Object.keys(p)) {
    if (!required.includes(name) && !optional.includes(name)) throw new InvalidInputError(`record: unexpected member ${name}`);
  }
}

function count(v: JsonValue | undefined, name: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new InvalidInputError(`record: ${name} must be a non-negative integer`);
  return v;
}

function text(v: JsonValue | undefined, name: string): string {
  if (typeof v !== 'string') throw new InvalidInputError(`record: ${name} must be a string`);
  return v;
}

function nullable(v: JsonValue | undefined, name: string): string | null {
  return v === null ? null : text(v, name);
}

function reason(v: JsonValue | undefined): Reason {
  if (!isReason(v)) throw new InvalidInputError('record: reason is not a known reason code');
  return v;
}

function phases(v: JsonValue): PhaseTimings {
  if (!isJsonObject(v)) throw new InvalidInputError('record: phases must be an object');
  for (const ms of Object.values(v)) {
    if (typeof ms !== 'number' || ms < 0) throw new InvalidInputError('record: a phase timing must be a non-negative number');
  }
  return v as PhaseTimings;
}
