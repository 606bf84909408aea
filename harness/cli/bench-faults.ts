// `seb bench faults`: the fault matrix on the local target with three brokers
// on one etcd cluster. Exit 1 on any docs/design.md section 4 violation; the run
// folder then keeps every log and record log.
import { resolve } from 'node:path';
import { FAULTS_SCENARIO, runFaults, type FaultsResult } from '../bench/faults.js';
import { loadFleetScenarioFile } from '../scenario/load.js';
import { defineCommand } from '../../broker/cli/command.js';

export const benchFaults = defineCommand({
  words: ['bench', 'faults'],
  summary: 'The fault matrix: network (toxiproxy), process kills, clock skew, record log and revocation source outages, certificate storms; then validate.',
  details:
    'Runs a faults scenario (--scenario, YAML: brokers, staleness bound, hold, fault events in order). Starts kube-apiserver, a 3-member etcd cluster, toxiproxy and the brokers behind it; injects each fault at a recorded instant between health checks, ' +
    'with replayed and tampered certificates in a storm; reconciles every broker and checks the history, record logs and live state against docs/design.md section 4. ' +
    'Writes results/<run-id>/faults.csv, attempts.csv, events.csv, violations.json, meta.json. --quick: the quick list of the scenario (8 faults in scenarios/faults/matrix.yaml).',
  flags: {
    quick: { type: 'boolean', description: "the scenario's quick matrix" },
    scenario: { type: 'string', value: 'FILE', description: 'a faults scenario (YAML)', default: FAULTS_SCENARIO },
    results: { type: 'string', value: 'DIR', description: 'results root', default: 'results' },
  },
  async run(flags) {
    const loaded = loadFleetScenarioFile(resolve(flags.scenario), flags.quick ? 'quick' : 'full');
    return printFaults(await runFaults({ scenario: loaded.scenario, scenarioFile: loaded.file, quick: flags.quick, resultsRoot: resolve(flags.results), log: (line) => process.stderr.write(`[seb] ${line}\n`) }));
  },
});

/** One line per fault and the violations; the exit code (1: a violation). */
export function printFaults(r: FaultsResult): number {
  const steps = r.rows.filter((row) => row.phase === 'during');
  for (const w of r.windows) if (w.expected !== null && w.expectedSeen === 0) process.stderr.write(`seb: warning: ${w.fault} on ${w.target} never produced ${w.expected}\n`);
  for (const s of steps) {
    process.stdout.write(`${String(s.fault).padEnd(28)} ${String(s.target).padEnd(34)} during: ${s.requests} requests, ${s.executed} executed, ${s.denied} denied; recovery ${s.recovery_ms} ms\n`);
  }
  process.stdout.write(`violations: ${r.violations.length} over ${steps.length} faults; results in ${r.run.path}; took ${(r.totalMs / 1000).toFixed(0)} s\n`);
  for (const v of r.violations.slice(0, 20)) process.stderr.write(`seb: VIOLATION ${v.type} ${v.broker ?? ''} ${v.jti ?? ''}: ${v.detail}\n`);
  return r.violations.length === 0 ? 0 : 1;
}
