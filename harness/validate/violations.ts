// docs/design.md section 4, checked after a run, as a pure function over what the run
// left: the client's history of requests, every broker's record log (after
// reconciliation), the revocations published, and the platform's live state.
// Nothing here trusts what a broker said about itself when the log or the
// platform can say it instead.
//
//   executed_denied            the live state shows a request whose certificate every broker denied,
//                              or a tampered certificate (its signature broken) executed
//   double_execution           one single-use certificate allowed more than once (across all logs)
//   executed_without_decision  an execution (seen by the client or in the live state) with no allow record
//   missing_outcome            an allow record with no outcome record after reconciliation
//   accepted_after_revocation  an execution of a revoked certificate sent after the revocation bound,
//                              or any execution sent past the bound while the revocation source was down
//
// From the platform's own records of executor writes (platform-writes.ts),
// which a broker cannot keep clean:
//   executed_denied            a write for a certificate every log only denied (a write after a denial)
//   executed_without_decision  a write for a certificate no log mentions, or one the records tie to none
//   double_execution           more writes for a certificate than allow records for it (twice on one use)
//   outcome_mismatch           more writes than allows whose outcome says succeeded (or unknown): an
//                              executed mutation whose outcome record says it failed, or an allow with none
import { groupBy } from '../group-by.js';
import type { RequestRecord } from '../metrics/history.js';
import type { PlatformWrite } from './platform-writes.js';

/** One record of one broker's log, reduced to what the checks read; `atMs` on the run's clock. */
export type LogEntry =
  | { readonly broker: string; readonly kind: 'decision'; readonly seq: number; readonly atMs: number; readonly decision: 'allow' | 'deny'; readonly reason: string | null; readonly jti: string | null }
  | { readonly broker: string; readonly kind: 'outcome'; readonly seq: number; readonly atMs: number; readonly decisionSeq: number; readonly jti: string; readonly status: 'succeeded' | 'failed' | 'unknown' };

export interface Revocation {
  readonly atMs: number;
  /** The staleness bound in force: after atMs + boundMs no broker may accept. */
  readonly boundMs: number;
  readonly jtis?: ReadonlySet<string>;
  /** Certificates with rep below it are revoked. */
  readonly floor?: number;
  /**
   * The revocation source was unreachable until this instant: the broker
   * cannot know what was revoked, so from atMs + boundMs to here nothing may execute.
   */
  readonly outageUntilMs?: number;
}

/** A slot's live value names the request index that last wrote it (-1: none did). */
export interface LiveSlot {
  readonly slot: number;
  readonly index: number;
}

export interface ValidationInput {
  /** The run's requests as the client saw them; those with no jti (the direct path) have nothing to match. */
  readonly history: readonly RequestRecord[];
  readonly records: readonly LogEntry[];
  readonly revocations: readonly Revocation[];
  readonly live: readonly LiveSlot[];
  /** Executor writes as the platforms recorded them; absent where no platform record was read. */
  readonly writes?: readonly PlatformWrite[];
}

export const VIOLATION_TYPES = ['executed_denied', 'double_execution', 'executed_without_decision', 'missing_outcome', 'accepted_after_revocation', 'outcome_mismatch'] as const;
export type ViolationType = (typeof VIOLATION_TYPES)[number];

export interface Violation {
  readonly type: ViolationType;
  readonly jti: string | null;
  readonly broker: string | null;
  /** When it happened on the run's clock, for attributing it to a fault phase. */
  readonly atMs: number;
  readonly detail: string;
}

export function findViolations(input: ValidationInput): Violation[] {
  const out: Violation[] = [];
  const decisions = input.records.filter((r): r is Extract<LogEntry, { kind: 'decision' }> => r.kind === 'decision');
  const allowsByJti = groupBy(
    decisions.filter((d) => d.decision === 'allow'),
    (d) => d.jti ?? '',
  );
  const deniedJtis = new Set(decisions.filter((d) => d.decision === 'deny' && d.jti !== null).map((d) => d.jti as string));

  for (const [jti, allows] of allowsByJti) {
    if (allows.length > 1) {
      out.push({ type: 'double_execution', jti, broker: allows.map((a) => a.broker).join('+'), atMs: allows[1]!.atMs, detail: `${allows.length} allow records for one use` });
    }
  }

  const outcomes = new Set(input.records.filter((r) => r.kind === 'outcome').map((o) => `${o.broker}\0${o.decisionSeq}`));
  for (const d of decisions) {
    if (d.decision === 'allow' && !outcomes.has(`${d.broker}\0${d.seq}`)) {
      out.push({ type: 'missing_outcome', jti: d.jti, broker: d.broker, atMs: d.atMs, detail: `allow record ${d.seq} has no outcome` });
    }
  }

  const sent = input.history.filter(isCertified);
  // /v1/verify executes nothing (its allow is `passed`): only executions are checked.
  for (const a of sent) {
    if (a.outcome !== 'executed') continue;
    const broker = a.broker ?? null;
    if (a.attempt === 'tamper') {
      out.push({ type: 'executed_denied', jti: a.jti, broker, atMs: a.sent_ms, detail: 'a tampered certificate executed' });
    }
    // A request sent to a named broker of a fleet must have its allow in that broker's log; one broker's (the paper's), in any.
    if (!(allowsByJti.get(a.jti) ?? []).some((d) => a.broker === undefined || d.broker === a.broker)) {
      out.push({ type: 'executed_without_decision', jti: a.jti, broker, atMs: a.sent_ms, detail: `executed per the client, no allow record in ${a.broker === undefined ? 'any' : `${a.broker}'s`} log` });
    }
    for (const r of input.revocations) {
      if (isRevoked(a, r) && a.sent_ms >= r.atMs + r.boundMs) {
        out.push({ type: 'accepted_after_revocation', jti: a.jti, broker, atMs: a.sent_ms, detail: `sent ${a.sent_ms - r.atMs} ms after a revocation whose bound is ${r.boundMs} ms` });
      }
    }
  }

  // The platform's word: the request whose value a slot holds was executed by someone.
  const jtisOfIndex = groupBy(
    sent.filter((a) => a.attempt !== 'probe' && a.index !== undefined),
    (a) => String(a.index),
  );
  for (const { slot, index } of input.live) {
    if (index < 0) continue;
    const jtis = [...new Set((jtisOfIndex.get(String(index)) ?? []).map((a) => a.jti))];
    if (jtis.some((j) => allowsByJti.has(j))) continue;
    const denied = jtis.some((j) => deniedJtis.has(j));
    out.push({
      type: denied ? 'executed_denied' : 'executed_without_decision',
      jti: jtis[0] ?? null,
      broker: null,
      atMs: Number.POSITIVE_INFINITY,
      detail: `slot ${slot} holds request ${index}'s value, and no log has an allow for it${denied ? ' (only denials)' : ''}`,
    });
  }
  out.push(...platformViolations(input.writes ?? [], decisions, input.records));
  return out;
}

type DecisionEntry = Extract<LogEntry, { kind: 'decision' }>;

/** Each executor write the platform recorded must match exactly one allow of its certificate, with an outcome that admits it. */
function platformViolations(writes: readonly PlatformWrite[], decisions: readonly DecisionEntry[], records: readonly LogEntry[]): Violation[] {
  const out: Violation[] = [];
  const statusOf = new Map(records.filter((r) => r.kind === 'outcome').map((o) => [`${o.broker}\0${o.decisionSeq}`, o.status]));
  const byJti = groupBy(
    decisions.filter((d) => d.jti !== null),
    (d) => d.jti as string,
  );
  for (const w of writes.filter((x) => x.jti === null)) {
    out.push({ type: 'executed_without_decision', jti: null, broker: null, atMs: w.atMs, detail: `${w.platform} recorded a write to ${w.target} by ${w.by} that its records tie to no certificate` });
  }
  for (const [jti, ws] of groupBy(
    writes.filter((x) => x.jti !== null),
    (x) => x.jti as string,
  )) {
    const ds = byJti.get(jti) ?? [];
    const allows = ds.filter((d) => d.decision === 'allow');
    const first = ws[0] as PlatformWrite;
    const where = `${first.platform} recorded ${ws.length} write(s) to ${first.target}`;
    if (allows.length === 0) {
      const denied = ds.some((d) => d.decision === 'deny');
      out.push({
        type: denied ? 'executed_denied' : 'executed_without_decision',
        jti,
        broker: null,
        atMs: first.atMs,
        detail: denied ? `${where}; every log only denied it (${[...new Set(ds.map((d) => d.reason))].join(', ')})` : `${where}; no log has a decision for it`,
      });
      continue;
    }
    if (ws.length > allows.length) {
      out.push({ type: 'double_execution', jti, broker: allows.map((a) => a.broker).join('+'), atMs: (ws[allows.length] as PlatformWrite).atMs, detail: `${where} for ${allows.length} allowed use(s)` });
      continue;
    }
    const admitted = allows.filter((a) => ['succeeded', 'unknown'].includes(statusOf.get(`${a.broker}\0${a.seq}`) ?? 'none')).length;
    if (ws.length > admitted) {
      out.push({ type: 'outcome_mismatch', jti, broker: allows.map((a) => a.broker).join('+'), atMs: first.atMs, detail: `${where}; only ${admitted} allow(s) have an outcome saying succeeded or unknown` });
    }
  }
  return out;
}

/** A request that carried a certificate the harness issued (the direct path carries none): what the client-side checks can match. */
export type CertifiedRequest = RequestRecord & { readonly jti: string };

export function isCertified(r: RequestRecord): r is CertifiedRequest {
  return r.jti !== undefined;
}

/** Whether `r` revokes the request's certificate (an outage: everything sent before it ended). */
export function isRevoked(a: RequestRecord, r: Revocation): boolean {
  if (r.outageUntilMs !== undefined) return a.sent_ms < r.outageUntilMs;
  return (a.jti !== undefined && (r.jtis?.has(a.jti) ?? false)) || (r.floor !== undefined && a.rep !== undefined && a.rep < r.floor);
}
