// One `seb fuzz` session as a user sees it: a start line with the seed, a
// progress line every few seconds, each counterexample saved and printed
// with its seed, then the coverage table, fuzz.csv and meta.json. Also the
// replay of saved cases. harness/cli/fuzz.ts loads this lazily, so other
// commands do not pay for fast-check.
import fc from 'fast-check';
import { join } from 'node:path';
import { UsageError } from '../../broker/core/errors.js';
import { OFFLINE_REASONS } from '../../broker/core/reasons.js';
import { writeFileAtomic } from '../../broker/files.js';
import { gitCommit, machineInfo } from '../run-dir.js';
import { fuzzInput, mutationNames } from './arbitraries.js';
import { showOutcome } from './case.js';
import { writeCase } from './corpus.js';
import { checkAgainst, parseCommand, runVerifier } from './differential.js';
import { checkInProcess } from './execute.js';
import { buildCase } from './oracle.js';
import { replayCases, replayTable } from './replay.js';
import { runFuzz, type Counterexample } from './run.js';

export interface SessionOptions {
  readonly seed: number;
  readonly seconds?: number;
  readonly runs?: number;
  readonly out: string;
  /** The --against command line, as given. */
  readonly against?: string;
  readonly jobs: number;
  readonly only?: readonly string[];
  readonly log: (line: string) => void;
}

/** Exit code: 0 nothing found, 1 a counterexample or disagreement. */
export async function fuzzSession(o: SessionOptions): Promise<number> {
  const against = o.against === undefined ? undefined : parseCommand(o.against);
  const known = mutationNames();
  const unknown = o.only?.find((name) => !known.some((k) => k === name || k.startsWith(`${name}.`)));
  if (unknown !== undefined) throw new UsageError(`--only: no mutation or slot ${JSON.stringify(unknown)} (see harness/fuzz/mutations/)`);
  const limits = [o.seconds === undefined ? '' : `${o.seconds} s`, o.runs === undefined ? '' : `${o.runs} cases`].filter(Boolean).join(' or ');
  o.log(`seb fuzz: seed ${o.seed}; ${against ? `differential against ${o.against} (${o.jobs} jobs)` : 'in process'}; up to ${limits}; output ${o.out}`);
  if (against) await preflight(against, o.seed);

  const startedAt = new Date().toISOString();
  let saved = 0;
  const summary = await runFuzz({
    seed: o.seed,
    ...(o.seconds === undefined ? {} : { seconds: o.seconds }),
    ...(o.runs === undefined ? {} : { runs: o.runs }),
    ...(o.only === undefined ? {} : { only: o.only }),
    cli: against !== undefined,
    concurrency: against ? o.jobs : 1,
    ...(against ? { shrinkBudgetMs: 30_000 } : {}),
    check: against ? (c) => checkAgainst(against, c) : checkInProcess,
    log: o.log,
    onCounterexample: (cx) => save(o, cx, ++saved),
  });

  const { coverage, counterexamples } = summary;
  writeFileAtomic(join(o.out, 'fuzz.csv'), coverage.toCsv());
  const meta = {
    command: 'seb fuzz',
    seed: o.seed,
    mode: against ? 'differential' : 'in-process',
    ...(o.against === undefined ? {} : { against: o.against }),
    ...(o.only === undefined ? {} : { only: o.only }),
    limits: { seconds: o.seconds ?? null, runs: o.runs ?? null },
    startedAt,
    elapsedMs: Math.round(summary.elapsedMs),
    cases: coverage.cases,
    rounds: summary.rounds,
    counterexamples: counterexamples.length,
    uncovered: coverage.uncovered(),
    commit: gitCommit(),
    machine: machineInfo(),
  };
  writeFileAtomic(join(o.out, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  o.log('');
  o.log(coverage.table());
  o.log('');
  const rate = (coverage.cases / (summary.elapsedMs / 1000)).toFixed(1);
  const more = summary.duplicates ? ` (+${summary.duplicates} more of the same kind)` : '';
  o.log(`${coverage.cases} cases in ${(summary.elapsedMs / 1000).toFixed(1)} s (${rate}/s); ${counterexamples.length} counterexamples${more}; seed ${o.seed}`);
  const missing = coverage.uncovered();
  o.log(missing.length === 0 ? `every offline reason decided at least once (${OFFLINE_REASONS.length} of ${OFFLINE_REASONS.length})` : `not decided by any case: ${missing.join(', ')}`);
  o.log(`wrote ${join(o.out, 'fuzz.csv')}`);
  if (counterexamples.length > 0) o.log(`replay: seb fuzz --replay ${o.out}${o.against ? ` --against '${o.against}'` : ''}`);
  return counterexamples.length === 0 ? 0 : 1;
}

/** Exit code: 0 every case decided as expected (by ours and, with --against, by theirs), else 1. */
export async function replaySession(root: string, againstLine: string | undefined, jobs: number, log: (line: string) => void): Promise<number> {
  const against = againstLine === undefined ? undefined : parseCommand(againstLine);
  log(`seb fuzz: replaying ${root}${against ? ` in process and through ${againstLine}` : ' in process'}`);
  const rows = await replayCases(root, against, jobs);
  log(replayTable(rows, against !== undefined));
  const bad = rows.filter((r) => !r.ok).length;
  log(`${rows.length} cases: ${rows.length - bad} as expected, ${bad} not`);
  return bad === 0 ? 0 : 1;
}

function save(o: SessionOptions, cx: Counterexample, n: number): void {
  const finding = cx.result.findings[0];
  const actual = finding?.actual ?? cx.result.theirs ?? cx.result.decision;
  const index = String(n).padStart(4, '0');
  const name = `${index}-${finding?.kind ?? 'finding'}-${cx.fuzzCase.expected.reason ?? 'allow'}-got-${actual.reason ?? actual.decision}`;
  const found = {
    seed: o.seed,
    round: cx.round,
    roundSeed: cx.roundSeed,
    path: cx.path,
    shrunk: cx.shrunk,
    findings: cx.result.findings.map((f) => `${f.kind}: ${f.detail}`),
    ...(o.against === undefined ? {} : { against: o.against }),
  };
  const dir = join(o.out, name);
  writeCase(dir, cx.fuzzCase, { name, found, actual });
  const tags = cx.fuzzCase.tags.map((t) => t.tag).join(', ') || 'no mutation';
  o.log(`counterexample ${index}: ${finding?.kind ?? ''}: ${finding?.detail ?? ''}`);
  o.log(`  mutations: ${tags}; expected ${showOutcome(cx.fuzzCase.expected)}`);
  o.log(`  seed ${o.seed}, round ${cx.round} (fast-check seed ${cx.roundSeed}, path ${cx.path}); saved ${dir}`);
}

/** The verifier must answer a plain case in the contract's terms before the run starts. */
async function preflight(command: readonly string[], seed: number): Promise<void> {
  const [input] = fc.sample(fuzzInput({ cli: true }), { seed, numRuns: 1 });
  if (input === undefined) return;
  const run = await runVerifier(command, buildCase(input));
  if (run.decision === undefined) {
    const stderr = run.stderr ? `; stderr: ${run.stderr.trim().split('\n')[0]}` : '';
    throw new UsageError(`--against: the command does not speak the seb verify contract: ${run.problem ?? 'no decision'}${stderr}`);
  }
}
