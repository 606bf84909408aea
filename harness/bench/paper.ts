// The main job: the paper's scenarios on a real target. Start the local
// target (or take a running one from its target.json), write a workspace
// (SAB and broker keys, broker.yaml), start `seb serve` as a separate
// process, run the scenarios through the runner with the seven mutation
// kinds, and read the table beside the paper's figures back from the CSVs.
// Whatever happens (the last scenario, Ctrl-C, a failure), the broker and
// the target are stopped before this returns or throws.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../broker/core/errors.js';
import { isJsonObject } from '../../broker/core/strict-json.js';
import { readJsonFile } from '../../broker/files.js';
import { runScenarios, type RunReport } from '../runner.js';
import type { ProgressSink } from '../run/progress.js';
import { loadScenarioFile, type LoadedScenario, type Profile } from '../scenario/load.js';
import type { ScenarioKind } from '../scenario/schema.js';
import { readTargetFile } from '../../broker/platforms/from-target.js';
import { RESOURCES } from '../targets/local/aws-bootstrap.js';
import { startLocalTarget, type LocalTarget } from '../targets/local/local-target.js';
import { platformOf, startContainerTarget, type ContainerTargetName } from '../targets/containers/containers.js';
import { LOCALSTACK_BYPASS_NOT_APPLICABLE, LOCALSTACK_KINDS, startLocalStackTarget } from '../targets/localstack/localstack.js';
import { DEFAULT_KUBERNETES_MODE, LOCAL_AUDIENCE, LOCAL_ISSUER, writeWorkspace } from '../targets/local/workspace.js';
import type { ExecutorMode } from '../../broker/platforms/kubernetes/executor.js';
import type { TargetInfo } from '../../broker/platforms/target-info.js';
import { BrokerClient } from '../workload/broker-client.js';
import { AWS_NOT_COUNTED, awsKinds } from '../workload/kinds/aws.js';
import { kubernetesKinds, type KubernetesKindContext } from '../workload/kinds/kubernetes.js';
import { poolSizeFor } from '../workload/kinds/shared.js';
import { kindContexts } from '../workload/kinds/contexts.js';
import { MUTATION_KIND_NAMES, mutationRegistry, type MutationKind, type MutationKindName } from '../workload/mutation.js';
import { mutationWorkload, sabCertifier } from '../workload/mutation-workload.js';
import type { WorkloadFactory } from '../workload/workload.js';
import type { WatchedProcess } from '../metrics/cpu.js';
import { apiserverRequestCounter, LogRequestCounter, readableCounters, werkzeugRequestOf, type RequestCounter } from '../metrics/platform-requests.js';
import { KUBERNETES_COVERAGE, readKubernetesEvidence } from '../validate/kubernetes-audit.js';
import { mergeEvidence, type PlatformEvidence } from '../validate/platform-writes.js';
import { readRecordLog } from '../validate/record-logs.js';
import type { ValidationSources } from '../validate/run-validation.js';
import { startBrokerProcess } from './broker-process.js';
import { scrapeCachedReads } from './cached-reads.js';
import { benchEventHandler, LiveWorkloads } from './events.js';
import { benchTable, type BenchTable } from './table.js';

/**
 * `local`: started here and stopped at the end; `localstack`: the local
 * Kubernetes with LocalStack (a plain process) as the AWS side; `container`:
 * k3s or kind (Kubernetes) or LocalStack (AWS) in Docker, the other platform
 * local; `file`: a running target described by its target.json.
 */
export type TargetChoice =
  | { readonly kind: 'local' }
  | { readonly kind: 'localstack' }
  | { readonly kind: 'container'; readonly name: ContainerTargetName }
  | { readonly kind: 'file'; readonly file: string };

export interface PaperOptions {
  readonly profile: Profile;
  readonly target: TargetChoice;
  /** Scenario files, run in the paper's order (latency, throughput, drift, replay storm). */
  readonly scenarios: readonly string[];
  readonly resultsRoot: string;
  /** A run folder under resultsRoot already made (`seb bench all`: the one run's); default a new one. */
  readonly runId?: string;
  /** The broker's Kubernetes executor mode; default the workspace's. */
  readonly kubernetesMode?: ExecutorMode;
  /** Target processes, workspace and broker log; default a fresh temporary folder, removed after a good run. */
  readonly workDir?: string;
  readonly signal?: AbortSignal;
  /** `report`: a violation is returned in the report, not thrown (`seb bench all` fails once every part has run). */
  readonly onViolations?: 'fail' | 'report';
  readonly progress?: ProgressSink | null;
  /** The bench's own notes (target up, broker up); default stderr. */
  readonly log?: (line: string) => void;
}

export interface PaperResult {
  readonly report: RunReport;
  readonly table: BenchTable;
  readonly timings: { readonly targetMs: number; readonly brokerMs: number; readonly runMs: number; readonly totalMs: number };
}

const KIND_ORDER: readonly ScenarioKind[] = ['latency', 'throughput', 'drift', 'replay-storm'];

/** The YAML files of a folder, each with its scenario, in the paper's order. */
export function loadScenarioDir(dir: string, profile: Profile): LoadedScenario[] {
  if (!existsSync(dir)) throw new ConfigError('--scenarios', `no folder ${dir}`);
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
  if (files.length === 0) throw new ConfigError('--scenarios', `no .yaml files in ${dir}`);
  return orderScenarios(files.map((f) => loadScenarioFile(f, profile)));
}

function orderScenarios(loaded: readonly LoadedScenario[]): LoadedScenario[] {
  return [...loaded].sort((a, b) => KIND_ORDER.indexOf(a.scenario.kind) - KIND_ORDER.indexOf(b.scenario.kind));
}

interface Target {
  readonly info: TargetInfo;
  /** The platform processes this bench started (none for a target from a file). */
  readonly processes: readonly WatchedProcess[];
  /** The mutation kinds the target serves; undefined: all. */
  readonly kinds?: readonly string[];
  /** What the platforms enforce, for meta.json (the bypass check is not applicable where IAM is not enforced). */
  readonly enforcement?: Readonly<Record<string, string>>;
  /** The bucket and table the AWS pools live in (the executor role may write that bucket only). */
  readonly awsNames: { readonly bucket: string; readonly table: string };
  /** kube-apiserver's audit log, where the bench started the target (an external target's is not ours to read). */
  readonly auditLog?: string;
  /** moto's log, one line per request it served, where the bench started moto. */
  readonly motoLog?: string;
  stop(): Promise<void>;
}

/** The local target's platform processes, whose CPU each measured block records. */
function localProcesses(local: LocalTarget): WatchedProcess[] {
  const processes: WatchedProcess[] = [];
  const watch = (name: string, pid: number | undefined, platform: 'kubernetes' | 'aws') => pid !== undefined && processes.push({ name, pid, platform });
  watch('kube-apiserver', local.kubernetes?.processes.apiserver.pid, 'kubernetes');
  watch('etcd', local.kubernetes?.processes.etcd.pid, 'kubernetes');
  watch('moto', local.aws?.pid, 'aws');
  return processes;
}

async function openTarget(choice: TargetChoice, workDir: string, platforms: readonly ('kubernetes' | 'aws')[], log: (line: string) => void): Promise<Target> {
  if (choice.kind === 'local') {
    const local = await startLocalTarget(join(workDir, 'target'), { platforms });
    const names = local.aws?.resources ?? RESOURCES;
    return {
      info: local.info,
      processes: localProcesses(local),
      awsNames: { bucket: names.bucket, table: names.table },
      ...(local.kubernetes === undefined ? {} : { auditLog: local.kubernetes.auditLog }),
      ...(local.aws === undefined ? {} : { motoLog: local.aws.logFile }),
      stop: () => local.stop(),
    };
  }
  if (choice.kind === 'container') {
    const side = platformOf(choice.name);
    const container = await startContainerTarget(choice.name, join(workDir, choice.name), log);
    const others = platforms.filter((p) => p !== side);
    let local;
    try {
      local = others.length === 0 ? undefined : await startLocalTarget(join(workDir, 'target'), { platforms: others });
    } catch (error) {
      await container.stop();
      throw error;
    }
    const names = container.info.aws?.resources ?? local?.aws?.resources ?? RESOURCES;
    return {
      info: { ...local?.info, ...container.info, name: choice.name },
      processes: local === undefined ? [] : localProcesses(local),
      ...(local?.kubernetes === undefined ? {} : { auditLog: local.kubernetes.auditLog }),
      ...(local?.aws === undefined ? {} : { motoLog: local.aws.logFile }),
      awsNames: { bucket: names.bucket, table: names.table ?? '' },
      ...(side === 'aws' ? { kinds: [...MUTATION_KIND_NAMES.kubernetes, ...LOCALSTACK_KINDS], enforcement: { aws_iam: 'not enforced (LocalStack community)', bypass_check: LOCALSTACK_BYPASS_NOT_APPLICABLE } } : {}),
      stop: async () => {
        await Promise.allSettled([container.stop(), local?.stop()]);
      },
    };
  }
  if (choice.kind === 'localstack') {
    const local = await startLocalTarget(join(workDir, 'target'), { platforms: platforms.filter((p) => p === 'kubernetes') });
    let ls;
    try {
      ls = await startLocalStackTarget(join(workDir, 'localstack'));
    } catch (error) {
      await local.stop();
      throw error;
    }
    log(`LocalStack ${ls.version} at ${ls.info.endpoint} (log ${ls.logFile}); AWS kinds it serves: ${LOCALSTACK_KINDS.join(', ')}`);
    return {
      info: { ...local.info, name: 'localstack', aws: ls.info, versions: { ...local.info.versions, localstack: ls.version } },
      processes: localProcesses(local),
      ...(local.kubernetes === undefined ? {} : { auditLog: local.kubernetes.auditLog }),
      awsNames: { bucket: 'seb-target', table: '' },
      kinds: [...MUTATION_KIND_NAMES.kubernetes, ...LOCALSTACK_KINDS],
      enforcement: { aws_iam: 'not enforced (LocalStack community)', bypass_check: LOCALSTACK_BYPASS_NOT_APPLICABLE },
      stop: async () => {
        await Promise.allSettled([ls.stop(), local.stop()]);
      },
    };
  }
  const file = resolve(choice.file);
  const info = readTargetFile(file, log);
  for (const p of platforms) if (info[p] === undefined) throw new ConfigError(file, `the scenarios need ${p}, and this target has none`);
  // Made by `seb target bootstrap` (named in target.json), or by the local target's bootstrap under its names.
  const names = info.aws?.resources ?? RESOURCES;
  return { info, processes: [], awsNames: { bucket: names.bucket, table: names.table ?? '' }, stop: async () => {} };
}

/** The platforms' own request counts: kube-apiserver's through the admin client (any cluster whose admin may GET /metrics), moto's from its log where the bench started it. */
function requestCounters(kubernetes: KubernetesKindContext | undefined, motoLog: string | undefined): RequestCounter[] {
  return [
    ...(kubernetes === undefined ? [] : [apiserverRequestCounter(kubernetes.admin)]),
    ...(motoLog === undefined ? [] : [new LogRequestCounter('aws', motoLog, werkzeugRequestOf)]),
  ];
}

/** The scenarios with only the mutation kinds the target serves; a scenario left with none is skipped. Each omission is logged. */
export function servedBy(loaded: readonly LoadedScenario[], kinds: readonly string[] | undefined, log: (line: string) => void): LoadedScenario[] {
  if (kinds === undefined) return [...loaded];
  return loaded.flatMap((l) => {
    const mutations = l.scenario.mutations.filter((m) => kinds.includes(m));
    const dropped = l.scenario.mutations.filter((m) => !kinds.includes(m));
    if (dropped.length > 0) log(`${l.scenario.name}: this target does not serve ${dropped.join(', ')}; ${mutations.length === 0 ? 'scenario skipped' : 'left out'}`);
    return mutations.length === 0 ? [] : [{ ...l, scenario: { ...l.scenario, mutations } }];
  });
}

export async function runPaper(o: PaperOptions): Promise<PaperResult> {
  const log = o.log ?? ((line: string) => process.stderr.write(`[seb] ${line}\n`));
  const t0 = performance.now();
  const given = orderScenarios(o.scenarios.map((f) => loadScenarioFile(f, o.profile)));
  const platforms = [...new Set(given.flatMap((l) => l.scenario.platforms))];
  const ownWorkDir = o.workDir === undefined;
  const workDir = o.workDir ?? mkdtempSync(join(tmpdir(), 'seb-bench-'));
  mkdirSync(workDir, { recursive: true });
  const cleanups: (() => unknown)[] = [];
  let ok = false;
  try {
    log(`${o.target.kind === 'file' ? `using the target in ${o.target.file}` : `starting the ${o.target.kind === 'container' ? o.target.name : o.target.kind} target`} (${platforms.join(', ')}) …`);
    const target = await openTarget(o.target, workDir, platforms, log);
    cleanups.push(() => target.stop());
    const loaded = servedBy(given, target.kinds, log);
    const targetMs = performance.now() - t0;
    log(`target ${target.info.name} ready in ${(targetMs / 1000).toFixed(1)} s`);

    const t1 = performance.now();
    const kubernetesMode = o.kubernetesMode ?? DEFAULT_KUBERNETES_MODE;
    const workspace = await writeWorkspace(join(workDir, 'workspace'), `${JSON.stringify(target.info, null, 2)}\n`, { kubernetesMode });
    const broker = await startBrokerProcess({ config: workspace.brokerConfig, logFile: join(workDir, 'broker.log') });
    cleanups.push(() => broker.stop());
    const brokerMs = performance.now() - t1;
    log(`broker (seb serve, pid ${broker.pid}) listening at ${broker.url}; log ${broker.logFile}`);

    const client = new BrokerClient({ url: broker.url });
    cleanups.push(() => client.close());
    const contexts = kindContexts(target.info);
    cleanups.push(() => contexts.close());
    const { kubernetes, aws } = contexts;
    const privateJwk = readJsonFile(workspace.sabKey, 'SAB key');
    if (!isJsonObject(privateJwk)) throw new ConfigError(workspace.sabKey, 'not a JWK');
    const certify = sabCertifier({ privateJwk, issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, subject: 'bench-agent' });

    // One tag per run: the pools of one kind reuse their names from scenario
    // to scenario (the broker's pooled executors for them stay warm); each
    // workload makes its pool in prepare() and removes it in cleanup().
    const tag = randomBytes(3).toString('hex');
    const live = new LiveWorkloads();
    const workloads: WorkloadFactory = ({ scenario, platform, mutation }) => {
      const pool = { tag, size: poolSizeFor(scenario) };
      const build = <C>(kinds: MutationKind<C>[], ctx: C | undefined) => {
        if (ctx === undefined) throw new ConfigError(`mutation ${mutation}`, `target ${target.info.name} has no ${platform}`);
        const kind = mutationRegistry(kinds).get(mutation as MutationKindName) as MutationKind<C>;
        return live.track(scenario.name, mutationWorkload({ kind, ctx, broker: client, certify, seed: scenario.seed }), pool.size);
      };
      return platform === 'kubernetes'
        ? build(kubernetesKinds({ namespace: target.info.kubernetes?.protectedNamespaces[0] ?? '', pool }), kubernetes)
        : build(awsKinds({ target: target.info.aws as NonNullable<TargetInfo['aws']>, ...target.awsNames, pool }), aws);
    };

    const validate = async (startedAtMs: number): Promise<ValidationSources> => {
      const kube = target.info.kubernetes;
      const evidence: PlatformEvidence[] = [];
      if (kube !== undefined && kubernetes !== undefined) {
        evidence.push(
          target.auditLog === undefined
            ? { writes: [], coverage: [{ ...KUBERNETES_COVERAGE, operations: [], counted: [], notCounted: ['every write: the target was not started by the bench, so its audit log is not read'] }] }
            : await readKubernetesEvidence({ auditLog: target.auditLog, scope: { protectedNamespaces: kube.protectedNamespaces, executorNamespace: kube.executorNamespace }, admin: kubernetes.admin, t0: startedAtMs }),
        );
      }
      // S3 and SSM writes come from each workload before its cleanup (harness/workload/kinds/aws.ts).
      if (aws !== undefined) evidence.push({ writes: [], coverage: [AWS_NOT_COUNTED] });
      return { records: readRecordLog(workspace.recordLog, startedAtMs), evidence: mergeEvidence(evidence) };
    };

    const t2 = performance.now();
    const report = await runScenarios(loaded, {
      validate,
      ...(o.onViolations === undefined ? {} : { onViolations: o.onViolations }),
      resultsRoot: o.resultsRoot,
      ...(o.runId === undefined ? {} : { runId: o.runId }),
      workloads,
      ...(o.signal === undefined ? {} : { signal: o.signal }),
      events: benchEventHandler(live),
      target: { name: target.info.name, ...(target.info.versions === undefined ? {} : { versions: target.info.versions }) },
      brokerUrl: broker.url,
      processes: [...target.processes, { name: 'broker', pid: broker.pid }, { name: 'load-generator', pid: process.pid }],
      requestCounters: await readableCounters(requestCounters(kubernetes, target.motoLog), log),
      ...(o.progress === undefined ? {} : { progress: o.progress }),
      meta: {
        bench: 'paper',
        target_source: o.target.kind === 'file' ? o.target.file : `${o.target.kind === 'container' ? o.target.name : o.target.kind} (started by the bench)`,
        ...(target.enforcement === undefined ? {} : { enforcement: target.enforcement }),
        broker: { process: 'seb serve, a separate Node process', kubernetes_mode: kubernetesMode, ledger: 'sqlite, in the record log' },
        startup_ms: { target: Math.round(targetMs), broker: Math.round(brokerMs) },
      },
    });
    const runMs = performance.now() - t2;
    log(await scrapeCachedReads(broker.url));
    const latency = loaded.filter((l) => l.scenario.kind === 'latency').map((l) => l.scenario.name);
    const table = benchTable(report.run.path, latency, report.drift, report.storm);
    // A run with violations keeps its target and broker logs.
    ok = (report.validation?.violations.length ?? 0) === 0;
    return { report, table, timings: { targetMs, brokerMs, runMs, totalMs: performance.now() - t0 } };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`stopping: ${(error as Error).message}`);
      }
    }
    if (ok && ownWorkDir) rmSync(workDir, { recursive: true, force: true });
    else if (!ok) log(`kept ${workDir} (target and broker logs)`);
  }
}
