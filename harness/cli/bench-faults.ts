// `seb bench faults`: the fault matrix on the local target with three brokers
// on one etcd cluster. Exit 1 on any docs/design.md section 4 violation; the run
// folder then keeps every log and record log.
import { resolve } from 'node:path';
import { runFaults, type FaultsResult } from '../bench/faults.js';
import { defineCommand } from '../../broker/cli/command.js';

export const benchFaults = defineCommand({
  words: ['bench', 'faults'],
  summary: 'The fault matrix: network (toxiproxy), process kills, clock skew, record log and revocation source outages, certificate storms; then validate.',
  details:
    'Starts kube-apiserver, a 3-member etcd cluster, toxiproxy and 3 `seb serve` brokers behind it; injects each fault at a recorded instant between health checks, ' +
    'with replayed and tampered certificates in a storm; reconciles every broker and checks the history, record logs and live state against docs/design.md section 4. ' +
    'Writes results/<run-id>/faults.csv, attempts.csv, violations.json, meta.json. --quick: 8 faults.',
  flags: {
    quick: { type: 'boolean', description: 'a smaller matrix' },
    results: { type: 'string', value: 'DIR', description: 'results root', default: 'results' },
  },
  async run(flags) {
    return printFaults(await runFaults({ quick: flags.quick, resultsRoot: resolve(flags.results), log: (line) => process.stderr.write(`[seb] ${line}\n`) }));
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
