// Kubeconfigs as real clusters ship them, against the real local
// kube-apiserver: an exec credential plugin (a small script standing in for
// `aws eks get-token` or `gke-gcloud-auth-plugin`) that prints a client
// certificate or a ServiceAccount token, its caching until the expiry it
// states, a fresh run after a 401, and a token file.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor } from '../../../harness/workload/kinds/kubernetes-objects.js';
import { whoAmI } from '../../../harness/targets/external/kubernetes.js';
import { startLocalKubernetes, type LocalKubernetes } from '../../../harness/targets/local/kubernetes-target.js';
import { expectStatus, KubeClient, objectOf } from './client.js';
import { loadKubeconfig } from './kubeconfig.js';

let dir: string;
let k8s: LocalKubernetes;
let admin: KubeClient;
let saToken: string;
const SA = 'seb-exec-test';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-k8s-credentials-'));
  k8s = await startLocalKubernetes(join(dir, 'target'));
  admin = clientFor(k8s.info.kubeconfigs.admin);
  const ns = k8s.info.executorNamespace;
  expectStatus(await admin.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { body: { metadata: { name: SA } } }), [201], 'create SA');
  const minted = await admin.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${SA}/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } },
  });
  saToken = String(objectOf(objectOf(expectStatus(minted, [201], 'token request')).status).token);
});

afterAll(async () => {
  admin?.close();
  await k8s?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/**
 * A plugin that prints the n-th of `answers` on its n-th run (the last one
 * after that) and counts its runs in a file; args and env reach it as kubectl
 * passes them.
 */
function writePlugin(name: string, answers: readonly object[]): { kubeconfig: string; runs: () => number } {
  const base = join(dir, name);
  writeFileSync(`${base}.answers.json`, JSON.stringify(answers));
  writeFileSync(
    `${base}.mjs`,
    `#!/usr/bin/env node
import { appendFileSync, readFileSync } from 'node:fs';
const [answersFile, countFile] = process.argv.slice(2);
if (process.env.SEB_PLUGIN_ENV !== 'from-kubeconfig') { console.error('env missing'); process.exit(1); }
let runs = 0;
try { runs = readFileSync(countFile, 'utf8').length; } catch {}
appendFileSync(countFile, 'x');
const answers = JSON.parse(readFileSync(answersFile, 'utf8'));
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
console.log(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential', status: answers[Math.min(runs, answers.length - 1)] }));
`,
  );
  chmodSync(`${base}.mjs`, 0o755);
  const server = parse(readFileSync(k8s.info.kubeconfigs.admin, 'utf8')).clusters[0].cluster;
  const kubeconfig = `${base}.kubeconfig`;
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: server }],
      users: [
        {
          name: 'u',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              command: `./${name}.mjs`,
              args: [`${base}.answers.json`, `${base}.count`],
              env: [{ name: 'SEB_PLUGIN_ENV', value: 'from-kubeconfig' }],
              interactiveMode: 'Never',
            },
          },
        },
      ],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'c',
    }),
  );
  return {
    kubeconfig,
    runs: () => {
      try {
        return readFileSync(`${base}.count`, 'utf8').length;
      } catch {
        return 0;
      }
    },
  };
}

function connect(kubeconfig: string): KubeClient {
  const c = loadKubeconfig(kubeconfig);
  return KubeClient.connect(c, c.credential);
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const serviceAccount = () => `system:serviceaccount:${k8s.info.executorNamespace}:${SA}`;

describe('exec credential plugins against kube-apiserver', () => {
  it('a plugin token authenticates, and is cached until its expiry', async () => {
    const plugin = writePlugin('cached', [{ token: saToken, expirationTimestamp: inAnHour() }]);
    const client = connect(plugin.kubeconfig);
    try {
      expect(await whoAmI(client)).toBe(serviceAccount());
      expect(await whoAmI(client)).toBe(serviceAccount());
      expect(plugin.runs()).toBe(1);
    } finally {
      client.close();
    }
  });

  it('an expired credential makes the client run the plugin again', async () => {
    const plugin = writePlugin('expired', [{ token: saToken, expirationTimestamp: '2020-01-01T00:00:00Z' }]);
    const client = connect(plugin.kubeconfig);
    try {
      await whoAmI(client);
      await whoAmI(client);
      expect(plugin.runs()).toBe(2);
    } finally {
      client.close();
    }
  });

  it('a 401 makes the client run the plugin again and resend once', async () => {
    const plugin = writePlugin('refused', [{ token: 'not-a-token', expirationTimestamp: inAnHour() }, { token: saToken, expirationTimestamp: inAnHour() }]);
    const client = connect(plugin.kubeconfig);
    try {
      expect(await whoAmI(client)).toBe(serviceAccount());
      expect(plugin.runs()).toBe(2);
    } finally {
      client.close();
    }
  });

  it('a plugin that keeps printing a refused token gets the 401, after one retry', async () => {
    const plugin = writePlugin('always-refused', [{ token: 'not-a-token' }]);
    const client = connect(plugin.kubeconfig);
    try {
      const r = await client.request('GET', '/api/v1/namespaces');
      expect(r.status).toBe(401);
      expect(plugin.runs()).toBe(2);
    } finally {
      client.close();
    }
  });

  it('a plugin client certificate authenticates as its common name', async () => {
    const agent = parse(readFileSync(k8s.info.kubeconfigs.agent, 'utf8')).users[0].user;
    const pem = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
    const plugin = writePlugin('cert', [{ clientCertificateData: pem(agent['client-certificate-data']), clientKeyData: pem(agent['client-key-data']) }]);
    const client = connect(plugin.kubeconfig);
    try {
      expect(await whoAmI(client)).toBe('seb-agent');
      expect(plugin.runs()).toBe(1);
    } finally {
      client.close();
    }
  });

  it('a tokenFile kubeconfig authenticates with the file token', async () => {
    const tokenFile = join(dir, 'sa.token');
    writeFileSync(tokenFile, `${saToken}\n`, { mode: 0o600 });
    const config = parse(readFileSync(writePlugin('token-file', [{}]).kubeconfig, 'utf8'));
    config.users[0].user = { tokenFile };
    const kubeconfig = join(dir, 'token-file.kubeconfig');
    writeFileSync(kubeconfig, stringify(config));
    const client = connect(kubeconfig);
    try {
      expect(await whoAmI(client)).toBe(serviceAccount());
    } finally {
      client.close();
    }
  });
});
