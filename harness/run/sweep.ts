// A throughput sweep: open loop at each rate in turn, both paths per step
// (alternating which goes first), until each path has saturated. A path that
// saturated is not offered higher rates; the sweep ends when every path has.
import type { RequestPath } from '../metrics/history.js';
import { deriveSeed } from '../load/rng.js';
import { isSaturated } from '../load/saturation.js';
import { measureStep } from '../results/sweep.js';
import type { OpenLoad } from '../scenario/schema.js';
import { runBlock, type BlockEnv } from './block.js';
import { pathsOf } from './measured.js';
import type { WorkloadRun } from './request.js';

export function stepLabel(name: string, rateRps: number): string {
  return `${name}@${rateRps}rps`;
}

export async function runSweep(run: WorkloadRun, env: BlockEnv): Promise<void> {
  const s = run.scenario;
  const load = s.load as OpenLoad;
  const w = run.workload;
  const rates = load.rates_rps ?? [load.rate_rps as number];
  const saturated = new Set<RequestPath>();
  const paths = pathsOf(s.direct);
  for (const [step, rate] of rates.entries()) {
    const order = step % 2 === 0 ? paths : [...paths].reverse();
    for (const path of order) {
      if (saturated.has(path) || env.signal?.aborted) continue;
      const where = `${s.name} ${w.platform}/${w.operation} ${path} @ ${rate} rps`;
      const open = (durationMs: number, ...seed: (string | number)[]) =>
        ({ mode: 'open', rateRps: rate, durationMs, arrivals: load.arrivals, maxInFlight: load.max_in_flight, seed: deriveSeed(s.seed, 'arrivals', w.platform, w.operation, path, rate, ...seed) }) as const;
      if (load.warmup_s > 0) await runBlock(run, { path, label: s.name, title: `${where} warm-up`, record: false, load: open(load.warmup_s * 1000, 'warmup') }, env);
      if (env.signal?.aborted) continue;
      const label = stepLabel(s.name, rate);
      const block = await runBlock(run, { path, label, title: where, record: true, load: open(load.duration_s * 1000), sweep: s.name }, env);
      const verdict = isSaturated(measureStep(block.records, rate, block.durationMs), load.saturation);
      if (verdict.saturated && !block.aborted) {
        saturated.add(path);
        env.progress.note(`${s.name} ${w.platform}/${w.operation}: ${path} saturated at ${rate} rps: ${verdict.why}`);
      }
    }
    if (saturated.size === paths.length) return;
  }
}
