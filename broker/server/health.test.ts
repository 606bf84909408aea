// /healthz tells the truth about the record log: a failed append makes the
// broker unhealthy (503, with the reason) and is logged, never swallowed.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { freshState, issueFor, makeIssuer, NOW_S, requestBytes } from '../../harness/sample-certificates.js';
import { platformDouble } from '../../harness/fixtures/platform-double.js';
import { Broker } from '../broker.js';
import type { RecordLog } from '../core/ports/record-log.js';
import { SqliteLedger } from '../stores/sqlite/ledger.js';
import { jsonLogger } from './logger.js';
import { BrokerMetrics } from './metrics.js';
import { createBrokerServer } from './server.js';

const NOW_MS = NOW_S * 1000 + 1000;
let dir: string;
let server: Server | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seb-health-'));
});
afterEach(async () => {
  if (server !== undefined) await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

it('a failed append turns /healthz to 503 with the reason, and is logged', async () => {
  const issuer = await makeIssuer();
  const ledger = new SqliteLedger(join(dir, 'ledger.db'));
  const reject = () => Promise.reject(new Error('UNIQUE constraint failed: entries.seq'));
  const failing = { appendDecision: reject, appendAllow: reject } as unknown as RecordLog;
  const broker = new Broker({ id: 'b1', policy: issuer.policy, state: () => freshState(NOW_MS), ledger, log: failing, platforms: [platformDouble()], clock: () => NOW_MS });
  const lines: string[] = [];
  server = createBrokerServer({ broker, log: failing, metrics: new BrokerMetrics(), logger: jsonLogger({}, (l) => lines.push(l)) });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  const res = await fetch(`${base}/v1/execute`, { method: 'POST', body: requestBytes(await issueFor(issuer)), headers: { 'content-type': 'application/json' } });
  expect(((await res.json()) as { reason: string }).reason).toBe('audit_unavailable');
  const health = await fetch(`${base}/healthz`);
  expect(health.status).toBe(503);
  expect(await health.json()).toEqual({ status: 'unhealthy', broker: 'b1', reason: 'a record could not be appended: UNIQUE constraint failed: entries.seq' });
  expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(expect.objectContaining({ level: 'error', error: 'UNIQUE constraint failed: entries.seq' }));
  await ledger.close();
});
