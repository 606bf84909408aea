// `seb bench paper`: the main job. The paper's scenarios on the local target
// (or a running one), the broker as a separate `seb serve` process, then the
// table beside the paper's figures, and the validator's line. Exit 1 when the
// validator finds a section-4 violation in the platform's records or the
// record log, or a replay storm executed a certificate twice; 130 when
// interrupted (what was measured is written).
import { join, resolve } from 'node:path';
import { loadScenarioDir, runPaper, type PaperResult, type TargetChoice } from '../bench/paper.js';
import { CONTAINER_TARGET_NAMES, type ContainerTargetName } from '../targets/containers/containers.js';
import { formatBenchTable } from '../bench/table.js';
import { interruptOnSigint } from '../run/interrupt.js';
import { validationLine } from '../validate/run-validation.js';
import { UsageError } from '../../broker/core/errors.js';
import { KUBERNETES_MODE_FLAG, kubernetesModeOf } from './kubernetes-mode-flag.js';
import { defineCommand } from '../../broker/cli/command.js';

export const benchPaper = defineCommand({
  words: ['bench', 'paper'],
  summary: "Run the paper's scenarios (latency, throughput sweep, drift, replay storm) against a real target; print our numbers beside the paper's.",
  details:
    'Starts the local target (kube-apiserver + etcd, moto), a workspace and `seb serve` as a separate process, runs every scenario in --scenarios, ' +
    'writes results/<run-id>/ (requests, summary, drift, sweep, storm, events CSVs and meta.json), stops everything, and prints the table. ' +
    'About 10 minutes on two cores; --quick in under 2. --target FILE uses a running target described by its target.json ' +
    '(as `seb target up` writes it; an external cluster or AWS account needs the same identities and resources). ' +
    '--target external takes the file from --target-file. --target localstack runs LocalStack as a plain process for the AWS side (its kinds only; IAM not enforced). kind, k3s and localstack-container need a Docker engine.',
  flags: {
    quick: { type: 'boolean', description: "each scenario's quick profile (the whole set in under 2 minutes)" },
    target: { type: 'string', value: 'local|localstack|external|kind|k3s|localstack-container|FILE', description: 'what to measure', default: 'local' },
    'target-file': { type: 'string', value: 'FILE', description: 'target.json of an external target (with --target external)' },
    scenarios: { type: 'string', value: 'DIR', description: 'folder of scenario YAML files', default: 'scenarios/paper' },
    results: { type: 'string', value: 'DIR', description: 'results root', default: 'results' },
    'kubernetes-mode': KUBERNETES_MODE_FLAG,
  },
  async run(flags) {
    const kubernetesMode = kubernetesModeOf(flags['kubernetes-mode']);
    const target = targetChoice(flags.target, flags['target-file']);
    const profile = flags.quick ? 'quick' : 'full';
    const scenarios = loadScenarioDir(resolve(flags.scenarios), profile);
    process.stderr.write(`[seb] bench paper (${profile}): ${scenarios.map((s) => s.scenario.name).join(', ')}\n`);
    const interrupt = interruptOnSigint();
    try {
      let result;
      try {
        result = await runPaper({ profile, target, scenarios: scenarios.map((s) => s.file), resultsRoot: resolve(flags.results), kubernetesMode, signal: interrupt.signal });
      } catch (error) {
        // What fails after a Ctrl-C is the interruption's doing (the run was cut short), not a fault to report.
        if (!interrupt.signal.aborted) throw error;
        process.stderr.write(`seb: interrupted (then: ${(error as Error).message.split('\n')[0]}); what was measured is in ${join(resolve(flags.results), 'latest')}\n`);
        return 130;
      }
      return printPaper(result, scenarios.length);
    } finally {
      interrupt.dispose();
    }
  },
});

/** The table, the validator's line and the timings; the exit code (1: a replay storm executed twice; 130: interrupted). */
export function printPaper({ report, table, timings }: PaperResult, scenarios: number): number {
  process.stdout.write(formatBenchTable(table));
  if (report.validation !== undefined) process.stdout.write(`${validationLine(report.validation)}\n`);
  const s = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
  process.stdout.write(
    `\nresults in ${report.run.path} (${report.aborted ? 'interrupted; ' : ''}${report.completed.length} of ${scenarios} scenarios); ` +
      `took ${s(timings.totalMs)}: target ${s(timings.targetMs)}, broker ${s(timings.brokerMs)}, scenarios ${s(timings.runMs)}\n`,
  );
  if (report.stormViolations > 0) {
    process.stderr.write(`seb: replay storm: ${report.stormViolations} certificate(s) executed more than once\n`);
    return 1;
  }
  return report.aborted ? 130 : 0;
}

function targetChoice(target: string, file: string | undefined): TargetChoice {
  // A container target without a Docker engine is refused when it starts, with the reason.
  if ((CONTAINER_TARGET_NAMES as readonly string[]).includes(target)) return { kind: 'container', name: target as ContainerTargetName };
  if (target === 'external') {
    if (file === undefined) throw new UsageError('--target external: give its target.json with --target-file FILE (format: harness/targets/target-info.ts)');
    return { kind: 'file', file };
  }
  if (file !== undefined) throw new UsageError('--target-file goes with --target external');
  if (target === 'local' || target === 'localstack') return { kind: target };
  return { kind: 'file', file: target };
}
