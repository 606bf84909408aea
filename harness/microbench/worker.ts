// Runs one microbenchmark task in a worker thread and posts its statistics.
import { parentPort, workerData } from 'node:worker_threads';
import { Bench } from 'tinybench';
import { MICRO_TASKS } from './tasks.js';

export interface WorkerJob {
  readonly task: string;
  readonly thread: number;
  readonly sharedDir: string;
  readonly timeMs: number;
  readonly warmupMs: number;
}

export interface WorkerResult {
  readonly periodMs: number;
  readonly p99Ms: number;
  readonly samples: number;
}

const job = workerData as WorkerJob;
const task = MICRO_TASKS.find((t) => t.name === job.task);
if (task === undefined) throw new Error(`unknown task ${job.task}`);
const fn = await task.setup({ sharedDir: job.sharedDir, thread: job.thread });
const bench = new Bench({ time: job.timeMs, warmupTime: job.warmupMs });
bench.add(job.task, fn);
await bench.run();
const result = bench.tasks[0]?.result;
if (result === undefined || !('latency' in result)) throw new Error(`task ${job.task} did not complete`);
const out: WorkerResult = { periodMs: result.period, p99Ms: result.latency.p99, samples: result.latency.samplesCount };
parentPort?.postMessage(out);
