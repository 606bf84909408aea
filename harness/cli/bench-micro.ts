import { UsageError } from '../../broker/core/errors.js';
import { pathRatios } from '../microbench/stats.js';
import { runMicrobench } from '../microbench/run.js';
import { MICRO_TASKS } from '../microbench/tasks.js';
import { defineCommand, intFlag } from '../../broker/cli/command.js';

export const benchMicro = defineCommand({
  words: ['bench', 'micro'],
  summary: 'Microbenchmark the predicates, digests, ledger and record log; write results/<run>/microbench.csv.',
  flags: {
    time: { type: 'string', value: 'MS', description: 'measuring time per task and thread count', default: '1000' },
    warmup: { type: 'string', value: 'MS', description: 'warm-up time per task', default: '250' },
    threads: { type: 'string', value: 'LIST', description: 'comma-separated thread counts, run side by side', default: '1,2' },
    only: { type: 'string', value: 'NAMES', description: `comma-separated task names (${MICRO_TASKS.map((t) => t.name).join(', ')})` },
    results: { type: 'string', value: 'DIR', description: 'results root', default: 'results' },
  },
  async run(flags) {
    const threads = flags.threads.split(',').map((t) => intFlag('threads', t.trim(), { min: 1 }) ?? 1);
    const only = flags.only?.split(',').map((n) => n.trim());
    const unknown = only?.find((n) => !MICRO_TASKS.some((t) => t.name === n));
    if (unknown !== undefined) throw new UsageError(`--only: unknown task ${JSON.stringify(unknown)}`);
    process.stdout.write(`microbenchmarks: ${flags.time} ms per task, threads ${threads.join(',')}\n`);
    const { rows, csvPath } = await runMicrobench({
      resultsRoot: flags.results,
      timeMs: intFlag('time', flags.time, { min: 10 }) ?? 1000,
      warmupMs: intFlag('warmup', flags.warmup, { min: 0 }) ?? 250,
      threads,
      ...(only === undefined ? {} : { only }),
      log: (line) => process.stdout.write(`${line}\n`),
    });
    const ratios = pathRatios(rows);
    if (ratios !== undefined) {
      process.stdout.write(
        `predicate_path / signature_verify (same run): ${ratios.oneThread.toFixed(2)} on 1 thread, ${ratios.twoThreads.toFixed(2)} on 2 threads (target >= 0.5, and ~2x that on 2)\n`,
      );
    }
    process.stdout.write(`wrote ${csvPath}\n`);
    return 0;
  },
});
