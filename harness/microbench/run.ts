// Runs every microbenchmark at one and at two threads, side by side in one
// run, and writes results/<run-id>/microbench.csv and meta.json.
import { rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { writeCsv } from '../csv.js';
import { createRunDir, gitCommit, machineInfo, markLatest, writeRunFile, type RunDir } from '../run-dir.js';
import { combineThreads, MICROBENCH_CSV, pathRatios, type MicroRow } from './stats.js';
import { MICRO_TASKS, newSharedDir } from './tasks.js';
import type { WorkerJob, WorkerResult } from './worker.js';

export interface MicrobenchOptions {
  readonly resultsRoot: string;
  readonly timeMs: number;
  readonly warmupMs: number;
  readonly threads: readonly number[];
  readonly only?: readonly string[];
  readonly log?: (line: string) => void;
}

export interface MicrobenchRun {
  readonly run: RunDir;
  readonly rows: readonly MicroRow[];
  readonly csvPath: string;
}

function runWorker(job: WorkerJob): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: job });
    worker.once('message', (result: WorkerResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`microbench worker for ${job.task} exited with ${code}`)));
  });
}

export async function runMicrobench(o: MicrobenchOptions): Promise<MicrobenchRun> {
  const log = o.log ?? (() => {});
  const tasks = MICRO_TASKS.filter((t) => o.only === undefined || o.only.includes(t.name));
  const run = createRunDir(o.resultsRoot);
  const sharedDir = newSharedDir();
  const rows: MicroRow[] = [];
  try {
    for (const task of tasks) {
      for (const threads of o.threads) {
        const jobs = Array.from({ length: threads }, (_, thread) => ({ task: task.name, thread, sharedDir, timeMs: o.timeMs, warmupMs: o.warmupMs }));
        const row = combineThreads(task.name, await Promise.all(jobs.map(runWorker)));
        rows.push(row);
        log(`  ${row.name.padEnd(24)} threads=${row.threads}  ${String(row.ops_per_s).padStart(8)} ops/s  mean ${row.mean_us} us  p99 ${row.p99_us} us`);
      }
    }
  } finally {
    rmSync(sharedDir, { recursive: true, force: true });
  }
  const csvPath = writeRunFile(run, 'microbench.csv', writeCsv(MICROBENCH_CSV, rows));
  const meta = { run_id: run.id, kind: 'microbench', commit: gitCommit(), machine: machineInfo(), time_ms: o.timeMs, warmup_ms: o.warmupMs, ratios: pathRatios(rows) ?? null };
  writeRunFile(run, 'meta.json', `${JSON.stringify(meta, null, 2)}\n`);
  markLatest(o.resultsRoot, run);
  return { run, rows, csvPath };
}
