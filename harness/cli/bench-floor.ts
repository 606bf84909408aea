// `seb bench floor`: what the broker's guarantees alone ask of the platform
// (an execution's platform calls, made with no broker around them) beside
// the direct path, on the local target: the best SEB/direct ratios a broker
// could reach there (harness/bench/floor.ts).
import { resolve } from 'node:path';
import { UsageError } from '../../broker/core/errors.js';
import { defineCommand } from '../../broker/cli/command.js';
import { KUBERNETES_MODE_FLAG, kubernetesModeOf } from './kubernetes-mode-flag.js';
import { ALL_MUTATION_KIND_NAMES, type MutationKindName } from '../workload/mutation.js';
import { wholeNumberFlag } from './whole-number-flag.js';
import { interruptOnSigint } from '../run/interrupt.js';
import { FLOOR_KINDS, floorRatios, runFloor, type FloorRatio } from '../bench/floor.js';

export const benchFloor = defineCommand({
  words: ['bench', 'floor'],
  summary: "The platform's share: an execution's platform calls made as the broker makes them but with no broker around them, beside the direct path (p50, throughput, platform CPU).",
  details:
    'Starts the local target and, for each kind, measures two paths side by side: direct (the standing credential) and floor (the drift read beside the mint, the write as the minted identity, through the broker\'s adapters, from this process; the SAB\'s read and certificate first, untimed). ' +
    'p50 over two alternating blocks of --count requests one at a time; throughput with --workers at a time (each on its own target) for --duration seconds, and the platform processes\' CPU per mutation over it. ' +
    'A broker that cost nothing would measure the floor: floor/direct bounds the SEB/direct ratios of `seb bench paper` on this target. Writes results/<run-id>/floor.csv and meta.json. About 2 minutes.',
  flags: {
    kinds: { type: 'string', value: 'K,K', description: 'mutation kinds', default: FLOOR_KINDS.join(',') },
    count: { type: 'string', value: 'N', description: 'requests per latency block', default: '200' },
    workers: { type: 'string', value: 'N', description: 'requests at a time in the throughput blocks', default: '16' },
    duration: { type: 'string', value: 'S', description: 'seconds per throughput block', default: '10' },
    'kubernetes-mode': KUBERNETES_MODE_FLAG,
    results: { type: 'string', value: 'DIR', description: 'results root', default: 'results' },
  },
  async run(flags) {
    const kinds = flags.kinds.split(',').map((k) => k.trim());
    const unknown = kinds.filter((k) => !(ALL_MUTATION_KIND_NAMES as readonly string[]).includes(k));
    if (unknown.length > 0) throw new UsageError(`--kinds: unknown kind ${unknown.join(', ')} (known: ${ALL_MUTATION_KIND_NAMES.join(', ')})`);
    const kubernetesMode = kubernetesModeOf(flags['kubernetes-mode']);
    const options = {
      kinds: kinds as MutationKindName[],
      count: wholeNumberFlag('--count', flags.count, 1, 100_000),
      workers: wholeNumberFlag('--workers', flags.workers, 1, 256),
      durationMs: wholeNumberFlag('--duration', flags.duration, 1, 3600) * 1000,
      kubernetesMode,
      resultsRoot: resolve(flags.results),
      log: (line: string) => process.stderr.write(`[seb] ${line}\n`),
    };
    const interrupt = interruptOnSigint();
    try {
      const result = await runFloor({ ...options, signal: interrupt.signal });
      process.stdout.write(floorTable(floorRatios(result.rows)));
      process.stdout.write(`results in ${result.run.path}\n`);
      return 0;
    } catch (error) {
      if (!interrupt.signal.aborted) throw error;
      process.stderr.write('seb: interrupted; the target is stopped and nothing was written\n');
      return 130;
    } finally {
      interrupt.dispose();
    }
  },
});

const MEASURES = { p50_ms: ['p50', 'ms'], throughput_rps: ['throughput', 'rps'], platform_cpu_ms: ['platform CPU per mutation', 'ms'] } as const;

/** One line per kind and measure: direct, floor, floor/direct. */
export function floorTable(ratios: readonly FloorRatio[]): string {
  const lines = ['The floor: an execution\'s platform calls with no broker around them, beside direct (same run)', `${'kind'.padEnd(34)}${'measure'.padEnd(28)}${'direct'.padStart(10)}${'floor'.padStart(10)}  floor/direct`];
  for (const r of ratios) {
    const [label, unit] = MEASURES[r.measure];
    lines.push(`${`${r.platform}/${r.operation}`.padEnd(34)}${`${label} (${unit})`.padEnd(28)}${r.direct.toFixed(2).padStart(10)}${r.floor.toFixed(2).padStart(10)}  ${r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`}`);
  }
  return `${lines.join('\n')}\n`;
}
