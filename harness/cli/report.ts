import { UsageError } from '../../broker/core/errors.js';
import { PERCENTILES, type Percentile } from '../compare.js';
import { buildCompareReport, buildReport, type ReportResult } from '../report/build.js';
import { defineCommand } from '../../broker/cli/command.js';

export const report = defineCommand({
  words: ['report'],
  summary: "Draw a run's figures as SVG and PNG next to its CSVs, and one self-contained report.html.",
  usage: '[RUN_DIR] | --compare BASE_DIR NEW_DIR',
  details:
    'RUN_DIR defaults to results/latest. Each figure is drawn only when its CSV has rows. With --compare, both runs share the figures (base solid, new dashed) and rows of summary.csv whose new/base ratio passes the threshold are marked, as `seb bench compare` judges them; the output goes to NEW_DIR/compare unless --out says otherwise.',
  flags: {
    compare: { type: 'boolean', description: 'overlay two runs: BASE_DIR NEW_DIR' },
    out: { type: 'string', value: 'DIR', description: 'where to write report.html and the figures (default: the run folder)' },
    percentile: { type: 'string', value: 'P', description: `with --compare: percentile to compare (${PERCENTILES.join(', ')})`, default: 'p99' },
    threshold: { type: 'string', value: 'RATIO', description: 'with --compare: largest new/base ratio that passes', default: '1.25' },
  },
  allowPositionals: 2,
  async run(flags, positionals) {
    let result: ReportResult;
    if (flags.compare) {
      const [baseDir, newDir] = positionals;
      if (baseDir === undefined || newDir === undefined) throw new UsageError('report --compare: expected BASE_DIR NEW_DIR');
      if (!(PERCENTILES as readonly string[]).includes(flags.percentile)) throw new UsageError(`--percentile: expected one of ${PERCENTILES.join(', ')}, got ${JSON.stringify(flags.percentile)}`);
      const threshold = Number(flags.threshold);
      if (!/^[0-9]+(\.[0-9]+)?$/.test(flags.threshold) || !(threshold > 0)) throw new UsageError(`--threshold: expected a positive number, got ${JSON.stringify(flags.threshold)}`);
      result = await buildCompareReport(baseDir, newDir, { percentile: flags.percentile as Percentile, threshold, ...(flags.out === undefined ? {} : { outDir: flags.out }) });
    } else {
      if (positionals.length > 1) throw new UsageError('report: expected at most one RUN_DIR (use --compare for two)');
      result = await buildReport(positionals[0] ?? 'results/latest', flags.out === undefined ? {} : { outDir: flags.out });
    }
    process.stdout.write(`figures: ${result.figures.length === 0 ? 'none' : result.figures.join(', ')}\n`);
    for (const s of result.skipped) process.stdout.write(`not drawn: ${s.title} (${s.why})\n`);
    if (result.comparison !== undefined) {
      const c = result.comparison;
      process.stdout.write(c.failed ? `worse: ${c.worse} row(s) over ${c.threshold}x at ${c.percentile}\n` : `no row worse than ${c.threshold}x at ${c.percentile}\n`);
    }
    process.stdout.write(`wrote ${result.html}\n`);
    return 0;
  },
});
