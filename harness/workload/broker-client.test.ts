// The agent's side of /v1/execute: every answer, and every failure to get
// one, becomes an outcome; nothing throws.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../broker/core/errors.js';
import { BrokerClient, toOutcome } from './broker-client.js';
import { mutationRegistry, type MutationKind } from './mutation.js';

const CONTRACT = { platform: 'aws' as const, target: { arn: 'arn:aws:s3:::b' }, operation: 's3-put-object', parameters: {} };

describe('toOutcome', () => {
  it('reads allow, deny and everything else', () => {
    expect(toOutcome(200, '{"decision":"allow","reason":null,"jti":"j1","outcome":"succeeded","phases":{"verify":0.5,"ledger":1,"bogus":3,"mint":"x"}}')).toEqual({
      outcome: 'executed',
      reason: null,
      jti: 'j1',
      phases: { verify: 0.5, ledger: 1 },
    });
    expect(toOutcome(403, '{"decision":"deny","reason":"replayed","jti":"j1","phases":{"verify":0.2}}')).toEqual({ outcome: 'denied', reason: 'replayed', jti: 'j1', phases: { verify: 0.2 } });
    expect(toOutcome(502, '{"decision":"deny","reason":"invoke_failed","jti":"j1","outcome":"unknown"}')).toMatchObject({ outcome: 'denied', reason: 'invoke_failed' });
    expect(toOutcome(413, '{"decision":"deny","reason":"malformed","jti":null}')).toMatchObject({ outcome: 'denied', reason: 'malformed', jti: null });
    expect(toOutcome(500, '{"error":"internal","message":"x"}')).toMatchObject({ outcome: 'error', reason: 'HTTP 500: internal' });
    expect(toOutcome(502, '<html>bad gateway</html>')).toEqual({ outcome: 'error', reason: 'HTTP 502: not JSON' });
    expect(toOutcome(200, '{"decision":"allow","reason":null,"jti":"j","outcome":"failed"}')).toMatchObject({ outcome: 'error', reason: 'allowed but outcome failed' });
  });

  it('reads a /v1/verify allow as passed (nothing ran), and its denials as on /v1/execute', () => {
    expect(toOutcome(200, '{"decision":"allow","reason":null,"jti":"j1"}', 'verify')).toEqual({ outcome: 'passed', reason: null, jti: 'j1' });
    expect(toOutcome(403, '{"decision":"deny","reason":"revoked","jti":"j1"}', 'verify')).toMatchObject({ outcome: 'denied', reason: 'revoked' });
    expect(toOutcome(200, '{"decision":"allow","reason":null,"jti":"j1"}')).toMatchObject({ outcome: 'error' });
  });
});

describe('BrokerClient', () => {
  let server: Server;
  let url: string;
  const bodies: unknown[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        bodies.push({ type: req.headers['content-type'], path: req.url, body: JSON.parse(text), text });
        if (req.url === '/slow/v1/execute') return; // never answers
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(req.url === '/v1/verify' ? '{"decision":"allow","reason":null,"jti":"j"}' : '{"decision":"allow","reason":null,"jti":"j","outcome":"succeeded","phases":{"verify":1}}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('POSTs the request as JSON to /v1/execute under the base URL', async () => {
    const client = new BrokerClient({ url });
    expect(await client.execute({ certificate: 'c.e.rt', contract: CONTRACT })).toMatchObject({ outcome: 'executed', phases: { verify: 1 } });
    client.close();
    expect(bodies.at(-1)).toMatchObject({ type: 'application/json', path: '/v1/execute', body: { certificate: 'c.e.rt', contract: CONTRACT } });
  });

  it('sends a raw body byte for byte, and probes /v1/verify', async () => {
    const client = new BrokerClient({ url });
    const raw = '{ "contract": {}, "certificate": "x.y.z" }';
    expect(await client.execute(raw)).toMatchObject({ outcome: 'executed' });
    expect(bodies.at(-1)).toMatchObject({ path: '/v1/execute', text: raw });
    expect(await client.verify({ certificate: 'c.e.rt', contract: CONTRACT })).toEqual({ outcome: 'passed', reason: null, jti: 'j' });
    expect(bodies.at(-1)).toMatchObject({ path: '/v1/verify', body: { certificate: 'c.e.rt', contract: CONTRACT } });
    client.close();
  });

  it('turns a timeout and a refused connection into errors', async () => {
    const slow = new BrokerClient({ url: `${url}/slow/`, timeoutMs: 100 });
    expect(await slow.execute({ certificate: 'c', contract: CONTRACT })).toEqual({ outcome: 'error', reason: 'no answer within 100 ms' });
    slow.close();
    const nowhere = new BrokerClient({ url: 'http://127.0.0.1:1' });
    expect(await nowhere.execute({ certificate: 'c', contract: CONTRACT })).toMatchObject({ outcome: 'error', reason: expect.stringMatching(/ECONNREFUSED/) });
    nowhere.close();
  });

  it('refuses a URL it cannot use, naming the setting', () => {
    expect(() => new BrokerClient({ url: 'not a url' })).toThrow(ConfigError);
    expect(() => new BrokerClient({ url: 'ftp://x' })).toThrow(/broker url: must be http or https/);
  });
});

describe('mutationRegistry', () => {
  const kind = (name: string, platform: 'kubernetes' | 'aws') => ({ name, platform, contract: () => CONTRACT, preState: async () => ({ state: null }), directCall: async () => undefined }) as unknown as MutationKind;
  it('indexes kinds from the catalogue, and refuses others', () => {
    expect([...mutationRegistry([kind('s3-put-object', 'aws'), kind('configmap-data', 'kubernetes')]).keys()]).toEqual(['s3-put-object', 'configmap-data']);
    expect(() => mutationRegistry([kind('pod-delete', 'kubernetes')])).toThrow(/mutation kind pod-delete: not in the catalogue/);
    expect(() => mutationRegistry([kind('s3-put-object', 'kubernetes')])).toThrow(/belongs to aws, not kubernetes/);
    expect(() => mutationRegistry([kind('s3-put-object', 'aws'), kind('s3-put-object', 'aws')])).toThrow(/registered twice/);
  });
});
