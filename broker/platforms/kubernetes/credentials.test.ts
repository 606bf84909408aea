import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, IoError } from '../../core/errors.js';
import {
  CachedSource,
  inClusterConfig,
  parseExecCredential,
  readExecConfig,
  runExecPlugin,
  tokenFileSource,
  TOKEN_FILE_REREAD_MS,
  type Issued,
  type StaticCredential,
} from './credentials.js';

const V1 = 'client.authentication.k8s.io/v1';
const dir = mkdtempSync(join(tmpdir(), 'seb-credentials-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const execCredential = (status: object, over: object = {}) => JSON.stringify({ apiVersion: V1, kind: 'ExecCredential', status, ...over });

describe('parseExecCredential', () => {
  it('reads any token and any RFC 3339 expiry', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.date({ min: new Date('2000-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }), (token, when) => {
        const issued = parseExecCredential(execCredential({ token, expirationTimestamp: when.toISOString() }), V1, 'p');
        expect(issued).toEqual({ credential: { kind: 'token', token }, expiresAt: when.getTime() });
      }),
    );
  });

  it('reads a client certificate, and no expiry means none', () => {
    const issued = parseExecCredential(execCredential({ clientCertificateData: 'CERT', clientKeyData: 'KEY' }), V1, 'p');
    expect(issued).toEqual({ credential: { kind: 'cert', cert: Buffer.from('CERT'), key: Buffer.from('KEY') } });
  });

  it('reads an offset time zone as the same instant', () => {
    const issued = parseExecCredential(execCredential({ token: 't', expirationTimestamp: '2030-01-01T02:00:00+02:00' }), V1, 'p');
    expect(issued.expiresAt).toBe(Date.parse('2030-01-01T00:00:00Z'));
  });

  it.each<[string, string]>([
    ['not JSON', 'token: x'],
    ['another kind', execCredential({ token: 't' }, { kind: 'Secret' })],
    ['another apiVersion', execCredential({ token: 't' }, { apiVersion: 'client.authentication.k8s.io/v1beta1' })],
    ['no status', JSON.stringify({ apiVersion: V1, kind: 'ExecCredential' })],
    ['an empty token', execCredential({ token: '' })],
    ['a certificate without its key', execCredential({ clientCertificateData: 'CERT' })],
    ['a token and a certificate', execCredential({ token: 't', clientCertificateData: 'C', clientKeyData: 'K' })],
    ['a time that is not RFC 3339', execCredential({ token: 't', expirationTimestamp: 'tomorrow' })],
    ['a time as a number', execCredential({ token: 't', expirationTimestamp: 1_900_000_000 })],
  ])('refuses %s, naming the plugin', (_, stdout) => {
    expect(() => parseExecCredential(stdout, V1, 'exec plugin p')).toThrow(/^exec plugin p: /);
    expect(() => parseExecCredential(stdout, V1, 'exec plugin p')).toThrow(IoError);
  });
});

describe('CachedSource', () => {
  const token = (n: number): StaticCredential => ({ kind: 'token', token: `t${n}` });

  it('fetches again exactly when the cached credential has expired or was invalidated', async () => {
    // Model: a list of steps (advance the clock, ask, or report a 401 for what was last handed out).
    const step = fc.oneof(fc.record({ advance: fc.integer({ min: 0, max: 2_000 }) }), fc.constant({ ask: true }), fc.constant({ refused: true }));
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), fc.option(fc.integer({ min: 1, max: 3_000 }), { nil: undefined }), async (steps, lifetime) => {
        let now = 0;
        let fetches = 0;
        const source = new CachedSource(
          'test',
          async (): Promise<Issued> => {
            fetches += 1;
            return { credential: token(fetches), ...(lifetime === undefined ? {} : { expiresAt: now + lifetime }) };
          },
          () => now,
        );
        let model: { n: number; expiresAt: number | undefined } | undefined;
        let last: StaticCredential | undefined;
        for (const s of steps) {
          if ('advance' in s) now += s.advance;
          else if ('ask' in s) {
            const stale = model === undefined || (model.expiresAt !== undefined && now >= model.expiresAt);
            if (stale) model = { n: (model?.n ?? 0) + 1, expiresAt: lifetime === undefined ? undefined : now + lifetime };
            last = await source.current();
            expect(last).toEqual(token(model!.n));
            expect(fetches).toBe(model!.n);
          } else if (last !== undefined && model !== undefined) {
            // Sequentially, what was handed out last is what the source holds: a 401 for it drops it.
            source.invalidate(last);
            model = { ...model, expiresAt: Number.NEGATIVE_INFINITY };
          }
        }
      }),
    );
  });

  it('runs one fetch for concurrent callers', async () => {
    let fetches = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const source = new CachedSource('test', async () => {
      fetches += 1;
      await gate;
      return { credential: token(fetches) };
    });
    const asks = Array.from({ length: 20 }, () => source.current());
    release();
    const got = await Promise.all(asks);
    expect(fetches).toBe(1);
    expect(new Set(got).size).toBe(1);
  });

  it('a 401 for an old credential does not drop a newer one', async () => {
    let fetches = 0;
    const source = new CachedSource('test', async () => ({ credential: token(++fetches) }));
    const first = await source.current();
    source.invalidate(first);
    const second = await source.current();
    source.invalidate(first);
    expect(await source.current()).toBe(second);
    expect(fetches).toBe(2);
  });

  it('a failed fetch is not cached: the next ask tries again', async () => {
    let fetches = 0;
    const source = new CachedSource('test', async () => {
      fetches += 1;
      if (fetches === 1) throw new IoError('plugin down');
      return { credential: token(fetches) };
    });
    await expect(source.current()).rejects.toThrow('plugin down');
    expect(await source.current()).toEqual(token(2));
  });
});

describe('runExecPlugin', () => {
  const plugin = join(dir, 'plugin.mjs');
  writeFileSync(
    plugin,
    `#!/usr/bin/env node
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
if (process.argv[2] === 'fail') { console.error('no session; run login'); process.exit(3); }
console.log(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential',
  status: { token: [process.argv[2], process.env.SEB_TEST_ENV, info.spec.interactive, info.spec.cluster?.server].join('|'), expirationTimestamp: '2031-02-03T04:05:06Z' } }));
`,
  );
  chmodSync(plugin, 0o755);

  it('passes args, env and KUBERNETES_EXEC_INFO, and reads the answer', async () => {
    const issued = await runExecPlugin({ apiVersion: V1, command: plugin, args: ['arg1'], env: { SEB_TEST_ENV: 'env1' }, cluster: { server: 'https://k' } });
    expect(issued).toEqual({ credential: { kind: 'token', token: 'arg1|env1|false|https://k' }, expiresAt: Date.parse('2031-02-03T04:05:06Z') });
  });

  it('a failing plugin is an IoError with the last line it printed', async () => {
    await expect(runExecPlugin({ apiVersion: V1, command: plugin, args: ['fail'], env: {} })).rejects.toThrow(/exec plugin .*plugin\.mjs failed: .*no session; run login/);
  });

  it('a command that does not exist is an IoError', async () => {
    await expect(runExecPlugin({ apiVersion: V1, command: join(dir, 'missing'), args: [], env: {} })).rejects.toThrow(IoError);
  });
});

describe('readExecConfig', () => {
  const fail = (m: string): never => {
    throw new ConfigError('kubeconfig k', m);
  };
  it('reads what kubectl reads', () => {
    expect(readExecConfig({ apiVersion: V1, command: 'aws', args: ['eks', 'get-token'], env: [{ name: 'AWS_PROFILE', value: 'p' }], provideClusterInfo: true, installHint: 'x' }, fail)).toEqual({
      apiVersion: V1,
      command: 'aws',
      args: ['eks', 'get-token'],
      env: { AWS_PROFILE: 'p' },
      provideClusterInfo: true,
    });
  });
  it.each<[string, object]>([
    ['an unknown apiVersion', { apiVersion: 'client.authentication.k8s.io/v1alpha1', command: 'x' }],
    ['no command', { apiVersion: V1 }],
    ['interactive plugins', { apiVersion: V1, command: 'x', interactiveMode: 'Always' }],
    ['args that are not strings', { apiVersion: V1, command: 'x', args: [1] }],
    ['env as a map', { apiVersion: V1, command: 'x', env: { A: 'b' } }],
    ['an unknown member', { apiVersion: V1, command: 'x', shell: true }],
  ])('refuses %s', (_, exec) => {
    expect(() => readExecConfig(exec, fail)).toThrow(ConfigError);
  });
});

describe('token files and in-cluster credentials', () => {
  it('re-reads a token file once a minute, so a rotated token is picked up', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'first\n');
    let now = 1_000;
    const source = tokenFileSource(file, () => now);
    expect(await source.current()).toEqual({ kind: 'token', token: 'first' });
    writeFileSync(file, 'second\n');
    now += TOKEN_FILE_REREAD_MS - 1;
    expect(await source.current()).toEqual({ kind: 'token', token: 'first' });
    now += 1;
    expect(await source.current()).toEqual({ kind: 'token', token: 'second' });
  });

  it('re-reads a token file at once after a 401', async () => {
    const file = join(dir, 'token-401');
    writeFileSync(file, 'old');
    const source = tokenFileSource(file, () => 0);
    const old = await source.current();
    writeFileSync(file, 'new');
    source.invalidate(old);
    expect(await source.current()).toEqual({ kind: 'token', token: 'new' });
  });

  it('finds the pod ServiceAccount from the environment and the mounted files', async () => {
    const sa = join(dir, 'sa');
    rmSync(sa, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sa);
    writeFileSync(join(sa, 'ca.crt'), 'CA');
    writeFileSync(join(sa, 'token'), 'pod-token');
    writeFileSync(join(sa, 'namespace'), 'seb-system');
    const pod = inClusterConfig({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, sa);
    expect(pod.server).toBe('https://10.96.0.1:443');
    expect(pod.ca.toString()).toBe('CA');
    expect(pod.namespace).toBe('seb-system');
    expect(await pod.source.current()).toEqual({ kind: 'token', token: 'pod-token' });
    expect(inClusterConfig({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, sa).server).toBe('https://[fd00::1]:6443');
  });

  it.each<[string, NodeJS.ProcessEnv, string]>([
    ['outside a pod', {}, 'not running in a pod'],
    ['a port that is not one', { KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: 'https' }, 'is not a port'],
    ['no mounted token', { KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '443' }, 'cannot be read'],
  ])('refuses %s with a ConfigError', (_, env, message) => {
    expect(() => inClusterConfig(env, join(dir, 'nowhere'))).toThrow(message);
  });
});
