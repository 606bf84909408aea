// `seb bench all`: the main job as one run: the paper's scenarios, revocation
// propagation and the fault matrix in one results/<run-id>/ with one
// violations.json and one meta.json, so one `seb report` draws every figure.
// Every part runs whatever an earlier one found; then exit 1 on any violation
// in any part, naming them (or a replay storm that executed twice, or a
// broker that never saw a revocation); 130 when interrupted.
import { join, resolve } from 'node:path';
import { runAll } from '../bench/all.js';
import { loadScenarioDir } from '../bench/paper.js';
import { interruptOnSigint } from '../run/interrupt.js';
import { validationLine } from '../validate/run-validation.js';
import { FAULTS_SCENARIO } from '../bench/faults.js';
import { REVOCATION_SCENARIO } from '../bench/revocation.js';
import { loadFleetScenarioFile } from '../scenario/load.js';
import { defineCommand } from '../../broker/cli/command.js';
import { printFaults } from './bench-faults.js';
import { printPaper } from './bench-paper.js';
import { brokersFlag, printRevocation } from './bench-revocation.js';

export const benchAll = defineCommand({
  words: ['bench', 'all'],
  summary: "The main job as one run: the paper's scenarios, revocation propagation and the fault matrix on the local target, into one results folder.",
  details:
    'Runs `seb bench paper` (local target), `seb bench revocation` and `seb bench faults` one after the other, each starting and stopping its own platforms, ' +
    'all writing into one results/<run-id>/: the paper CSVs, revocation.csv, faults.csv, revocation-attempts.csv, faults-attempts.csv, revocation-events.csv, faults-events.csv, ' +
    'one violations.json (every part validated, merged, with what each part found) and one meta.json. About 15 minutes on two cores; --quick in about 5.',
  flags: {
    quick: { type: 'boolean', description: "each part's quick profile" },
    scenarios: { type: 'string', value: 'DIR', description: "folder of the paper's scenario YAML files", default: 'scenarios/paper' },
    revocation: { type: 'string', value: 'FILE', description: 'the revocation scenario (YAML)', default: REVOCATION_SCENARIO },
    faults: { type: 'string', value: 'FILE', description: 'the faults scenario (YAML)', default: FAULTS_SCENARIO },
    brokers: { type: 'string', value: 'N', description: "brokers sharing the cluster in the revocation part (default its scenario's)" },
    results: { type: 'string', value: 'DIR', description: 'results root', default: 'results' },
  },
  async run(flags) {
    const brokers = brokersFlag(flags.brokers);
    const profile = flags.quick ? 'quick' : 'full';
    // Every scenario file is checked before anything starts: a broken one fails at once, not after the paper's part.
    const scenarios = loadScenarioDir(resolve(flags.scenarios), profile);
    const revocation = loadFleetScenarioFile(resolve(flags.revocation), profile);
    const faults = loadFleetScenarioFile(resolve(flags.faults), profile);
    const resultsRoot = resolve(flags.results);
    process.stderr.write(`[seb] bench all (${profile}): paper (${scenarios.map((s) => s.scenario.name).join(', ')}), ${revocation.scenario.name}, ${faults.scenario.name}\n`);
    const interrupt = interruptOnSigint();
    try {
      let r;
      try {
        r = await runAll({ profile, scenarios: scenarios.map((s) => s.file), revocation, faults, resultsRoot, ...(brokers === undefined ? {} : { brokers }), signal: interrupt.signal, log: (line) => process.stderr.write(`[seb] ${line}\n`) });
      } catch (error) {
        if (!interrupt.signal.aborted) throw error;
        process.stderr.write(`seb: interrupted (then: ${(error as Error).message.split('\n')[0]}); what was measured is in ${join(resultsRoot, 'latest')}\n`);
        return 130;
      }
      const codes = [printPaper(r.paper, scenarios.length)];
      if (r.revocation !== undefined) codes.push(printRevocation(r.revocation));
      if (r.faults !== undefined) codes.push(printFaults(r.faults));
      process.stdout.write(`\nall parts: ${validationLine(r.validation)}; results in ${r.run.path}; took ${(r.totalMs / 1000).toFixed(0)} s\n`);
      if (r.violations !== undefined) process.stderr.write(`seb: bench all: violations found (${r.violations}); see ${join(r.run.path, 'violations.json')}\n`);
      if (interrupt.signal.aborted) return 130;
      return r.validation.violations.length > 0 || codes.some((c) => c !== 0) ? 1 : 0;
    } finally {
      interrupt.dispose();
    }
  },
});
