// `seb fuzz`: generate certificates and requests, valid and mutated, run
// them through the predicates (and, with --against, through another
// verifier), and report every counterexample, shrunk and saved as a
// replayable case, with coverage per predicate and reason in fuzz.csv.
// The harness is loaded only when the command runs.
import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../broker/core/errors.js';
import { defineCommand, intFlag } from '../../broker/cli/command.js';

export const fuzz = defineCommand({
  words: ['fuzz'],
  summary: 'Fuzz the certificate predicates, in process or against another verifier; exit 0 nothing found, 1 found, 2 usage.',
  details: [
    'Cases are valid certificates and requests, and mutations of them, each with the decision an oracle expects',
    'from the model. Every counterexample is shrunk and saved under --out as a case folder (see',
    'scenarios/fuzz-corpus/README.md); --replay re-runs saved cases. With --against, COMMAND must speak the',
    '`seb verify` contract, e.g. --against "node bin/seb.js verify". fuzz.csv counts, per predicate and reason,',
    'the cases expected to end there, the cases that reached the check, and the cases it decided.',
  ].join('\n'),
  flags: {
    seconds: { type: 'string', value: 'N', description: 'stop after N seconds (60 when --runs is not given either)' },
    runs: { type: 'string', value: 'N', description: 'stop after N cases' },
    seed: { type: 'string', value: 'S', description: '32-bit seed; random when not given, printed either way' },
    out: { type: 'string', value: 'DIR', description: 'counterexamples, fuzz.csv and meta.json (default results/fuzz-<timestamp>)' },
    against: { type: 'string', value: 'COMMAND', description: 'differential mode: also run this verifier on every case' },
    replay: { type: 'string', value: 'DIR', description: 're-run a saved case, or a folder of them, instead of fuzzing' },
    only: { type: 'string', value: 'LIST', description: 'focus on these mutations: comma-separated slot or slot.name' },
    jobs: { type: 'string', value: 'N', description: 'verifier processes side by side with --against', default: String(Math.min(8, availableParallelism())) },
  },
  async run(flags) {
    const session = await import('../fuzz/session.js');
    const log = (line: string) => process.stdout.write(`${line}\n`);
    const jobs = intFlag('jobs', flags.jobs, { min: 1 }) ?? 1;
    if (flags.replay !== undefined) return session.replaySession(flags.replay, flags.against, jobs, log);
    const runs = intFlag('runs', flags.runs, { min: 1 });
    const seconds = intFlag('seconds', flags.seconds, { min: 1 }) ?? (runs === undefined ? 60 : undefined);
    const seed = intFlag('seed', flags.seed) ?? randomInt(2 ** 31);
    if (seed < -(2 ** 31) || seed >= 2 ** 31) throw new UsageError(`--seed: expected a 32-bit integer, got ${seed}`);
    const { newRunId } = await import('../run-dir.js');
    return session.fuzzSession({
      seed,
      ...(seconds === undefined ? {} : { seconds }),
      ...(runs === undefined ? {} : { runs }),
      out: flags.out ?? join('results', `fuzz-${newRunId()}`),
      ...(flags.against === undefined ? {} : { against: flags.against }),
      ...(flags.only === undefined ? {} : { only: flags.only.split(',').map((s) => s.trim()).filter(Boolean) }),
      jobs,
      log,
    });
  },
});
