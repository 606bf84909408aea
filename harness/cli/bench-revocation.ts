// `seb bench revocation`: revocation propagation across N brokers on one etcd
// cluster, under load, on the local target. Prints p50/p99/max propagation;
// exit 1 when a broker never denied, or any docs/design.md section 4 violation
// (an acceptance past the staleness bound among them) was found.
import { resolve } from 'node:path';
import { REVOCATION_SCENARIO, runRevocation, type RevocationResult } from '../bench/revocation.js';
import { loadFleetScenarioFile } from '../scenario/load.js';
import { defineCommand } from '../../broker/cli/command.js';
import { wholeNumberFlag } from './whole-number-flag.js';

export const benchRevocation = defineCommand({
  words: ['bench', 'revocation'],
  summary: 'Revocation propagation under load across N brokers sharing etcd: per broker, time to first denial and acceptances after the bound.',
  details:
    'Runs a revocation scenario (--scenario, YAML: brokers, staleness bound, load, revoke events). Starts kube-apiserver, a 3-member etcd cluster, toxiproxy and N `seb serve` brokers; sends outstanding certificates (configmap-data executions) and /v1/verify probes; ' +
    'revokes by jti and by a floor raise at recorded instants; writes results/<run-id>/revocation.csv, attempts.csv, events.csv, violations.json, meta.json. --quick: one round, about a minute.',
  flags: {
    quick: { type: 'boolean', description: 'one round of each event' },
    scenario: { type: 'string', value: 'FILE', description: 'a revocation scenario (YAML)', default: REVOCATION_SCENARIO },
    brokers: { type: 'string', value: 'N', description: "brokers sharing the cluster (default the scenario's)" },
    results: { type: 'string', value: 'DIR', description: 'results root', default: 'results' },
  },
  async run(flags) {
    const brokers = brokersFlag(flags.brokers);
    const loaded = loadFleetScenarioFile(resolve(flags.scenario), flags.quick ? 'quick' : 'full');
    return printRevocation(
      await runRevocation({ scenario: loaded.scenario, scenarioFile: loaded.file, quick: flags.quick, ...(brokers === undefined ? {} : { brokers }), resultsRoot: resolve(flags.results), log: (line) => process.stderr.write(`[seb] ${line}\n`) }),
    );
  },
});

/** --brokers N (1 to 16), or undefined for the scenario's. */
export function brokersFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return wholeNumberFlag('--brokers', value, 1, 16);
}

/** Propagation, acceptances and violations; the exit code (1: a violation, or a broker that never denied). */
export function printRevocation(r: RevocationResult): number {
  const { p50, p99, max, count } = r.propagation;
  const accepted = r.rows.reduce((n, row) => n + Number(row.accepted_after_revoke), 0);
  process.stdout.write(
    `revocation propagation over ${count} broker-events: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms\n` +
      `accepted after the bound: ${accepted}; accepted within the bound: ${r.acceptedInWindow}; violations: ${r.violations.length}\n` +
      `results in ${r.run.path}; took ${(r.totalMs / 1000).toFixed(0)} s\n`,
  );
  for (const v of r.violations.slice(0, 20)) process.stderr.write(`seb: violation ${v.type} ${v.broker ?? ''} ${v.jti ?? ''}: ${v.detail}\n`);
  if (count < r.rows.length) process.stderr.write(`seb: ${r.rows.length - count} broker-event(s) saw no denial\n`);
  return r.violations.length === 0 && count === r.rows.length ? 0 : 1;
}
