import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '../../core/errors.js';
import { parseKubeconfig } from './kubeconfig.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function config(overrides: { cluster?: object; user?: object; current?: string } = {}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'c1', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64('CA'), ...overrides.cluster } },
      { name: 'c2', cluster: { server: 'https://10.0.0.1', 'certificate-authority': 'ca.pem' } },
    ],
    users: [
      { name: 'u1', user: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY'), ...overrides.user } },
      { name: 'u2', user: { tokenFile: '/abs/token' } },
    ],
    contexts: [
      { name: 'one', context: { cluster: 'c1', user: 'u1' } },
      { name: 'two', context: { cluster: 'c2', user: 'u2' } },
    ],
    'current-context': overrides.current ?? 'one',
  });
}

const files: Record<string, string> = { '/etc/kube/ca.pem': 'FILE-CA', '/abs/token': 'tok-123\n' };
const readFile = (path: string) => {
  const content = files[path];
  if (content === undefined) throw new Error(`ENOENT ${path}`);
  return Buffer.from(content);
};
const source = { file: '/etc/kube/config', readFile };

describe('parseKubeconfig', () => {
  it('reads the current context with embedded data', () => {
    const c = parseKubeconfig(config(), source);
    expect(c.server).toBe('https://127.0.0.1:6443');
    expect(c.context).toBe('one');
    expect(c.ca?.toString()).toBe('CA');
    expect(c.credential).toEqual({ kind: 'cert', cert: Buffer.from('CERT'), key: Buffer.from('KEY') });
  });

  it('reads a named context with file paths, relative to the kubeconfig', async () => {
    const c = parseKubeconfig(config(), { ...source, context: 'two' });
    expect(c.ca?.toString()).toBe('FILE-CA');
    expect(c.credential.kind).toBe('source');
    if (c.credential.kind === 'source') await expect(c.credential.source.current()).resolves.toEqual({ kind: 'token', token: 'tok-123' });
  });

  it('reads an exec plugin, its command relative to the kubeconfig, and passes the cluster when asked', () => {
    const exec = { apiVersion: 'client.authentication.k8s.io/v1', command: './bin/get-token', args: ['--x'], provideClusterInfo: true };
    const c = parseKubeconfig(config({ user: { 'client-certificate-data': undefined, 'client-key-data': undefined, exec } }), source);
    expect(c.credential.kind).toBe('source');
    if (c.credential.kind === 'source') expect(c.credential.source.description).toBe('exec plugin /etc/kube/bin/get-token');
  });

  it.each<[string, string, string | undefined]>([
    ['a context that does not exist', config(), 'three'],
    ['no current context', config({ current: '' }), undefined],
    ['skip-verify', config({ cluster: { 'insecure-skip-tls-verify': true } }), undefined],
    ['plain http', config({ cluster: { server: 'http://127.0.0.1:8080' } }), undefined],
    ['an exec plugin without apiVersion', config({ user: { 'client-certificate-data': undefined, 'client-key-data': undefined, exec: { command: 'aws' } } }), undefined],
    ['an exec plugin beside a certificate', config({ user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'aws' } } }), undefined],
    ['a token file that cannot be read', config({ user: { 'client-certificate-data': undefined, 'client-key-data': undefined, tokenFile: 'missing' } }), undefined],
    ['an auth provider', config({ user: { 'auth-provider': { name: 'gcp' } } }), undefined],
    ['impersonation', config({ user: { as: 'root' } }), undefined],
    ['both a path and data', config({ user: { 'client-key': 'k.pem' } }), undefined],
    ['a certificate without a key', config({ user: { 'client-key-data': undefined } }), undefined],
    ['a certificate and a token', config({ user: { token: 't' } }), undefined],
    ['a file that cannot be read', config({ cluster: { 'certificate-authority-data': undefined, 'certificate-authority': 'missing.pem' } }), undefined],
    ['not YAML', '{{{', undefined],
  ])('refuses %s with an error naming the file', (_, text, context) => {
    let error: unknown;
    try {
      parseKubeconfig(text, { ...source, ...(context === undefined ? {} : { context }) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('kubeconfig /etc/kube/config');
  });
});
