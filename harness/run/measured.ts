// Latency, drift and single-rate throughput scenarios: warm up each path,
// then measure in alternating blocks (run/blocks.ts explains the order).
import type { RequestPath } from '../metrics/history.js';
import { deriveSeed } from '../load/rng.js';
import type { Load } from '../scenario/schema.js';
import { runBlock, type BlockEnv, type BlockLoad } from './block.js';
import { blockOrder, splitEvenly } from './blocks.js';
import type { WorkloadRun } from './request.js';

export function pathsOf(direct: boolean): RequestPath[] {
  return direct ? ['seb', 'direct'] : ['seb'];
}

/** The load of one block: a closed loop's count or duration, or an open loop's duration, split over the blocks. */
export function blockLoad(load: Load, part: { count?: number; durationMs?: number }, rateRps: number | undefined, seed: number): BlockLoad {
  if (load.mode === 'closed') return { mode: 'closed', workers: load.workers, ...part };
  return { mode: 'open', rateRps: rateRps ?? (load.rate_rps as number), durationMs: part.durationMs ?? 0, arrivals: load.arrivals, maxInFlight: load.max_in_flight, seed };
}

export async function runMeasured(run: WorkloadRun, env: BlockEnv): Promise<void> {
  const s = run.scenario;
  const load = s.load as Load;
  const w = run.workload;
  const paths = pathsOf(s.direct);
  const where = `${s.name} ${w.platform}/${w.operation}`;
  const seedFor = (...parts: (string | number)[]) => deriveSeed(s.seed, 'arrivals', w.platform, w.operation, ...parts);

  for (const path of paths) {
    const warm = load.mode === 'closed' ? (load.warmup > 0 ? { count: load.warmup } : undefined) : load.warmup_s > 0 ? { durationMs: load.warmup_s * 1000 } : undefined;
    if (warm === undefined || env.signal?.aborted) continue;
    await runBlock(run, { path, label: s.name, title: `${where} ${path} warm-up`, record: false, load: blockLoad(load, warm, undefined, seedFor(path, 'warmup')) }, env);
  }

  const order = blockOrder(paths, load.blocks);
  const counts = load.mode === 'closed' && load.count !== undefined ? splitEvenly(load.count, load.blocks) : undefined;
  const durationMs = (load.duration_s ?? 0) * 1000;
  const seen = new Map<RequestPath, number>();
  for (const path of order) {
    if (env.signal?.aborted) return;
    const k = seen.get(path) ?? 0;
    seen.set(path, k + 1);
    const part = counts !== undefined ? { count: counts[k] ?? 0 } : { durationMs: durationMs / load.blocks };
    if (part.count === 0) continue;
    await runBlock(run, { path, label: s.name, title: `${where} ${path} block ${k + 1}/${load.blocks}`, record: true, load: blockLoad(load, part, undefined, seedFor(path, k)) }, env);
  }
}
