// After every run: the brokers' record logs and the platforms' own records of
// executor writes, checked against docs/design.md section 4 (violations.ts). The
// result is violations.json in the run folder, one summary line, and the
// per-certificate write counts the storm and drift figures are drawn from.
import type { PlatformName } from '../../broker/core/certificate/contract.js';
import { groupBy } from '../group-by.js';
import type { Coverage, PlatformEvidence } from './platform-writes.js';
import type { RequestRecord } from '../metrics/history.js';
import { findViolations, type LiveSlot, type LogEntry, type Revocation, type Violation } from './violations.js';

/**
 * What a run hands the validator: every broker's record log (after
 * recovery) and the platforms' evidence; a fleet run also the revocations it
 * published and the live state of its slots.
 */
export interface ValidationSources {
  readonly records: readonly LogEntry[];
  readonly evidence: PlatformEvidence;
  readonly revocations?: readonly Revocation[];
  readonly live?: readonly LiveSlot[];
}

export interface RunValidation {
  readonly writes: number;
  readonly allows: number;
  readonly violations: readonly Violation[];
  readonly coverage: readonly Coverage[];
  /** Platform-recorded executor writes per certificate. */
  readonly writesByJti: ReadonlyMap<string, number>;
  /** The reasons the record logs give for denying each certificate. */
  readonly deniedFor: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Every scenario's run, the paper's and the fleet's: its requests as the client saw them (`history`), checked with what the sources say. */
export function validateRun(sources: ValidationSources, history: readonly RequestRecord[] = []): RunValidation {
  const { writes } = sources.evidence;
  // Each workload of a kind reports the same coverage: once is enough.
  const coverage = [...new Map(sources.evidence.coverage.map((c) => [JSON.stringify(c), c])).values()];
  const violations = findViolations({ history, records: sources.records, revocations: sources.revocations ?? [], live: sources.live ?? [], writes });
  const writesByJti = new Map([...groupBy(writes.filter((w) => w.jti !== null), (w) => w.jti as string)].map(([jti, ws]) => [jti, ws.length]));
  const allows = sources.records.filter((r) => r.kind === 'decision' && r.decision === 'allow').length;
  const deniedFor = new Map<string, Set<string>>();
  for (const r of sources.records) {
    if (r.kind === 'decision' && r.decision === 'deny' && r.jti !== null && r.reason !== null) deniedFor.set(r.jti, (deniedFor.get(r.jti) ?? new Set()).add(r.reason));
  }
  return { writes: writes.length, allows, violations, coverage, writesByJti, deniedFor };
}

/** Whether the platform's records count this platform's executions of `operation` (coverage lists counted operations, or `*`). */
export function counts(v: RunValidation | undefined, platform: PlatformName, operation: string): boolean {
  return v?.coverage.some((c) => c.platform === platform && (c.operations.includes('*') || c.operations.includes(operation))) ?? false;
}

/** What violations.json and the summary line say of one run, or of one part of it. */
export type ValidationSummary = Pick<RunValidation, 'writes' | 'allows' | 'violations' | 'coverage'>;

/** The parts of one run (`seb bench all`: paper, revocation, faults) as one validation: counts summed, violations and coverage joined. */
export function mergeValidations(parts: readonly ValidationSummary[]): ValidationSummary {
  const coverage = [...new Map(parts.flatMap((p) => p.coverage).map((c) => [JSON.stringify(c), c])).values()];
  return {
    writes: parts.reduce((n, p) => n + p.writes, 0),
    allows: parts.reduce((n, p) => n + p.allows, 0),
    violations: parts.flatMap((p) => p.violations),
    coverage,
  };
}

export function validationLine(v: Pick<RunValidation, 'writes' | 'allows' | 'violations'>): string {
  return `validation: ${v.writes} writes from platform records, ${v.allows} allows, ${v.violations.length} violations`;
}

/** violations.json; `parts`, for a run of several parts, says what each part found. */
export function violationsJson(v: ValidationSummary, parts?: Readonly<Record<string, ValidationSummary>>): string {
  return `${JSON.stringify(
    {
      writes_from_platform_records: v.writes,
      allows: v.allows,
      ...(parts === undefined ? {} : { parts: Object.fromEntries(Object.entries(parts).map(([name, p]) => [name, { writes_from_platform_records: p.writes, allows: p.allows, violations: p.violations.length }])) }),
      violations: v.violations.map((x) => ({ ...x, atMs: Number.isFinite(x.atMs) ? Math.round(x.atMs) : null })),
      counted: v.coverage,
    },
    null,
    2,
  )}\n`;
}
