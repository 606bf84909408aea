import { UsageError } from '../../broker/core/errors.js';
import { compareSummaries, formatComparison, PERCENTILES, readSummary, type Percentile } from '../compare.js';
import { compareRunRatios, formatRatioComparison } from '../compare-ratios.js';
import { defineCommand } from '../../broker/cli/command.js';

const DEFAULT_THRESHOLD = { percentile: '1.25', ratios: '1.5' } as const;

export const benchCompare = defineCommand({
  words: ['bench', 'compare'],
  summary: "Compare two runs: each row's percentile by ratio, or with --ratios what SEB costs relative to direct; exit 1 when it got worse than the threshold.",
  usage: 'BASE_DIR NEW_DIR',
  details:
    'Without --ratios: summary.csv rows are matched by scenario, platform, path and operation; rows on one side only are listed, not failed; a ratio equal to the threshold passes. ' +
    'With --ratios (the CI gate): per platform, SEB p50 / direct p50, SEB CPU per mutation / direct, and direct / SEB sustained throughput, each measured within one run, ' +
    'fail when the new ratio exceeds 1 + threshold x (base ratio - 1), or when the baseline has a ratio the new run lacks.',
  flags: {
    ratios: { type: 'boolean', description: 'compare the SEB/direct ratios of each run instead of absolute percentiles' },
    percentile: { type: 'string', value: 'P', description: `percentile to compare (${PERCENTILES.join(', ')})`, default: 'p99' },
    threshold: { type: 'string', value: 'RATIO', description: `largest new/base ratio that passes (default ${DEFAULT_THRESHOLD.percentile}; with --ratios, the factor on what SEB adds, default ${DEFAULT_THRESHOLD.ratios})` },
  },
  allowPositionals: 2,
  async run(flags, positionals) {
    const [baseDir, newDir] = positionals;
    if (baseDir === undefined || newDir === undefined) throw new UsageError('bench compare: expected BASE_DIR NEW_DIR');
    const text = flags.threshold ?? (flags.ratios ? DEFAULT_THRESHOLD.ratios : DEFAULT_THRESHOLD.percentile);
    const threshold = Number(text);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(text) || !(threshold > 0)) throw new UsageError(`--threshold: expected a positive number, got ${JSON.stringify(text)}`);
    if (flags.ratios) {
      const comparison = compareRunRatios(baseDir, newDir, threshold);
      process.stdout.write(`${formatRatioComparison(comparison)}\n`);
      return comparison.failed ? 1 : 0;
    }
    if (!(PERCENTILES as readonly string[]).includes(flags.percentile)) throw new UsageError(`--percentile: expected one of ${PERCENTILES.join(', ')}, got ${JSON.stringify(flags.percentile)}`);
    const comparison = compareSummaries(readSummary(baseDir), readSummary(newDir), { percentile: flags.percentile as Percentile, threshold });
    process.stdout.write(`${formatComparison(comparison)}\n`);
    return comparison.failed ? 1 : 0;
  },
});
