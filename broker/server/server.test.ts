// The HTTP API with a platform double: status codes, bodies, and that no
// input, however bad, crashes or stalls the server.
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, issueFor, makeIssuer, NOW_S, requestBytes, type Issuer } from '../../harness/sample-certificates.js';
import { platformDouble } from '../../harness/fixtures/platform-double.js';
import { assembleBroker, type AssembledBroker } from '../config/assemble.js';
import { readSettings } from '../config/broker-config.js';
import { generateSigningKey } from '../sab/keygen.js';
import { silentLogger } from './logger.js';
import { BrokerMetrics } from './metrics.js';
import { ClientRateLimiter } from './rate-limit.js';
import { createBrokerServer } from './server.js';

const NOW_MS = NOW_S * 1000 + 1000;
let dir: string;
let issuer: Issuer;
let assembled: AssembledBroker;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-server-'));
  issuer = await makeIssuer();
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify(issuer.jwks));
  writeFileSync(join(dir, 'broker.jwk.json'), JSON.stringify((await generateSigningKey('EdDSA', 'broker-1')).privateJwk));
  const settings = readSettings(
    { id: 'broker-1', issuers: [ISSUER], audience: AUDIENCE, trustedKeys: 'jwks.json', brokerKey: 'broker.jwk.json', ledger: 'ledger.db', recordLog: 'log.db' },
    dir,
    'test config',
  );
  assembled = await assembleBroker(settings, [platformDouble()], { clock: () => NOW_MS });
  server = createBrokerServer({ broker: assembled.broker, log: assembled.log, metrics: new BrokerMetrics(), logger: silentLogger });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await assembled.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Raw bytes to the listening server; resolves with whatever it answered once either side closes. */
function sendRaw(bytes: Buffer): Promise<string> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

const post = (path: string, body: string | Buffer, type = 'application/json') => fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': type } });

describe('the broker API', () => {
  it('executes a certified request once, then denies its replay with 403', async () => {
    const bytes = requestBytes(await issueFor(issuer));
    const first = await post('/v1/execute', bytes);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ decision: 'allow', reason: null, outcome: 'succeeded', decisionSeq: 0 });
    const again = await post('/v1/execute', bytes);
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({ decision: 'deny', reason: 'replayed' });
  });

  it('verifies without consuming a use', async () => {
    const bytes = requestBytes(await issueFor(issuer));
    expect((await post('/v1/verify', bytes)).status).toBe(200);
    expect((await post('/v1/verify', bytes)).status).toBe(200);
    expect((await post('/v1/execute', bytes)).status).toBe(200);
  });

  it.each([
    ['malformed JSON', () => post('/v1/execute', '{"certificate":'), 400],
    ['duplicate members', () => post('/v1/execute', '{"certificate":"a","certificate":"b"}'), 400],
    ['a body over the cap', () => post('/v1/execute', Buffer.alloc(300 * 1024, 0x20)), 413],
    ['another media type', () => post('/v1/execute', '{}', 'text/plain'), 415],
    ['a wrong method', () => fetch(`${base}/v1/execute`), 405],
    ['an unknown path', () => fetch(`${base}/v2/anything`), 404],
    ['a bad proof parameter', () => fetch(`${base}/v1/log/inclusion-proof?seq=abc`), 400],
    ['a record that does not exist', () => fetch(`${base}/v1/log/inclusion-proof?seq=99999`), 400],
  ])('answers %s with a 4xx and a JSON reason', async (_, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.reason ?? body.error).toBeTruthy();
  });

  it('never crashes on arbitrary bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b))), async (body) => {
        const res = await post('/v1/execute', body as string);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        await res.arrayBuffer();
      }),
      { numRuns: 60 },
    );
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it.each(['GET //[ HTTP/1.1', 'GET http://[ HTTP/1.1', 'GET http://x:99999/ HTTP/1.1'])('answers the target %s, which no URL parser takes, with 400 and keeps serving', async (line) => {
    const answer = await sendRaw(Buffer.from(`${line}\r\nHost: broker\r\nConnection: close\r\n\r\n`));
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('survives any request line and headers a client sends', async () => {
    const token = fc.stringMatching(/^[!-~]{0,40}$/);
    const raw = fc.oneof(
      // Lines Node's parser may accept, with targets and headers of every shape.
      fc
        .record({
          method: fc.constantFrom('GET', 'POST', 'PUT', 'OPTIONS', 'CONNECT', 'X'),
          target: fc.oneof(token, fc.constantFrom('//[', 'http://[', 'http://x:99999/', '*', '/healthz?%', 'http://broker/v1/execute', '/%00', '//')),
          headers: fc.array(fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,12}$/), token), { maxLength: 4 }),
          body: fc.string({ maxLength: 64 }),
        })
        .map(({ method, target, headers, body }) =>
          Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: broker\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}Connection: close\r\n\r\n${body}`, 'latin1'),
        ),
      // Anything at all.
      fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
    );
    await fc.assert(
      fc.asyncProperty(raw, async (bytes) => {
        await sendRaw(bytes);
      }),
      { numRuns: 150 },
    );
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('labels request metrics by route, so 1000 unknown paths add no label values', async () => {
    const routeLabels = async () => new Set([...(await (await fetch(`${base}/metrics`)).text()).matchAll(/seb_request_seconds_count\{route="([^"]*)"/g)].map((m) => m[1]));
    await fetch(`${base}/no-such-path-warmup`);
    await routeLabels(); // the scrape itself is a route
    const before = await routeLabels();
    for (let i = 0; i < 1000; i++) await (await fetch(`${base}/unknown/${i}?q=${i}`)).arrayBuffer();
    const after = await routeLabels();
    expect([...after].sort()).toEqual([...before].sort());
    expect(after).toContain('unmatched');
    expect(after).toContain('/healthz');
  });

  it('answers a client over its rate limit with 429 and Retry-After, other clients and /healthz unaffected', async () => {
    const limiter = new ClientRateLimiter({ perSecond: 1, burst: 2 }, () => 0); // a clock that never moves
    const limitedServer = createBrokerServer({ broker: assembled.broker, log: assembled.log, metrics: new BrokerMetrics(), logger: silentLogger, rateLimiter: limiter });
    await new Promise<void>((resolve) => limitedServer.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(limitedServer.address() as AddressInfo).port}`;
      const verify = () => fetch(`${url}/v1/verify`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect((await verify()).status).toBe(400);
      expect((await verify()).status).toBe(400);
      const refused = await verify();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ error: 'too_many_requests' });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(limiter.admit('addr:another-client').ok).toBe(true);
    } finally {
      await new Promise((resolve) => limitedServer.close(resolve));
    }
  });

  it('counts each answer in /metrics before it serves the next request', async () => {
    const allows = async () => Number(/seb_decisions_total\{endpoint="execute",decision="allow",reason="none"\} (\d+)/.exec(await (await fetch(`${base}/metrics`)).text())?.[1] ?? 0);
    for (let i = 0; i < 5; i++) {
      const before = await allows();
      expect((await post('/v1/execute', requestBytes(await issueFor(issuer)))).status).toBe(200);
      expect(await allows()).toBe(before + 1);
    }
  });

  it('serves the log for auditors, metrics and its OpenAPI document', async () => {
    const head = (await (await fetch(`${base}/v1/log/tree-head`)).json()) as { size: number };
    expect(head.size).toBeGreaterThan(0);
    expect((await fetch(`${base}/v1/log/inclusion-proof?seq=0`)).status).toBe(200);
    expect((await fetch(`${base}/v1/log/consistency-proof?from=1`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/seb_decisions_total\{endpoint="execute",decision="deny",reason="replayed"\} \d+/);
    expect(metrics).toContain('seb_phase_seconds_bucket{le="0.001",phase="verify"}');
    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toContain('/v1/execute');
  });
});
