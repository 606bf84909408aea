import { UsageError } from '../../broker/core/errors.js';
import { compareSummaries, formatComparison, PERCENTILES, readSummary, type Percentile } from '../compare.js';
import { defineCommand } from '../../broker/cli/command.js';

export const benchCompare = defineCommand({
  words: ['bench', 'compare'],
  summary: "Compare two runs' summary.csv by ratio; exit 1 when a percentile got worse than the threshold.",
  usage: 'BASE_DIR NEW_DIR',
  details: 'Rows are matched by scenario, platform, path and operation; rows on one side only are listed, not failed. A ratio equal to the threshold passes.',
  flags: {
    percentile: { type: 'string', value: 'P', description: `percentile to compare (${PERCENTILES.join(', ')})`, default: 'p99' },
    threshold: { type: 'string', value: 'RATIO', description: 'largest new/base ratio that passes', default: '1.25' },
  },
  allowPositionals: 2,
  async run(flags, positionals) {
    const [baseDir, newDir] = positionals;
    if (baseDir === undefined || newDir === undefined) throw new UsageError('bench compare: expected BASE_DIR NEW_DIR');
    if (!(PERCENTILES as readonly string[]).includes(flags.percentile)) throw new UsageError(`--percentile: expected one of ${PERCENTILES.join(', ')}, got ${JSON.stringify(flags.percentile)}`);
    const threshold = Number(flags.threshold);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(flags.threshold) || !(threshold > 0)) throw new UsageError(`--threshold: expected a positive number, got ${JSON.stringify(flags.threshold)}`);
    const comparison = compareSummaries(readSummary(baseDir), readSummary(newDir), { percentile: flags.percentile as Percentile, threshold });
    process.stdout.write(`${formatComparison(comparison)}\n`);
    return comparison.failed ? 1 : 0;
  },
});
