// One block: one path of one workload under one load shape, from its first
// request to its last answer, recorded as a BlockRecord so rates divide by
// the time the path was actually measured.
import type { RequestPath, RequestRecord } from '../metrics/history.js';
import { processesFor, startCpuMeter, type WatchedProcess } from '../metrics/cpu.js';
import { startRequestMeter, type RequestCounter } from '../metrics/platform-requests.js';
import { runClosedLoop, type LoopResult } from '../load/closed-loop.js';
import { runOpenLoop } from '../load/open-loop.js';
import { arrivalTimes } from '../load/schedule.js';
import { LiveStats } from './live-stats.js';
import type { Progress } from './progress.js';
import { runRequest, type WorkloadRun } from './request.js';

export type BlockLoad =
  | { readonly mode: 'closed'; readonly workers: number; readonly count?: number; readonly durationMs?: number }
  | { readonly mode: 'open'; readonly rateRps: number; readonly durationMs: number; readonly arrivals: 'poisson' | 'fixed'; readonly maxInFlight: number; readonly seed: number };

export interface BlockSpec {
  readonly path: RequestPath;
  readonly label: string;
  readonly title: string;
  readonly record: boolean;
  readonly load: BlockLoad;
  /** A step of a sweep: the scenario's name. */
  readonly sweep?: string;
}

export interface BlockEnv {
  readonly progress: Progress;
  readonly signal: AbortSignal | undefined;
  readonly graceMs: number;
  /** Processes whose CPU each recorded block measures; none, none measured. */
  readonly processes?: readonly WatchedProcess[];
  /** Platform request counters, one per platform at most; each recorded block of its platform is counted. */
  readonly requestCounters?: readonly RequestCounter[];
}

export interface BlockResult extends LoopResult {
  readonly records: RequestRecord[];
  readonly durationMs: number;
}

export async function runBlock(run: WorkloadRun, spec: BlockSpec, env: BlockEnv): Promise<BlockResult> {
  const stats = new LiveStats(spec.title);
  const records: RequestRecord[] = [];
  const plan = { path: spec.path, label: spec.label, record: spec.record, stats, sink: records };
  const fire = (_: number, intendedAt: number) => {
    const i = run.nextIndex();
    const target = run.workload.targetOf?.(i);
    return target === undefined ? runRequest(run, plan, i, intendedAt) : run.targets.run(target, () => runRequest(run, plan, i, intendedAt));
  };
  const counter = spec.record ? env.requestCounters?.find((c) => c.platform === run.workload.platform) : undefined;
  // Read outside the CPU meter's interval: a scrape of /metrics is no mutation's cost.
  const platformRequests = counter === undefined ? undefined : await startRequestMeter(counter);
  env.progress.begin(stats);
  const cpu = spec.record ? startCpuMeter(processesFor(env.processes ?? [], run.workload.platform)) : undefined;
  const start = performance.now();
  let result: LoopResult;
  try {
    const l = spec.load;
    result =
      l.mode === 'closed'
        ? await runClosedLoop({ workers: l.workers, ...(l.count === undefined ? {} : { count: l.count }), ...(l.durationMs === undefined ? {} : { durationMs: l.durationMs }), signal: env.signal, graceMs: env.graceMs }, fire)
        : await runOpenLoop({ schedule: arrivalTimes({ rateRps: l.rateRps, durationMs: l.durationMs, arrivals: l.arrivals, seed: l.seed }), maxInFlight: l.maxInFlight, signal: env.signal, graceMs: env.graceMs }, fire);
  } finally {
    env.progress.end();
  }
  const end = performance.now();
  const spent = cpu?.() ?? [];
  const counts = await platformRequests?.();
  if (spec.record) {
    const where = { scenario: spec.label, platform: run.workload.platform, path: spec.path, operation: run.workload.operation };
    const mutations = records.filter((r) => r.outcome === 'executed').length;
    for (const c of spent) run.history.addCpu({ ...where, process: c.process, cpu_ms: c.cpuMs, rss_kib: c.rssKib, mutations });
    if (counts !== undefined) run.history.addPlatformRequests({ ...where, counts, mutations });
    run.history.addBlock({
      ...where,
      start_ms: run.history.since(start),
      end_ms: run.history.since(end),
      ...(spec.load.mode === 'open' ? { offered_rps: spec.load.rateRps } : {}),
      ...(spec.sweep === undefined ? {} : { sweep: spec.sweep }),
    });
  }
  return { ...result, records, durationMs: end - start };
}
