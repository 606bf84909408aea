// The validator against a real kube-apiserver's audit log: a correct broker's
// executions (pooled and ephemeral executors) each tie to their one allow; a
// deliberately broken broker (broker/test-break.ts) that executes twice on one
// use, or after a denial, keeps its record log clean, and is caught from the
// platform's records alone.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '../../broker/broker.js';
import type { Contract } from '../../broker/core/certificate/contract.js';
import { importPrivateJwk } from '../../broker/core/keys.js';
import { KubernetesAdapter } from '../../broker/platforms/kubernetes/adapter.js';
import type { KubeClient } from '../../broker/platforms/kubernetes/client.js';
import type { ExecutorMode } from '../../broker/platforms/kubernetes/executor.js';
import { generateSigningKey } from '../../broker/sab/keygen.js';
import { SqliteLedger } from '../../broker/stores/sqlite/ledger.js';
import { SqliteRecordLog } from '../../broker/stores/sqlite/record-log.js';
import type { JsonObject } from '../../broker/core/strict-json.js';
import { readJsonFile } from '../../broker/files.js';
import { BrokenBroker, TEST_BREAK_ENV, TEST_ONLY_ACK, TEST_ONLY_ENV, type TestBreak } from '../../broker/test-break.js';
import { startBrokerProcess } from '../bench/broker-process.js';
import { REPO_ROOT } from '../repo-root.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, writeWorkspace } from '../targets/local/workspace.js';
import { BrokerClient } from '../workload/broker-client.js';
import { sabCertifier } from '../workload/mutation-workload.js';
import { certifyNow } from '../fixtures/certify-now.js';
import { preStateThrough } from '../workload/kinds/shared.js';
import { freshState, makeIssuer, requestBytes, type Issuer } from '../sample-certificates.js';
import { clientFor, createObject, removeObject, targetObject, type TargetObject } from '../workload/kinds/kubernetes-objects.js';
import { startLocalKubernetes, type LocalKubernetes } from '../targets/local/kubernetes-target.js';
import { parseAuditLog, readKubernetesEvidence } from './kubernetes-audit.js';
import { readRecordLog } from './record-logs.js';
import { findViolations } from './violations.js';
import { SERVE_NODE_FLAGS } from '../../broker/cli/serve-flags.js';

let dir: string;
let k8s: LocalKubernetes;
let admin: KubeClient;
let issuer: Issuer;
let object: TargetObject;
let run = 0;
const t0 = Date.now();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-validate-k8s-'));
  k8s = await startLocalKubernetes(dir);
  admin = clientFor(k8s.info.kubeconfigs.admin);
  issuer = await makeIssuer();
  object = targetObject('set-data', k8s.info.protectedNamespaces[0] as string);
  await createObject(admin, object);
});

afterAll(async () => {
  if (object !== undefined) await removeObject(admin, object).catch(() => undefined);
  admin?.close();
  await k8s?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

interface Harness {
  /** Issues a certificate for a fresh value, against the live state (or a stale one), and executes it. */
  execute(o?: { stale?: boolean; again?: Buffer }): Promise<{ bytes: Buffer; decision: string; reason: string | null; jti: string }>;
  /** The broker's log, and the writes the audit log shows, validated. */
  validate(): Promise<{ fromLogAlone: string[]; withPlatform: string[]; writes: (string | null)[] }>;
  close(): Promise<void>;
}

async function harness(mode: ExecutorMode, testBreak?: TestBreak): Promise<Harness> {
  const runDir = mkdtempSync(join(dir, `${mode}-${testBreak ?? 'correct'}-`));
  const brokerId = `broker-${++run}`;
  const key = importPrivateJwk((await generateSigningKey('EdDSA', brokerId)).privateJwk);
  const ledger = new SqliteLedger(join(runDir, 'ledger.db'));
  const logPath = join(runDir, 'log.db');
  const log = SqliteRecordLog.open(logPath, { broker: brokerId, key });
  const adapter = KubernetesAdapter.fromKubeconfig(k8s.info.kubeconfigs.broker, {
    protectedNamespaces: k8s.info.protectedNamespaces,
    executorNamespace: k8s.info.executorNamespace,
    audience: k8s.info.executorAudience,
    mode,
  });
  const config = { id: brokerId, policy: issuer.policy, state: () => freshState(Date.now()), ledger, log, platforms: [adapter] };
  const broker = testBreak === undefined ? new Broker(config) : new BrokenBroker(config, testBreak);
  const since = Date.now() - t0;
  return {
    async execute(o = {}) {
      let bytes = o.again;
      if (bytes === undefined) {
        const contract: Contract = { ...object.contract, parameters: { data: { mode: `run-${Date.now()}-${Math.random()}` } } };
        const pre = await preStateThrough(adapter, contract);
        const certificate = await certifyNow(issuer, contract, o.stale === true ? { ...pre, state: { data: { mode: 'not what is there' } } } : pre);
        bytes = requestBytes(certificate, contract);
      }
      const result = await broker.execute(bytes);
      return { bytes, decision: result.decision.decision, reason: result.decision.reason, jti: result.decision.jti ?? '' };
    },
    async validate() {
      const records = readRecordLog(logPath, t0);
      const evidence = await readKubernetesEvidence({ auditLog: k8s.auditLog, scope: { protectedNamespaces: k8s.info.protectedNamespaces, executorNamespace: k8s.info.executorNamespace }, admin, t0 });
      // This broker's writes: the audit log is shared by every test of the file.
      const mine = new Set(records.map((r) => r.jti));
      const writes = evidence.writes.filter((w) => w.atMs >= since && (w.jti === null || mine.has(w.jti)));
      const input = { history: [], records, revocations: [], live: [] };
      return {
        fromLogAlone: findViolations(input).map((v) => v.type),
        withPlatform: findViolations({ ...input, writes }).map((v) => v.type),
        writes: writes.map((w) => w.jti),
      };
    },
    async close() {
      adapter.close();
      await ledger.close();
      await log.close();
    },
  };
}

describe('validation from the kube-apiserver audit log', () => {
  it.each<ExecutorMode>(['impersonation', 'pooled', 'ephemeral'])('a correct broker (%s executors): one write per allow, a replay and a drift denied, no violation', async (mode) => {
    const h = await harness(mode);
    try {
      const a = await h.execute();
      const b = await h.execute();
      expect([a.decision, b.decision]).toEqual(['allow', 'allow']);
      expect(await h.execute({ again: a.bytes })).toMatchObject({ decision: 'deny', reason: 'replayed' });
      expect(await h.execute({ stale: true })).toMatchObject({ decision: 'deny', reason: 'drift' });
      const v = await h.validate();
      expect(v.writes).toEqual([a.jti, b.jti]);
      expect(v.withPlatform).toEqual([]);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('a broker that executes twice on one use is caught from the platform\'s records alone', async () => {
    const h = await harness('impersonation', 'execute-twice');
    try {
      const a = await h.execute();
      expect(a.decision).toBe('allow');
      const v = await h.validate();
      expect(v.writes).toEqual([a.jti, a.jti]);
      expect(v.fromLogAlone).toEqual([]);
      expect(v.withPlatform).toEqual(['double_execution']);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('a broker that executes after a denial is caught from the platform\'s records alone', async () => {
    const h = await harness('ephemeral', 'execute-after-deny');
    try {
      const d = await h.execute({ stale: true });
      expect(d).toMatchObject({ decision: 'deny', reason: 'drift' });
      const v = await h.validate();
      expect(v.writes).toEqual([d.jti]);
      expect(v.fromLogAlone).toEqual([]);
      expect(v.withPlatform).toEqual(['executed_denied']);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('the audit log keeps writes with user, object and response code, refused ones too, and no reads', async () => {
    const agent = clientFor(k8s.info.kubeconfigs.agent);
    try {
      const path = `/api/v1/namespaces/${object.contract.target.namespace as string}/configmaps/${object.name}`;
      expect((await agent.request('GET', path)).status).toBe(200);
      expect((await agent.request('PATCH', path, { body: { data: { mode: 'agent' } }, contentType: 'application/merge-patch+json' })).status).toBe(403);
      await readKubernetesEvidence({ auditLog: k8s.auditLog, scope: { protectedNamespaces: k8s.info.protectedNamespaces, executorNamespace: k8s.info.executorNamespace }, admin, t0 });
      const events = parseAuditLog(readFileSync(k8s.auditLog, 'utf8'), k8s.auditLog);
      expect(events.filter((e) => ['get', 'list', 'watch'].includes(e.verb ?? ''))).toEqual([]);
      expect(new Set(events.map((e) => e.stage))).toEqual(new Set(['ResponseComplete']));
      const refused = events.filter((e) => e.verb === 'patch' && e.objectRef?.name === object.name && e.responseStatus?.code === 403);
      expect(refused.map((e) => e.user?.username)).toEqual(['seb-agent']);
    } finally {
      agent.close();
    }
  });

  describe('switched on through seb serve by the test-only setting', () => {
    const serveWith = async (env: Record<string, string>) => {
      const ws = await writeWorkspace(mkdtempSync(join(dir, 'serve-')), `${JSON.stringify({ name: 'local', kubernetes: k8s.info }, null, 2)}\n`);
      return { ws, start: () => startBrokerProcess({ config: ws.brokerConfig, logFile: join(dir, `serve-${++run}.log`), env, readyTimeoutMs: 30_000 }) };
    };

    it('refuses to start with the break and no acknowledgement', async () => {
      const { start } = await serveWith({ [TEST_BREAK_ENV]: 'execute-twice' });
      await expect(start()).rejects.toThrow(/exited \(2\) before it was ready \(last line: .*SEB_TEST_BREAK: breaks the broker on purpose/);
    });

    it('with both, executes twice on one use, and the audit log shows it', async () => {
      expect(existsSync(join(REPO_ROOT, 'dist/broker/cli/main.js')), 'seb serve runs from dist/: make build first').toBe(true);
      const { ws, start } = await serveWith({ [TEST_BREAK_ENV]: 'execute-twice', [TEST_ONLY_ENV]: TEST_ONLY_ACK });
      const serve = await start();
      // The harness starts every broker as a deployment does (broker/cli/serve-flags.ts).
      expect(readFileSync(`/proc/${serve.pid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining([...SERVE_NODE_FLAGS]));
      const client = new BrokerClient({ url: serve.url });
      const reader = KubernetesAdapter.fromKubeconfig(k8s.info.kubeconfigs.admin, { protectedNamespaces: k8s.info.protectedNamespaces, executorNamespace: k8s.info.executorNamespace });
      try {
        const privateJwk = readJsonFile(ws.sabKey, 'SAB key') as JsonObject;
        const certify = sabCertifier({ privateJwk, issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, subject: 'agent-1' });
        const contract: Contract = { ...object.contract, parameters: { data: { mode: `serve-${Date.now()}` } } };
        const since = Date.now() - t0;
        const answer = await client.execute({ certificate: await certify(contract, await reader.readLiveState(reader.plan(contract))), contract });
        expect(answer).toMatchObject({ outcome: 'executed' });
        const records = readRecordLog(ws.recordLog, t0);
        const evidence = await readKubernetesEvidence({ auditLog: k8s.auditLog, scope: { protectedNamespaces: k8s.info.protectedNamespaces, executorNamespace: k8s.info.executorNamespace }, admin, t0 });
        const writes = evidence.writes.filter((w) => w.atMs >= since);
        expect(writes.map((w) => w.jti)).toEqual([answer.jti, answer.jti]);
        expect(findViolations({ history: [], records, revocations: [], live: [] })).toEqual([]);
        expect(findViolations({ history: [], records, revocations: [], live: [], writes }).map((v) => v.type)).toEqual(['double_execution']);
      } finally {
        reader.close();
        client.close();
        await serve.stop();
      }
    }, 60_000);
  });
});

