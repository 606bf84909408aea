// The runner end to end, without platforms: the real broker behind its real
// HTTP API, with one fake in-memory mutation kind (a config map whose value
// the broker and the direct path both write). Every result file is written
// with its columns, drift and replays are counted right, and a stopped or
// failed run keeps what it measured.
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleBroker, type AssembledBroker } from '../broker/config/assemble.js';
import { readSettings } from '../broker/config/broker-config.js';
import type { Contract } from '../broker/core/certificate/contract.js';
import { ConfigError, InvalidInputError, IoError } from '../broker/core/errors.js';
import type { PlatformAdapter } from '../broker/core/ports/platform.js';
import { generateSigningKey } from '../broker/sab/keygen.js';
import { silentLogger } from '../broker/server/logger.js';
import { BrokerMetrics } from '../broker/server/metrics.js';
import { createBrokerServer } from '../broker/server/server.js';
import { parseCsv } from './csv.js';
import { AUDIENCE, ISSUER, makeIssuer, SUBJECT, type Issuer } from './sample-certificates.js';
import { DRIFT_CSV } from './results/drift.js';
import type { RequestCounter } from './metrics/platform-requests.js';
import { PLATFORM_REQUESTS_CSV } from './results/platform-requests.js';
import { REQUESTS_CSV } from './results/requests.js';
import { STORM_CSV } from './results/storm.js';
import { SUMMARY_CSV } from './results/summary.js';
import { SWEEP_CSV } from './results/sweep.js';
import { benchEventHandler, LiveWorkloads } from './bench/events.js';
import { EventFailedError } from './run/events.js';
import { runScenarios, type RunOptions } from './runner.js';
import { ValidationFailedError } from './run/loop.js';
import type { PlatformWrite } from './validate/platform-writes.js';
import { readRecordLog } from './validate/record-logs.js';
import type { ValidationSources } from './validate/run-validation.js';
import type { ScenarioEvent } from './scenario/schema.js';
import { loadScenarioFile, type LoadedScenario } from './scenario/load.js';
import { BrokerClient } from './workload/broker-client.js';
import type { MutationKind } from './workload/mutation.js';
import { mutationWorkload, sabCertifier } from './workload/mutation-workload.js';
import type { WorkloadFactory } from './workload/workload.js';

// --- the fake kind: config maps in memory, with versions like resourceVersion ---

type Store = Map<string, { value: number; version: number }>;
const nameOf = (c: Contract) => String(c.target.name);
/** The fake platform's own count of what it served, as kube-apiserver counts its requests. */
const served = new Map<string, number>();
const serve = (request: string) => served.set(request, (served.get(request) ?? 0) + 1);
const read = (store: Store, name: string) => {
  serve('GET configmaps');
  return store.get(name) ?? { value: 0, version: 0 };
};

const fakeConfigMap: MutationKind<Store> = {
  name: 'configmap-data',
  platform: 'kubernetes',
  async prepare(store) {
    for (let k = 0; k < 8; k++) store.set(`cm-${k}`, { value: 0, version: 1 });
  },
  contract: (i, rng) => ({ platform: 'kubernetes', target: { namespace: 'bench', kind: 'ConfigMap', name: `cm-${i % 8}` }, operation: 'configmap-data', parameters: { value: Math.floor(rng() * 1e6) } }),
  async preState(contract, store) {
    const cm = read(store, nameOf(contract));
    return { state: { value: cm.value }, version: String(cm.version) };
  },
  async directCall(contract, store) {
    const cm = store.get(nameOf(contract)) ?? { value: 0, version: 0 };
    serve('PATCH configmaps');
    store.set(nameOf(contract), { value: Number(contract.parameters.value), version: cm.version + 1 });
  },
  async outOfBand(contract, store) {
    const cm = read(store, nameOf(contract));
    store.set(nameOf(contract), { value: cm.value + 1, version: cm.version + 1 });
  },
  async cleanup(store) {
    store.clear();
  },
};

/** The fake platform's own record of each executor write, by the certificate its identity was minted for. */
const platformWrites: PlatformWrite[] = [];
/** Set by a test: the platform records each write twice (a second execution whose answer was lost). */
let writeTwice = false;
/** Set by a test: how long the fake platform takes to answer a write. */
let invokeDelayMs = 0;

/** The broker's side of the same store: reads, and writes conditioned on the version it read. */
function fakeAdapter(store: Store): PlatformAdapter {
  return {
    name: 'kubernetes',
    plan(contract) {
      if (contract.operation !== 'configmap-data') throw new InvalidInputError('unknown operation');
      return { platform: 'kubernetes', shape: `configmap-data/${nameOf(contract)}`, contract };
    },
    async readLiveState(plan) {
      const cm = read(store, nameOf(plan.contract));
      return { state: { value: cm.value }, version: String(cm.version) };
    },
    async mint(_plan, claims) {
      return { platform: 'kubernetes', principal: 'executor', expiresAt: Date.now() + 60_000, handle: claims.jti };
    },
    async invoke(plan, identity, live) {
      if (invokeDelayMs > 0) await new Promise((r) => setTimeout(r, invokeDelayMs));
      const cm = store.get(nameOf(plan.contract)) ?? { value: 0, version: 0 };
      serve('PATCH configmaps');
      if (String(cm.version) !== live.version) return { status: 'precondition_failed', detail: 'resourceVersion moved' };
      store.set(nameOf(plan.contract), { value: Number(plan.contract.parameters.value), version: cm.version + 1 });
      const write: PlatformWrite = { platform: 'kubernetes', jti: identity.handle as string, target: nameOf(plan.contract), atMs: Date.now(), by: 'executor' };
      platformWrites.push(...(writeTwice ? [write, write] : [write]));
      return { status: 'succeeded' };
    },
    async retire() {},
  };
}

// --- one broker behind its HTTP API for the whole file ---

let dir: string;
let issuer: Issuer;
let assembled: AssembledBroker;
let server: Server;
let client: BrokerClient;
const store: Store = new Map();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-runner-'));
  issuer = await makeIssuer();
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify(issuer.jwks));
  writeFileSync(join(dir, 'broker.jwk.json'), JSON.stringify((await generateSigningKey('EdDSA', 'broker-1')).privateJwk));
  const settings = readSettings({ id: 'broker-1', issuers: [ISSUER], audience: AUDIENCE, trustedKeys: 'jwks.json', brokerKey: 'broker.jwk.json', ledger: 'ledger.db', recordLog: 'log.db' }, dir, 'test config');
  assembled = await assembleBroker(settings, [fakeAdapter(store)]);
  server = createBrokerServer({ broker: assembled.broker, log: assembled.log, metrics: new BrokerMetrics(), logger: silentLogger });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new BrokerClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});

afterAll(async () => {
  client.close();
  await new Promise((resolve) => server.close(resolve));
  await assembled.close();
  rmSync(dir, { recursive: true, force: true });
});

const factory: WorkloadFactory = ({ scenario }) =>
  mutationWorkload({ kind: fakeConfigMap, ctx: store, broker: client, certify: sabCertifier({ privateJwk: issuer.privateJwk, issuer: ISSUER, audience: AUDIENCE, subject: SUBJECT }), seed: scenario.seed });

let fileNo = 0;
function scenario(yaml: string): LoadedScenario {
  const file = join(dir, `scenario-${fileNo++}.yaml`);
  writeFileSync(file, yaml);
  return loadScenarioFile(file);
}

const head = (name: string, kind: string) => `name: ${name}\ndescription: test\nkind: ${kind}\ntarget: local\nplatforms: [kubernetes]\nmutations: [configmap-data]\nseed: 99\n`;
const options = (results: string, extra: Partial<RunOptions> = {}): RunOptions => ({ resultsRoot: results, workloads: factory, progress: null, target: { name: 'fake', versions: { 'kube-apiserver': 'none' } }, ...extra });
const table = (path: string) => parseCsv(readFileSync(path, 'utf8'), path);

describe('runScenarios end to end', () => {
  it('runs latency, drift, a storm and a sweep, and writes every file with its columns', async () => {
    const results = join(dir, 'results-all');
    const scenarios = [
      scenario(`${head('lat', 'latency')}load: {mode: closed, workers: 2, count: 20, warmup: 2, blocks: 2}\n`),
      scenario(`${head('drifty', 'drift')}direct: true\ndrift: {probability: 0.5}\nload: {mode: closed, workers: 1, count: 20}\n`),
      scenario(`${head('storm', 'replay-storm')}storm: {certificates: 4, copies: 5, concurrency: 5}\n`),
      scenario(`${head('tp', 'throughput')}load: {mode: open, arrivals: fixed, rates_rps: [20, 40], duration_s: 0.3}\n`),
    ];
    const report = await runScenarios(scenarios, options(results));

    expect(report.aborted).toBe(false);
    expect(report.completed).toEqual(['lat', 'drifty', 'storm', 'tp']);
    expect(readlinkSync(join(results, 'latest'))).toBe(report.run.id);

    const requests = table(report.files['requests.csv']);
    expect(requests.columns).toEqual(Object.keys(REQUESTS_CSV));
    const rows = requests.rows.map((r) => r.cells);
    const of = (scenarioName: string, path?: string) => rows.filter((r) => r.scenario === scenarioName && (path === undefined || r.path === path));
    expect(of('lat', 'seb')).toHaveLength(20);
    expect(of('lat', 'direct')).toHaveLength(20);
    expect(of('lat').every((r) => r.outcome === 'executed' && r.run_id === report.run.id && r.target === 'fake')).toBe(true);
    expect(of('lat', 'seb').every((r) => Number(r.verify_ms) >= 0 && r.verify_ms !== '' && r.invoke_ms !== '')).toBe(true);
    expect(of('lat', 'direct').every((r) => r.verify_ms === '' && Number(r.latency_ms) >= 0)).toBe(true);
    expect(new Set(rows.map((r) => `${r.scenario}/${r.request_id}`)).size).toBe(rows.length);
    expect(of('tp@20rps', 'seb')).toHaveLength(6);
    expect(of('tp@40rps', 'direct')).toHaveLength(12);

    const summary = table(report.files['summary.csv']);
    expect(summary.columns).toEqual(Object.keys(SUMMARY_CSV));
    expect(summary.rows.map((r) => `${r.cells.scenario} ${r.cells.path} ${r.cells.count}`)).toEqual([
      'lat seb 20',
      'lat direct 20',
      'drifty seb 20',
      'drifty direct 20',
      'storm seb 20',
      'tp@20rps seb 6',
      'tp@20rps direct 6',
      'tp@40rps direct 12',
      'tp@40rps seb 12',
    ]);

    const drift = table(report.files['drift.csv']);
    expect(drift.columns).toEqual(Object.keys(DRIFT_CSV));
    const [seb, direct] = drift.rows.map((r) => r.cells);
    expect(Number(seb?.drifted)).toBeGreaterThan(0);
    expect(seb).toMatchObject({ path: 'seb', trials: '20', detected: seb?.drifted, missed: '0', false_positives: '0', precondition_caught: '0' });
    expect(direct).toMatchObject({ path: 'direct', trials: '20', detected: '0', missed: direct?.drifted });

    const storm = table(report.files['storm.csv']);
    expect(storm.columns).toEqual(Object.keys(STORM_CSV));
    expect(storm.rows[0]?.cells).toMatchObject({ certificates: '4', submissions: '20', executed_once: '4', executed_more: '0', replayed: '16', errors: '0' });
    expect(report.stormViolations).toBe(0);

    const sweep = table(report.files['sweep.csv']);
    expect(sweep.columns).toEqual(Object.keys(SWEEP_CSV));
    expect(sweep.rows.map((r) => `${r.cells.scenario} ${r.cells.path} ${r.cells.offered_rps}`)).toEqual(['tp seb 20', 'tp direct 20', 'tp direct 40', 'tp seb 40']);
    expect(report.saturation).toHaveLength(2);

    const meta = JSON.parse(readFileSync(report.files['meta.json'], 'utf8'));
    expect(meta).toMatchObject({ run_id: report.run.id, aborted: false, failure: null, target: 'fake', seeds: { lat: 99, drifty: 99, storm: 99, tp: 99 } });
    expect(meta.versions).toEqual({ node: process.version, 'kube-apiserver': 'none', etcd: null, moto: null });
    expect(meta.scenarios.map((s: { sha256: string; completed: boolean }) => [s.sha256, s.completed])).toEqual(scenarios.map((s) => [s.sha256, true]));
    expect(meta.commit).toBeTypeOf('string');
    expect(meta.machine.cores).toBeGreaterThan(0);
  });

  it('counts what the platform served per mutation, by its own counter, over the measured blocks only', async () => {
    const counter: RequestCounter = { platform: 'kubernetes', totals: async () => new Map(served) };
    const lat = scenario(`${head('counted', 'latency')}direct: true\nload: {mode: closed, workers: 2, count: 20, warmup: 5, blocks: 2}\n`);
    const report = await runScenarios([lat], options(join(dir, 'results-requests'), { requestCounters: [counter] }));
    const csv = table(report.files['platform-requests.csv']);
    expect(csv.columns).toEqual(Object.keys(PLATFORM_REQUESTS_CSV));
    // SEB: the SAB's read, the broker's drift read, the one write; direct: the write. The warm-ups are not counted.
    expect(csv.rows.map((r) => [r.cells.path, r.cells.request, r.cells.requests, r.cells.mutations, r.cells.requests_per_mutation])).toEqual([
      ['seb', 'GET configmaps', '40', '20', '2'],
      ['seb', 'PATCH configmaps', '20', '20', '1'],
      ['direct', 'PATCH configmaps', '20', '20', '1'],
    ]);

    // A counter that cannot be read (say /metrics is forbidden) leaves the file empty, not the run failed.
    const unreadable: RequestCounter = { platform: 'kubernetes', totals: async () => Promise.reject(new IoError('kube-apiserver /metrics answered 403')) };
    const quiet = await runScenarios([lat], options(join(dir, 'results-requests-unreadable'), { requestCounters: [unreadable] }));
    expect(quiet.completed).toEqual(['counted']);
    expect(table(quiet.files['platform-requests.csv']).rows).toEqual([]);
  });

  it('sends one request per target at a time, so an open loop faster than a target answers queues instead of drifting it', async () => {
    // 8 targets, each written every 20 ms by the schedule, each write taking 60 ms: requests of one target would overlap.
    invokeDelayMs = 60;
    try {
      const report = await runScenarios([scenario(`${head('queued', 'throughput')}load: {mode: open, arrivals: fixed, rates_rps: [400], duration_s: 0.25, warmup_s: 0}\n`)], options(join(dir, 'results-queued')));
      const rows = table(report.files['requests.csv']).rows.map((r) => r.cells);
      const seb = rows.filter((r) => r.path === 'seb');
      expect(seb.length).toBeGreaterThan(50);
      expect(seb.filter((r) => r.outcome !== 'executed').map((r) => r.reason)).toEqual([]);
      // The wait for the target's earlier request is in the latency, from the scheduled instant.
      expect(Math.max(...seb.map((r) => Number(r.latency_ms)))).toBeGreaterThan(3 * invokeDelayMs);
    } finally {
      invokeDelayMs = 0;
    }
  });

  it('keeps what was measured when stopped, and says so', async () => {
    const results = join(dir, 'results-abort');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const t0 = performance.now();
    const report = await runScenarios([scenario(`${head('long', 'latency')}load: {mode: closed, workers: 2, duration_s: 60}\n`)], options(results, { signal: controller.signal, graceMs: 1000 }));
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(report.aborted).toBe(true);
    expect(report.completed).toEqual([]);
    const rows = table(report.files['requests.csv']).rows;
    expect(rows.length).toBeGreaterThan(0);
    expect(table(report.files['summary.csv']).rows.length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(results, 'latest', 'meta.json'), 'utf8'))).toMatchObject({ aborted: true, scenarios: [{ name: 'long', completed: false }] });
  });

  it('injects events at their times and records them', async () => {
    const results = join(dir, 'results-events');
    const seen: string[] = [];
    const report = await runScenarios(
      [scenario(`${head('ev', 'latency')}load: {mode: closed, workers: 1, duration_s: 0.6}\nevents:\n  - {at_s: 0.1, kind: revoke, scope: outstanding}\n  - {at_s: 30, kind: revoke, scope: epoch}\n`)],
      options(results, {
        events: async (e) => {
          seen.push(e.kind);
          return 'revoked 3';
        },
      }),
    );
    expect(seen).toEqual(['revoke']);
    const events = table(report.files['events.csv']).rows.map((r) => [r.cells.kind, r.cells.outcome, r.cells.detail]);
    expect(events).toEqual([
      ['revoke', 'ok', 'revoked 3'],
      ['revoke', 'skipped', 'revoke epoch: the scenario ended first'],
    ]);
  });

  it('fails the run, after writing it, when an event could not be carried out', async () => {
    const results = join(dir, 'results-event-failed');
    const run = runScenarios(
      [scenario(`${head('evf', 'latency')}load: {mode: closed, workers: 1, duration_s: 0.4}\nevents:\n  - {at_s: 0.1, kind: fault, fault: latency, on: etcd}\n`)],
      options(results, { events: async () => Promise.reject(new Error('no toxiproxy here')) }),
    );
    await expect(run).rejects.toThrow(EventFailedError);
    await expect(run).rejects.toThrow('scenario evf: 1 event(s) could not be carried out: fault latency on etcd at 0.1 s: no toxiproxy here');
    const events = table(join(results, 'latest', 'events.csv')).rows.map((r) => [r.cells.kind, r.cells.outcome]);
    expect(events).toEqual([['fault', 'error']]);
    expect(JSON.parse(readFileSync(join(results, 'latest', 'meta.json'), 'utf8'))).toMatchObject({ failure: expect.stringContaining('no toxiproxy here') });
  });

  it('refuses, before anything runs, a schema-valid event the handler cannot carry out', async () => {
    const results = join(dir, 'results-event-refused');
    const s = scenario(`${head('evr', 'latency')}load: {mode: closed, workers: 1, count: 1}\nevents: [{at_s: 1, kind: revoke, scope: epoch}]\n`);
    let called = 0;
    const events = Object.assign(async () => void called++, { cannotCarryOut: (e: ScenarioEvent) => (e.kind === 'revoke' ? 'one broker, static revocation list' : undefined) });
    const run = runScenarios([s], options(results, { events }));
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow('revoke epoch at 1 s cannot be carried out: one broker, static revocation list');
    expect(called).toBe(0);
    expect(existsSync(results)).toBe(false);
  });

  it('the paper bench refuses revoke and fault events up front, and carries out out-of-band changes', () => {
    const handler = benchEventHandler(new LiveWorkloads());
    expect(handler.cannotCarryOut?.({ at_s: 1, kind: 'revoke', scope: 'epoch' })).toMatch(/static revocation list/);
    expect(handler.cannotCarryOut?.({ at_s: 1, kind: 'fault', fault: 'latency', on: 'etcd' })).toMatch(/does not inject faults/);
    expect(handler.cannotCarryOut?.({ at_s: 1, kind: 'out-of-band-change', mutation: 'configmap-data' })).toBeUndefined();
  });

  it('refuses a scenario with events and no handler before starting', async () => {
    const s = scenario(`${head('ev2', 'latency')}load: {mode: closed, workers: 1, count: 1}\nevents: [{at_s: 1, kind: revoke, scope: epoch}]\n`);
    await expect(runScenarios([s], options(join(dir, 'results-none')))).rejects.toThrow(ConfigError);
  });

  it('does not send a request whose admission failed, and counts it in meta.json', async () => {
    const results = join(dir, 'results-not-sent');
    const flaky: WorkloadFactory = async (spec) => {
      const w = await factory(spec);
      return { ...w, admit: async (i: number) => (i % 5 === 0 ? Promise.reject(new Error('SAB unreachable')) : w.admit(i)) };
    };
    const report = await runScenarios([scenario(`${head('flaky', 'latency')}load: {mode: closed, workers: 1, count: 10}\n`)], options(results, { workloads: flaky }));
    const rows = table(report.files['requests.csv']).rows.map((r) => r.cells);
    expect(rows.filter((r) => r.path === 'direct')).toHaveLength(10);
    expect(rows.filter((r) => r.path === 'seb').length).toBeLessThan(10);
    expect(rows.every((r) => r.outcome === 'executed' && r.latency_ms !== '')).toBe(true);
    const meta = JSON.parse(readFileSync(report.files['meta.json'], 'utf8'));
    expect(meta.not_sent).toEqual([{ scenario: 'flaky', platform: 'kubernetes', path: 'seb', operation: 'configmap-data', count: 10 - rows.filter((r) => r.path === 'seb').length, first_reason: 'SAB unreachable' }]);
  });

  it('writes what it has when a workload fails, then fails', async () => {
    const results = join(dir, 'results-fail');
    const failing: WorkloadFactory = async (spec) => ({ ...(await factory(spec)), prepare: async () => Promise.reject(new Error('namespace bench is missing')) });
    await expect(runScenarios([scenario(`${head('lat', 'latency')}load: {mode: closed, workers: 1, count: 5}\n`)], options(results, { workloads: failing }))).rejects.toThrow('namespace bench is missing');
    const meta = JSON.parse(readFileSync(join(results, 'latest', 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ aborted: false, failure: 'namespace bench is missing' });
    expect(readFileSync(join(results, 'latest', 'requests.csv'), 'utf8').split('\n')[0]).toBe(Object.keys(REQUESTS_CSV).join(','));
  });

  describe('validated from the record log and the platform\'s records', () => {
    const validate = async (t0: number): Promise<ValidationSources> => ({
      records: readRecordLog(join(dir, 'log.db'), t0),
      evidence: { writes: platformWrites.map((w) => ({ ...w, atMs: w.atMs - t0 })), coverage: [{ platform: 'kubernetes', source: 'the fake store', operations: ['*'], counted: ['every write'], notCounted: [] }] },
    });
    const storm = () => scenario(`${head('vstorm', 'replay-storm')}storm: {certificates: 3, copies: 4, concurrency: 4}\n`);

    it('writes violations.json and counts the storm from the platform\'s records', async () => {
      const report = await runScenarios([storm()], options(join(dir, 'results-validated'), { validate }));
      expect(report.validation).toMatchObject({ violations: [] });
      expect(report.validation?.writes).toBe(platformWrites.length);
      expect(JSON.parse(readFileSync(join(report.run.path, 'violations.json'), 'utf8'))).toMatchObject({ violations: [], writes_from_platform_records: platformWrites.length });
      expect(table(report.files['storm.csv']).rows[0]?.cells).toMatchObject({ certificates: '3', executed_once: '3', executed_more: '0', counted_from: 'platform records' });
    });

    it('fails the run when the platform recorded a second execution the clients never heard of', async () => {
      const results = join(dir, 'results-double');
      writeTwice = true;
      try {
        await expect(runScenarios([storm()], options(results, { validate }))).rejects.toThrow(ValidationFailedError);
      } finally {
        writeTwice = false;
      }
      const storms = table(join(results, 'latest', 'storm.csv')).rows.map((r) => r.cells);
      expect(storms[0]).toMatchObject({ certificates: '3', executed_once: '0', executed_more: '3', counted_from: 'platform records' });
      const requests = table(join(results, 'latest', 'requests.csv')).rows.filter((r) => r.cells.outcome === 'executed');
      expect(requests).toHaveLength(3);
      const violations = JSON.parse(readFileSync(join(results, 'latest', 'violations.json'), 'utf8')).violations as { type: string }[];
      expect(violations.map((v) => v.type)).toEqual(['double_execution', 'double_execution', 'double_execution']);
    });

    it('with onViolations report, returns the run and its violations instead (a part of a run of several)', async () => {
      writeTwice = true;
      try {
        const report = await runScenarios([storm()], options(join(dir, 'results-double-reported'), { validate, onViolations: 'report' }));
        // The log and the platform's writes are shared with the test before: its three certificates count again.
        const types = report.validation?.violations.map((v) => v.type) ?? [];
        expect(types.length).toBeGreaterThanOrEqual(3);
        expect(new Set(types)).toEqual(new Set(['double_execution']));
        expect(JSON.parse(readFileSync(join(report.run.path, 'violations.json'), 'utf8')).violations).toHaveLength(types.length);
      } finally {
        writeTwice = false;
      }
    });
  });
});
