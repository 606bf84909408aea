// What the broker's guarantees alone ask of the platform, beside the direct
// path, in one run on the local target. For each kind, the "floor" path makes
// an execution's platform calls exactly as the broker does (broker.ts: the
// drift read beside a mint that creates nothing, the write as the minted
// identity, the retire), through the broker's own adapters, but from this
// process and with nothing around them: no certificate check, ledger,
// records or HTTP hop. Admission (the SAB's read and certificate) comes
// first and is not timed, as in the runner. A broker that cost nothing would
// measure the floor, so floor/direct is the best ratio the brokered path can
// reach on this target; SEB/direct from `seb bench paper` is what it reaches.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Claims } from '../../broker/core/certificate/claims.js';
import type { Contract } from '../../broker/core/certificate/contract.js';
import { readCertificate } from '../../broker/core/certificate/certificate.js';
import { IoError } from '../../broker/core/errors.js';
import type { PlatformAdapter } from '../../broker/core/ports/platform.js';
import { liveStateFrom } from '../../broker/broker.js';
import { confirmDriftRead, startDriftRead } from '../../broker/decide.js';
import { adaptersFor } from '../../broker/platforms/from-target.js';
import type { ExecutorMode } from '../../broker/platforms/kubernetes/executor.js';
import { generateSigningKey } from '../../broker/sab/keygen.js';
import { writeCsv } from '../csv.js';
import { FLOOR_CSV } from '../results/floor.js';
import { deriveSeed, seededRng } from '../load/rng.js';
import { startCpuMeter, type WatchedProcess } from '../metrics/cpu.js';
import { LatencyHistogram } from '../metrics/histogram.js';
import { createRunDir, gitCommit, machineInfo, markLatest, writeRunFile, type RunDir } from '../run-dir.js';
import { startLocalTarget } from '../targets/local/local-target.js';
import { DEFAULT_KUBERNETES_MODE, LOCAL_AUDIENCE, LOCAL_ISSUER } from '../targets/local/workspace.js';
import { awsKinds } from '../workload/kinds/aws.js';
import { kubernetesKinds } from '../workload/kinds/kubernetes.js';
import { kindContexts } from '../workload/kinds/contexts.js';
import { mutationRegistry, platformOfMutation, type MutationKind, type MutationKindName, type PreState } from '../workload/mutation.js';
import { sabCertifier, type Certifier } from '../workload/mutation-workload.js';

export const FLOOR_KINDS: readonly MutationKindName[] = ['configmap-data', 'ssm-put-parameter', 'dynamodb-update-item'];

export type FloorPath = 'direct' | 'floor';
export type FloorMeasure = 'p50_ms' | 'throughput_rps' | 'platform_cpu_ms';

export interface FloorRow {
  readonly platform: string;
  readonly operation: string;
  readonly path: FloorPath;
  readonly measure: FloorMeasure;
  readonly value: number;
  readonly mutations: number;
}

export interface FloorOptions {
  readonly kinds: readonly MutationKindName[];
  readonly resultsRoot: string;
  /** Requests per latency block (two blocks per path, alternating). */
  readonly count: number;
  /** Requests at a time in the throughput blocks, each on its own target. */
  readonly workers: number;
  readonly durationMs: number;
  readonly kubernetesMode?: ExecutorMode;
  readonly log: (line: string) => void;
  /** Aborting stops the run at the next request; the target is stopped and nothing is written. */
  readonly signal?: AbortSignal;
}

export interface FloorResult {
  readonly run: RunDir;
  readonly rows: readonly FloorRow[];
}

/** Admit request i (untimed); the returned call is what is timed. */
type Send = (i: number) => Promise<() => Promise<void>>;

const FLOOR_SEED = 20261201;

/** An execution's platform calls, sequenced as Broker.execute sequences them (its drift reads and their confirmation, decide.ts), with nothing else. Throws on drift, or when the write did not succeed. */
export async function platformCallsOf(adapter: PlatformAdapter, contract: Contract, claims: Claims): Promise<void> {
  const plan = adapter.plan(contract);
  const reservation = adapter.reserve?.(plan);
  const reads = liveStateFrom(() => adapter);
  const reading = startDriftRead(reads, plan);
  // A mint that creates nothing runs beside the drift read; one that creates objects waits for the broker's intent record.
  const early = reservation === undefined ? adapter.mint(plan, claims) : undefined;
  const { live, reason } = await confirmDriftRead(reads, plan, claims.pre, reading);
  if (live === undefined || reason !== null) {
    // As the broker does with a denied request's early identity: retired unused.
    const unused = await early?.catch(() => undefined);
    if (unused !== undefined) await adapter.retire(unused);
    throw new IoError(`${contract.operation} on the floor path: ${live === undefined ? 'the live state could not be read' : reason}`);
  }
  const identity = await (early ?? adapter.mint(plan, claims, reservation));
  const result = await adapter.invoke(plan, identity, live);
  await adapter.retire(identity);
  if (result.status !== 'succeeded') throw new IoError(`${contract.operation} on the floor path: ${result.status}: ${result.detail}`);
}

/** A kind with its context bound, so kinds of either platform run alike. */
interface KindRun {
  readonly name: MutationKindName;
  readonly platform: 'kubernetes' | 'aws';
  prepare(): Promise<void>;
  cleanup(): Promise<void>;
  contract(i: number): Contract;
  preState(contract: Contract): Promise<PreState>;
  direct(contract: Contract): Promise<void>;
  /** The broker's adapter for the kind's platform (its identity, its executor mode). */
  readonly adapter: PlatformAdapter;
  /** The platform's processes, whose CPU the throughput blocks measure. */
  readonly processes: readonly WatchedProcess[];
}

function bind<C>(kind: MutationKind<C>, ctx: C, adapter: PlatformAdapter, processes: readonly WatchedProcess[]): KindRun {
  return {
    name: kind.name,
    platform: kind.platform,
    prepare: async () => kind.prepare?.(ctx),
    cleanup: async () => kind.cleanup?.(ctx),
    contract: (i) => kind.contract(i, seededRng(deriveSeed(FLOOR_SEED, kind.name, i))),
    preState: (contract) => kind.preState(contract, ctx),
    direct: (contract) => kind.directCall(contract, ctx),
    adapter,
    processes,
  };
}

/** Latency of one path into `h`, `count` requests one at a time; every request must execute. */
async function latencyBlock(send: Send, first: number, count: number, h: LatencyHistogram, signal: AbortSignal | undefined): Promise<void> {
  for (let i = first; i < first + count; i++) {
    signal?.throwIfAborted();
    const call = await send(i);
    const t0 = performance.now();
    await call();
    h.record(performance.now() - t0);
  }
}

/**
 * Mutations over `durationMs` with `workers` in flight: worker w sends
 * requests first + w, first + w + workers, …, so no two touch one target at
 * once. `next` is the first request index the block left unused.
 */
async function throughputBlock(send: Send, first: number, workers: number, durationMs: number, signal: AbortSignal | undefined): Promise<{ done: number; ms: number; next: number }> {
  const t0 = performance.now();
  const end = t0 + durationMs;
  const rounds = await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      let k = 0;
      for (; performance.now() < end; k++) {
        signal?.throwIfAborted();
        await (await send(first + w + k * workers))();
      }
      return k;
    }),
  );
  return { done: rounds.reduce((a, b) => a + b, 0), ms: performance.now() - t0, next: first + workers * Math.max(...rounds) };
}

async function measureKind(r: KindRun, certify: Certifier, o: FloorOptions): Promise<FloorRow[]> {
  // The floor's admission (the SAB's read and certificate) happens before its call is timed; the direct path has none.
  const send: Record<FloorPath, Send> = {
    direct: async (i) => () => r.direct(r.contract(i)),
    floor: async (i) => {
      const contract = r.contract(i);
      const { claims } = readCertificate(await certify(contract, await r.preState(contract)));
      return () => platformCallsOf(r.adapter, contract, claims);
    },
  };
  const rows: FloorRow[] = [];
  const row = (path: FloorPath, measure: FloorMeasure, value: number, mutations: number) => rows.push({ platform: r.platform, operation: r.name, path, measure, value: Math.round(value * 1000) / 1000, mutations });
  let next = 0;
  const take = (n: number) => (next += n) - n;
  for (const path of ['direct', 'floor'] as const) await latencyBlock(send[path], take(o.workers), o.workers, new LatencyHistogram(), o.signal); // warm-up: executors made, connections open
  const latency: Record<FloorPath, LatencyHistogram> = { direct: new LatencyHistogram(), floor: new LatencyHistogram() };
  // Two blocks per path, in alternating order, so that drift of the machine's load falls on both.
  for (const order of [['direct', 'floor'], ['floor', 'direct']] as const) {
    for (const path of order) await latencyBlock(send[path], take(o.count), o.count, latency[path], o.signal);
  }
  for (const path of ['direct', 'floor'] as const) row(path, 'p50_ms', latency[path].percentileMs(50), latency[path].count);
  for (const path of ['direct', 'floor'] as const) {
    const meter = startCpuMeter(r.processes);
    const { done, ms, next: after } = await throughputBlock(send[path], next, o.workers, o.durationMs, o.signal);
    next = after;
    const cpuMs = meter().reduce((sum, d) => sum + d.cpuMs, 0);
    row(path, 'throughput_rps', (done * 1000) / ms, done);
    if (r.processes.length > 0 && done > 0) row(path, 'platform_cpu_ms', cpuMs / done, done);
    o.log(`${r.name} ${path}: ${((done * 1000) / ms).toFixed(1)} mutations/s with ${o.workers} at a time`);
  }
  return rows;
}

export async function runFloor(o: FloorOptions): Promise<FloorResult> {
  const platforms = [...new Set(o.kinds.map((k) => platformOfMutation(k)))].filter((p): p is 'kubernetes' | 'aws' => p !== undefined);
  const workDir = mkdtempSync(join(tmpdir(), 'seb-floor-'));
  const cleanups: (() => unknown)[] = [];
  let ok = false;
  try {
    o.log(`starting the local target (${platforms.join(', ')}) …`);
    const target = await startLocalTarget(join(workDir, 'target'), { platforms });
    cleanups.push(() => target.stop());
    const { info } = target;
    const kubernetesMode = o.kubernetesMode ?? DEFAULT_KUBERNETES_MODE;
    const executors = adaptersFor(info, { kubernetesMode });
    cleanups.push(() => executors.close());
    const adapter = (name: 'kubernetes' | 'aws') => executors.adapters.find((a) => a.name === name) as PlatformAdapter;
    const contexts = kindContexts(info);
    cleanups.push(() => contexts.close());
    const { privateJwk } = await generateSigningKey('EdDSA', 'floor');
    const certify = sabCertifier({ privateJwk, issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, subject: 'floor-agent' });
    const pool = { tag: 'floor', size: o.workers };

    const runs: KindRun[] = [];
    if (contexts.kubernetes !== undefined && info.kubernetes !== undefined && target.kubernetes !== undefined) {
      const { apiserver, etcd } = target.kubernetes.processes;
      const processes = [{ name: 'kube-apiserver', pid: apiserver.pid }, { name: 'etcd', pid: etcd.pid }].filter((p): p is WatchedProcess => p.pid !== undefined);
      const registry = mutationRegistry(kubernetesKinds({ namespace: info.kubernetes.protectedNamespaces[0] ?? '', pool }));
      for (const name of o.kinds) {
        const kind = registry.get(name);
        if (kind !== undefined) runs.push(bind(kind, contexts.kubernetes, adapter('kubernetes'), processes));
      }
    }
    if (contexts.aws !== undefined && info.aws !== undefined && target.aws !== undefined) {
      const { bucket, table } = target.aws.resources;
      const processes = target.aws.pid === undefined ? [] : [{ name: 'moto', pid: target.aws.pid }];
      const registry = mutationRegistry(awsKinds({ target: info.aws, bucket, table, pool }));
      for (const name of o.kinds) {
        const kind = registry.get(name);
        if (kind !== undefined) runs.push(bind(kind, contexts.aws, adapter('aws'), processes));
      }
    }

    const rows: FloorRow[] = [];
    for (const r of runs) {
      o.log(`${r.name}: making ${o.workers} targets`);
      await r.prepare();
      try {
        rows.push(...(await measureKind(r, certify, o)));
      } finally {
        await r.cleanup();
      }
    }
    // The run's folder is made only now: a run that fails or is interrupted leaves none behind.
    const run = createRunDir(o.resultsRoot);
    writeRunFile(run, 'floor.csv', writeCsv(FLOOR_CSV, rows.map((row) => ({ run_id: run.id, ...row }))));
    writeRunFile(
      run,
      'meta.json',
      `${JSON.stringify({ bench: 'floor', commit: gitCommit(), machine: machineInfo(), node: process.version, kubernetes_mode: kubernetesMode, count: o.count, workers: o.workers, duration_ms: o.durationMs, versions: info.versions ?? {} }, null, 2)}\n`,
    );
    markLatest(o.resultsRoot, run);
    ok = true;
    return { run, rows };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        o.log(`stopping: ${(error as Error).message}`);
      }
    }
    if (ok) rmSync(workDir, { recursive: true, force: true });
    else o.log(`kept ${workDir} (target logs)`);
  }
}

export interface FloorRatio {
  readonly platform: string;
  readonly operation: string;
  readonly measure: FloorMeasure;
  readonly direct: number;
  readonly floor: number;
  /** floor / direct; null when direct is 0. */
  readonly ratio: number | null;
}

/** Per kind and measure, the floor beside direct and their quotient, in the rows' order. */
export function floorRatios(rows: readonly FloorRow[]): FloorRatio[] {
  const key = (r: FloorRow) => `${r.platform}\0${r.operation}\0${r.measure}`;
  const direct = new Map(rows.filter((r) => r.path === 'direct').map((r) => [key(r), r.value]));
  return rows.flatMap((r) => {
    const d = direct.get(key(r));
    if (r.path !== 'floor' || d === undefined) return [];
    return [{ platform: r.platform, operation: r.operation, measure: r.measure, direct: d, floor: r.value, ratio: d === 0 ? null : Math.round((r.value / d) * 100) / 100 }];
  });
}
