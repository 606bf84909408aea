// A replay storm: admit each certificate once, then submit its copies back
// to back from a pool of workers, so the copies of one certificate are in
// flight together. Exactly one copy of each may execute (storm.csv checks).
import { runClosedLoop } from '../load/closed-loop.js';
import { runRequest, type WorkloadRun } from './request.js';
import { LiveStats } from './live-stats.js';
import type { BlockEnv } from './block.js';

export async function runStorm(run: WorkloadRun, env: BlockEnv): Promise<void> {
  const s = run.scenario;
  const storm = s.storm as NonNullable<typeof s.storm>;
  const w = run.workload;
  const where = `${s.name} ${w.platform}/${w.operation}`;

  const admitted: { i: number; admission: unknown }[] = new Array(storm.certificates);
  env.progress.note(`${where}: admitting ${storm.certificates} certificates`);
  await runClosedLoop({ workers: storm.concurrency, count: storm.certificates, signal: env.signal, graceMs: env.graceMs }, async (c) => {
    const i = run.nextIndex();
    admitted[c] = { i, admission: await w.admit(i) };
  });
  const certificates = admitted.filter((a) => a !== undefined);
  const ready = certificates.length;
  if (ready < storm.certificates && !env.signal?.aborted) throw new Error(`${where}: only ${ready} of ${storm.certificates} certificates were admitted`);

  const stats = new LiveStats(`${where} seb storm ${storm.certificates} x ${storm.copies}`);
  const plan = { path: 'seb' as const, label: s.name, record: true, stats };
  env.progress.begin(stats);
  const start = performance.now();
  try {
    await runClosedLoop({ workers: storm.concurrency, count: ready * storm.copies, signal: env.signal, graceMs: env.graceMs }, (n, at) => {
      const c = Math.floor(n / storm.copies);
      const copy = n % storm.copies;
      const a = certificates[c] as { i: number; admission: unknown };
      return runRequest(run, plan, a.i, at, { admission: a.admission, certificate: c, requestId: `seb-${w.operation}-${a.i}.${copy}` });
    });
  } finally {
    env.progress.end();
  }
  run.history.addBlock({ scenario: s.name, platform: w.platform, path: 'seb', operation: w.operation, start_ms: run.history.since(start), end_ms: run.history.since(performance.now()) });
}
