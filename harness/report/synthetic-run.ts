// A small made-up run folder with every CSV the report reads, written in the
// schemas the runner writes them in (the same objects, so a column the runner
// adds or drops changes these files too), for the report's and the notebooks' tests and
// for looking at the figures without a real run. Seeded: the same options
// give the same bytes. Its numbers are shaped like the paper's (about 28 ms
// added on Kubernetes, 195 ms on AWS) but measure nothing.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PHASES, type Phase } from '../../broker/broker.js';
import { writeFileAtomic } from '../../broker/files.js';
import { writeCsv, type RowIn } from '../csv.js';
import { MICROBENCH_CSV } from '../microbench/stats.js';
import { DRIFT_CSV } from '../results/drift.js';
import { REQUESTS_CSV } from '../results/requests.js';
import { SUMMARY_CSV } from '../results/summary.js';
import { SWEEP_CSV, withSustained, type SweepRow } from '../results/sweep.js';
import { seededRng, type Rng } from '../load/rng.js';
import { quantileSorted, round } from './figures/common.js';
import { FAULTS_CSV } from '../results/faults.js';
import { REVOCATION_CSV } from '../results/revocation.js';

export interface SyntheticOptions {
  readonly runId?: string;
  readonly seed?: number;
  /** Measured requests per path and mutation kind in the latency scenarios. */
  readonly requests?: number;
  /** Multiplies SEB's added time: above 1 makes a "worse" run for compare. */
  readonly sebSlowdown?: number;
  /** Safety violations to put in one cell of the fault matrix (default 0). */
  readonly faultViolations?: number;
  /** Leave these files out (e.g. ['revocation.csv', 'faults.csv'] as before those scenarios existed). */
  readonly omit?: readonly string[];
}

const MUTATIONS = {
  kubernetes: { ops: ['deployment-scale', 'configmap-data', 'networkpolicy-ingress'], direct: 6, mint: 14, capacity: { seb: 420, direct: 950 } },
  aws: { ops: ['ssm-put-parameter', 's3-put-object', 'ec2-authorize-ingress', 'dynamodb-update-item'], direct: 38, mint: 160, capacity: { seb: 260, direct: 700 } },
} as const;
const SWEEP_OPS = { kubernetes: 'configmap-data', aws: 'ssm-put-parameter' } as const;
const RATES = [25, 50, 100, 200, 400, 800];
/** Sweep steps carry no phase timings in this made-up run. */
const NO_PHASES = Object.fromEntries(PHASES.map((p) => [`${p}_ms`, null])) as Record<`${Phase}_ms`, null>;

function normal(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
const lognormal = (rng: Rng, median: number, sigma: number) => median * Math.exp(sigma * normal(rng));

export function writeSyntheticRun(dir: string, o: SyntheticOptions = {}): string[] {
  const rng = seededRng(o.seed ?? 6);
  const runId = o.runId ?? '20260101T000000Z-synthetic';
  const n = o.requests ?? 120;
  const slow = o.sebSlowdown ?? 1;
  const requests: RowIn<typeof REQUESTS_CSV>[] = [];
  const summary: RowIn<typeof SUMMARY_CSV>[] = [];
  const sweep: (SweepRow & { readonly run_id: string })[] = [];
  let clock = 0;
  let id = 0;

  for (const [platform, m] of Object.entries(MUTATIONS)) {
    const scenario = `latency-${platform}`;
    m.ops.forEach((operation, k) => {
      for (const path of ['seb', 'direct'] as const) {
        const latencies: number[] = [];
        for (let i = 0; i < n; i++) {
          const invoke = lognormal(rng, m.direct * (1 + 0.15 * k), 0.25);
          const phases: Partial<Record<Phase, number>> = {};
          let latency = invoke;
          if (path === 'seb') {
            const parts: Record<Phase, number> = {
              verify: lognormal(rng, 0.9, 0.2),
              ledger: lognormal(rng, 1.6, 0.3),
              drift: lognormal(rng, m.direct * 0.6, 0.3),
              record: lognormal(rng, 2.2, 0.3),
              mint: lognormal(rng, m.mint * slow, 0.25),
              invoke,
              retire: lognormal(rng, 1.2, 0.3),
              outcome: lognormal(rng, 2, 0.3),
            };
            Object.assign(phases, parts);
            latency = Object.values(parts).reduce((a, b) => a + b, 0) + lognormal(rng, 1, 0.3);
          }
          const outcome = rng() < 0.01 ? 'error' : 'executed';
          latencies.push(latency);
          clock += latency + 1;
          requests.push({
            run_id: runId,
            scenario,
            target: 'local',
            platform,
            path,
            operation,
            request_id: `r${++id}`,
            start_ms: round(clock),
            latency_ms: round(latency),
            outcome,
            reason: outcome === 'error' ? 'invoke_failed' : null,
            ...(Object.fromEntries(PHASES.map((p) => [`${p}_ms`, phases[p] === undefined ? null : round(phases[p] as number)])) as Record<`${Phase}_ms`, number | null>),
          });
        }
        const sorted = [...latencies].sort((a, b) => a - b);
        const errors = requests.slice(-n).filter((r) => r.outcome !== 'executed').length;
        summary.push({ run_id: runId, scenario, target: 'local', platform, path, operation, count: n, errors, ...percentiles(sorted), rate_rps: round((n * 1000) / latencies.reduce((a, b) => a + b, n), 1) });
      }
    });

    const operation = SWEEP_OPS[platform as keyof typeof SWEEP_OPS];
    for (const path of ['seb', 'direct'] as const) {
      const capacity = m.capacity[path] / (path === 'seb' ? slow : 1);
      const base = path === 'seb' ? m.direct + 22 + m.mint * slow : m.direct;
      for (const offered of RATES) {
        const load = offered / capacity;
        const achieved = Math.min(offered, capacity * (load > 1 ? 0.97 : 1)) * (0.98 + 0.02 * rng());
        const p50 = base * (1 + 0.4 * Math.min(load, 0.95) ** 3) * (load > 1 ? 6 : 1);
        const p99 = p50 * (load > 1 ? 4 : 2.2 + 2 * Math.min(load, 0.95) ** 4);
        const count = Math.round(achieved * 10);
        const errors = load > 1.2 ? Math.round(count * 0.03) : 0;
        const name = `throughput-sweep@${offered}rps`;
        for (let i = 0; i < 3; i++) {
          const latency = lognormal(rng, p50, 0.3);
          clock += 1;
          requests.push({ run_id: runId, scenario: name, target: 'local', platform, path, operation, request_id: `r${++id}`, start_ms: round(clock), latency_ms: round(latency), outcome: 'executed', reason: null, ...NO_PHASES });
        }
        summary.push({ run_id: runId, scenario: name, target: 'local', platform, path, operation, count, errors, p50_ms: round(p50), p90_ms: round(p50 * 1.6), p99_ms: round(p99), max_ms: round(p99 * 1.3), rate_rps: round(achieved * (count / Math.max(1, count - errors)), 1) });
        const saturated = achieved < 0.9 * offered || errors / count > 0.01 || p99 > 1000;
        sweep.push({ run_id: runId, scenario: 'throughput-sweep', target: 'local', platform, path, operation, offered_rps: offered, achieved_rps: round(achieved, 1), count, errors, p50_ms: round(p50), p99_ms: round(p99), saturated, why: saturated ? 'achieved under 90% of offered' : null });
      }
    }
  }

  const drift: RowIn<typeof DRIFT_CSV>[] = [
    { run_id: runId, scenario: 'drift-detection', target: 'local', platform: 'kubernetes', path: 'seb', operation: 'configmap-data', trials: 60, drifted: 30, detected: 27, false_positives: 0, missed: 0, precondition_caught: 3, counted_from: 'platform records' },
    { run_id: runId, scenario: 'drift-detection', target: 'local', platform: 'aws', path: 'seb', operation: 'ssm-put-parameter', trials: 80, drifted: 40, detected: 33, false_positives: 1, missed: 0, precondition_caught: 6, counted_from: 'platform records' },
  ];
  const revocation: RowIn<typeof REVOCATION_CSV>[] = [];
  for (const [b, broker] of ['broker-a', 'broker-b', 'broker-c'].entries()) {
    for (let e = 0; e < 6; e++) {
      const revoked = 5000 + e * 4000;
      const committed = revoked + 4;
      const propagation = round(lognormal(rng, 120 + 180 * b, 0.35));
      revocation.push({ run_id: runId, broker, event: `revoke-${e + 1}`, revoked_at_ms: revoked, committed_at_ms: committed, first_deny_ms: round(committed + propagation), propagation_ms: propagation, from_publish_start_ms: round(committed + propagation - revoked), accepted_after_revoke: 0 });
    }
  }
  // As the fault runner writes it: per fault, the requests counted before, during and after it, and one total row.
  const faults: RowIn<typeof FAULTS_CSV>[] = [];
  const matrix: [string, string][] = [
    ['network-latency', 'kube-apiserver'],
    ['network-reset_peer', 'kube-apiserver'],
    ['network-down', 'etcd'],
    ['process-kill', 'etcd state2'],
    ['process-kill-mid-execution', 'seb-1'],
    ['clock-skew-45000ms', 'seb-2'],
    ['records-unwritable', 'seb-3'],
    ['revocation-source-down', 'etcd quorum'],
  ];
  const totals = { requests: 0, executed: 0, denied: 0, violations: 0 };
  matrix.forEach(([fault, target], i) => {
    const stuck = fault === 'revocation-source-down';
    const recovery = stuck ? null : round(lognormal(rng, 400 + 200 * i, 0.3), 0);
    for (const phase of ['before', 'during', 'after']) {
      const requestsIn = 20 + Math.round(rng() * (phase === 'during' ? 200 : 40));
      const executed = phase === 'during' ? Math.round(requestsIn * 0.4 * rng()) : requestsIn - (rng() < 0.3 ? 1 : 0);
      const violations = phase === 'during' && i === 2 ? (o.faultViolations ?? 0) : 0;
      faults.push({ run_id: runId, fault, target, phase, injected_at_ms: 10_000 * (i + 1), removed_at_ms: 10_000 * (i + 1) + 5000, requests: requestsIn, executed, denied: requestsIn - executed, violations, recovery_ms: recovery });
      totals.requests += requestsIn;
      totals.executed += executed;
      totals.denied += requestsIn - executed;
      totals.violations += violations;
    }
  });
  faults.push({ run_id: runId, fault: 'matrix', target: 'all', phase: 'total', injected_at_ms: null, removed_at_ms: null, ...totals, recovery_ms: null });
  const microbench: RowIn<typeof MICROBENCH_CSV>[] = [
    ['signature_verify', 3950, 4700],
    ['predicate_path', 1600, 1760],
    ['jcs_digest', 48000, 61000],
    ['ledger_consume', 9100, 9800],
    ['record_append', 5200, 5600],
  ].flatMap(([name, one, two]) =>
    [1, 2].map((threads) => {
      const ops = Math.round(((threads === 1 ? (one as number) : (two as number)) / slow) * (0.97 + 0.06 * rng()));
      return { name: name as string, threads, ops_per_s: ops, mean_us: round((threads * 1e6) / ops, 2), p99_us: round((threads * 4e6) / ops, 2), samples: Math.round(ops / 3) };
    }),
  );
  const meta = {
    run_id: runId,
    kind: 'synthetic',
    started_at: '2026-01-01T00:00:00.000Z',
    commit: '0000000000000000000000000000000000000000',
    machine: { node: process.version, platform: 'linux', cpu: 'synthetic', cores: 2, memoryGiB: 24 },
    versions: { node: process.version, 'kube-apiserver': 'v1.36.5', etcd: 'v3.6.16', moto: '5.2.5' },
    target: 'local',
    scenarios: [
      { name: 'latency-kubernetes', kind: 'latency', seed: 1 },
      { name: 'latency-aws', kind: 'latency', seed: 2 },
      { name: 'throughput-sweep', kind: 'throughput', seed: 3 },
    ],
    note: 'made up by harness/report/synthetic-run.ts: measures nothing',
  };

  const files: [string, string][] = [
    ['requests.csv', writeCsv(REQUESTS_CSV, requests)],
    ['summary.csv', writeCsv(SUMMARY_CSV, summary)],
    ['sweep.csv', writeCsv(SWEEP_CSV, withSustained(sweep))],
    ['drift.csv', writeCsv(DRIFT_CSV, drift)],
    ['revocation.csv', writeCsv(REVOCATION_CSV, revocation)],
    ['faults.csv', writeCsv(FAULTS_CSV, faults)],
    ['microbench.csv', writeCsv(MICROBENCH_CSV, microbench)],
    ['meta.json', `${JSON.stringify(meta, null, 2)}\n`],
  ];
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of files) {
    if (o.omit?.includes(name)) continue;
    writeFileAtomic(join(dir, name), content);
    written.push(join(dir, name));
  }
  return written;
}

function percentiles(sorted: readonly number[]): { p50_ms: number; p90_ms: number; p99_ms: number; max_ms: number } {
  return { p50_ms: round(quantileSorted(sorted, 0.5)), p90_ms: round(quantileSorted(sorted, 0.9)), p99_ms: round(quantileSorted(sorted, 0.99)), max_ms: round(sorted[sorted.length - 1] as number) };
}
