// `bench paper` end to end on the real local target, with tiny scenarios of
// its own (harness/bench/fixtures/, the seven mutation kinds between them):
// the target starts, `seb serve` runs as a separate process (from dist/:
// `make build` first), every result file is written with its columns, the
// broker denies every drifted trial and executes each stormed certificate
// exactly once, the broker's watch cache answers drift reads, and everything
// is stopped afterwards.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv, type CsvTable } from '../csv.js';
import { REPO_ROOT } from '../repo-root.js';
import { DRIFT_CSV } from '../results/drift.js';
import { EVENTS_CSV } from '../results/events.js';
import { REQUESTS_CSV } from '../results/requests.js';
import { STORM_CSV } from '../results/storm.js';
import { SUMMARY_CSV } from '../results/summary.js';
import { SWEEP_CSV } from '../results/sweep.js';
import { CPU_CSV } from '../results/cpu.js';
import { PLATFORM_REQUESTS_CSV } from '../results/platform-requests.js';
import { RESULT_FILES } from '../results/write.js';
import { ALL_MUTATION_KIND_NAMES } from '../workload/mutation.js';
import { runPaper } from './paper.js';
import { formatBenchTable } from './table.js';

const fixtures = ['tiny-latency', 'tiny-drift', 'tiny-storm'].map((f) => join(REPO_ROOT, 'harness/bench/fixtures', `${f}.yaml`));
const dir = mkdtempSync(join(tmpdir(), 'seb-bench-paper-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function table(runDir: string, file: string): CsvTable {
  return parseCsv(readFileSync(join(runDir, file), 'utf8'), file);
}

const number = (cell: string | undefined) => Number(cell);

describe('bench paper on the local target', () => {
  it('runs the tiny scenarios through seb serve and writes every result file', async () => {
    expect(existsSync(join(REPO_ROOT, 'dist/broker/cli/main.js')), 'seb serve runs from dist/: make build first').toBe(true);
    const lines: string[] = [];
    const { report, table: paper } = await runPaper({
      profile: 'full',
      target: { kind: 'local' },
      scenarios: fixtures,
      resultsRoot: join(dir, 'results'),
      workDir: join(dir, 'work'),
      progress: null,
      log: (line) => lines.push(line),
    });
    const run = report.run.path;

    expect(report.completed).toEqual(['tiny-latency', 'tiny-drift', 'tiny-storm']);
    expect(report.aborted).toBe(false);
    expect(report.stormViolations).toBe(0);
    for (const file of RESULT_FILES) expect(existsSync(join(run, file)), file).toBe(true);

    const requests = table(run, 'requests.csv');
    expect(requests.columns).toEqual(Object.keys(REQUESTS_CSV));
    expect(new Set(requests.rows.map((r) => r.cells.operation))).toEqual(new Set(ALL_MUTATION_KIND_NAMES));
    const latency = requests.rows.filter((r) => r.cells.scenario === 'tiny-latency');
    // 12 measured requests per path and kind, all executed but one at most: the
    // out-of-band change can land between a ConfigMap's certification and its
    // execution, and then the broker must deny it.
    expect(latency).toHaveLength(3 * 2 * 12);
    const denied = latency.filter((r) => r.cells.outcome !== 'executed');
    expect(denied.length).toBeLessThanOrEqual(1);
    for (const r of denied) expect([r.cells.operation, r.cells.path, r.cells.outcome, ['drift', 'precondition_failed'].includes(r.cells.reason ?? '')]).toEqual(['configmap-data', 'seb', 'denied', true]);
    for (const r of latency.filter((x) => x.cells.path === 'seb' && x.cells.outcome === 'executed')) expect(number(r.cells.mint_ms)).toBeGreaterThan(0);

    const summary = table(run, 'summary.csv');
    expect(summary.columns).toEqual(Object.keys(SUMMARY_CSV));
    const latencyRows = summary.rows.filter((r) => r.cells.scenario === 'tiny-latency');
    expect(latencyRows).toHaveLength(3 * 2);
    for (const r of latencyRows) {
      expect(number(r.cells.count)).toBe(12);
      expect(number(r.cells.errors)).toBe(denied.filter((d) => d.cells.operation === r.cells.operation && d.cells.path === r.cells.path).length);
      expect(number(r.cells.p50_ms)).toBeGreaterThan(0);
      expect(number(r.cells.p99_ms)).toBeGreaterThanOrEqual(number(r.cells.p50_ms));
    }

    const drift = table(run, 'drift.csv');
    expect(drift.columns).toEqual(Object.keys(DRIFT_CSV));
    const seb = drift.rows.filter((r) => r.cells.path === 'seb');
    expect(seb).toHaveLength(2);
    for (const r of seb) {
      expect(number(r.cells.drifted)).toBeGreaterThan(0);
      expect(number(r.cells.detected) + number(r.cells.precondition_caught)).toBe(number(r.cells.drifted));
      expect(number(r.cells.missed)).toBe(0);
      expect(number(r.cells.false_positives)).toBe(0);
    }
    // Without a certificate, nothing stops a drifted write.
    const direct = drift.rows.filter((x) => x.cells.path === 'direct');
    expect(direct).toHaveLength(2);
    for (const r of direct) expect(number(r.cells.missed)).toBe(number(r.cells.drifted));

    const storm = table(run, 'storm.csv');
    expect(storm.columns).toEqual(Object.keys(STORM_CSV));
    expect(storm.rows).toHaveLength(2);
    for (const r of storm.rows) {
      expect(number(r.cells.executed_once)).toBe(4);
      expect(number(r.cells.executed_more)).toBe(0);
      expect(number(r.cells.replayed)).toBe(4 * 4);
    }

    // Checked against the platforms' own records: the audit log on Kubernetes.
    expect(report.validation?.violations).toEqual([]);
    expect(report.validation?.writes).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(run, 'violations.json'), 'utf8'))).toMatchObject({ violations: [] });
    // Kubernetes from the audit log; on AWS, S3 object versions, SSM parameter history and security group rules.
    const countedOps = new Set(['deployment-scale', 'configmap-data', 'networkpolicy-ingress', 's3-put-object', 'ssm-put-parameter', 'ec2-authorize-ingress']);
    for (const r of [...storm.rows, ...seb]) expect([r.cells.operation, r.cells.counted_from]).toEqual([r.cells.operation, countedOps.has(r.cells.operation ?? '') ? 'platform records' : 'client answers']);
    const written = JSON.parse(readFileSync(join(run, 'violations.json'), 'utf8')) as { counted: { platform: string; operations: string[] }[] };
    expect(written.counted.flatMap((c) => c.operations).sort()).toEqual(['*', 'ec2-authorize-ingress', 's3-put-object', 'ssm-put-parameter']);

    expect(table(run, 'sweep.csv').columns).toEqual(Object.keys(SWEEP_CSV));
    // What each measured block cost, per process taking part: a platform's own processes over its blocks only.
    const cpu = table(run, 'cpu.csv');
    expect(cpu.columns).toEqual(Object.keys(CPU_CSV));
    const processesOf = (platform: string, path: string) => new Set(cpu.rows.filter((r) => r.cells.scenario === 'tiny-latency' && r.cells.platform === platform && r.cells.path === path).map((r) => r.cells.process));
    expect(processesOf('kubernetes', 'seb')).toEqual(new Set(['kube-apiserver', 'etcd', 'broker', 'load-generator']));
    expect(processesOf('aws', 'direct')).toEqual(new Set(['moto', 'broker', 'load-generator']));
    const brokerCpu = cpu.rows.filter((r) => r.cells.scenario === 'tiny-latency' && r.cells.path === 'seb' && r.cells.process === 'broker');
    expect(brokerCpu.reduce((n, r) => n + number(r.cells.cpu_ms), 0)).toBeGreaterThan(0);
    for (const r of brokerCpu) expect(number(r.cells.rss_mib)).toBeGreaterThan(0);
    // What each mutation cost the platform in requests, as the platform itself counted them.
    const served = table(run, 'platform-requests.csv');
    expect(served.columns).toEqual(Object.keys(PLATFORM_REQUESTS_CSV));
    const executed = (operation: string, path: string) => latency.filter((r) => r.cells.operation === operation && r.cells.path === path && r.cells.outcome === 'executed').length;
    const requestsOf = (platform: string, path: string, operation: string, keep: (request: string) => boolean = () => true) =>
      served.rows.filter((r) => [r.cells.scenario, r.cells.platform, r.cells.path, r.cells.operation].join() === ['tiny-latency', platform, path, operation].join() && keep(r.cells.request ?? '')).reduce((n, r) => n + number(r.cells.requests), 0);
    // Each executed mutation is a write the API server served (besides the out-of-band changes of events.csv), each brokered one certified against a state the SAB read.
    const configMapWrites = (path: string) => requestsOf('kubernetes', path, 'configmap-data', (r) => r === 'PATCH configmaps');
    expect(configMapWrites('direct')).toBeGreaterThanOrEqual(executed('configmap-data', 'direct'));
    expect(configMapWrites('seb')).toBeGreaterThanOrEqual(executed('configmap-data', 'seb'));
    expect(requestsOf('kubernetes', 'seb', 'configmap-data', (r) => r === 'GET configmaps')).toBeGreaterThanOrEqual(executed('configmap-data', 'seb'));
    expect(requestsOf('kubernetes', 'direct', 'configmap-data', (r) => r.startsWith('GET '))).toBe(0);
    for (const operation of ['ssm-put-parameter', 'ec2-authorize-ingress']) {
      // moto: at least the SAB's read, the drift read, AssumeRole and the write for each brokered mutation; one request for each direct one.
      expect(executed(operation, 'seb')).toBeGreaterThan(0);
      expect([operation, requestsOf('aws', 'seb', operation) >= 4 * executed(operation, 'seb'), requestsOf('aws', 'direct', operation)]).toEqual([operation, true, executed(operation, 'direct')]);
    }
    const events = table(run, 'events.csv');
    expect(events.columns).toEqual(Object.keys(EVENTS_CSV));
    expect(events.rows.map((r) => [r.cells.kind, r.cells.outcome, r.cells.detail])).toEqual([['out-of-band-change', 'ok', 'out-of-band change to all 4 configmap-data targets']]);

    const meta = JSON.parse(readFileSync(join(run, 'meta.json'), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(meta)).toContain('kube-apiserver');
    expect(JSON.stringify(meta)).toContain('bench');

    // The table beside the paper's figures, for both platforms.
    expect(paper.platforms.map((p) => p.platform).sort()).toEqual(['aws', 'kubernetes']);
    expect(formatBenchTable(paper)).toContain('~28 ms added');

    // What the bench started under its work dir is gone (the broker, kube-apiserver, etcd).
    expect(lines.some((l) => l.includes('listening'))).toBe(true);
    // The broker's /metrics, scraped before it stops: its watch cache answered drift reads without a request.
    const reads = /drift reads: kubernetes (\d+) from the broker's watch cache, (\d+) by request; (\d+) then confirmed by a request/.exec(lines.join('\n'));
    expect(reads, lines.join('\n')).not.toBeNull();
    expect(Number(reads?.[1])).toBeGreaterThan(0);
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(join(dir, 'work')));
    expect(left).toEqual([]);
  });
});
