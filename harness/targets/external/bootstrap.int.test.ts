// The external path end to end: the local kube-apiserver (bare: no SEB
// objects) and a moto account (one admin user, IAM enforced) treated as
// someone else's cluster and account, reached only through the admin
// kubeconfig and an AWS profile. Dry run, a refused caller, bootstrap, the
// paper's tiny scenarios against the written target.json, teardown, and a
// listing that nothing of ours is left.
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { IAMClient, ListRolesCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, objectOf } from '../../../broker/platforms/kubernetes/client.js';
import { loadKubeconfig } from '../../../broker/platforms/kubernetes/kubeconfig.js';
import { runPaper } from '../../bench/paper.js';
import { REPO_ROOT } from '../../repo-root.js';
import { bareAccount } from '../local/aws-bootstrap.js';
import { installBinaries } from '../local/binaries.js';
import { startLocalKubernetes, type LocalKubernetes } from '../local/kubernetes-target.js';
import { startMoto } from '../local/moto.js';
import { bootstrapExternal, dryRun, MANIFEST_FILE, readManifest, teardownExternal, type BootstrapChoice } from './bootstrap.js';
import { BOOTSTRAP_LABEL } from './kubernetes.js';

const REGION = 'us-east-1';
let dir: string;
let k8s: LocalKubernetes;
let moto: { endpoint: string; stop(): Promise<void> };
const saved = { ...process.env };
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-external-'));
  const { moto_server: binary } = await installBinaries(['moto']);
  [k8s, moto] = await Promise.all([startLocalKubernetes(join(dir, 'cluster'), { bootstrap: false }), startMoto(binary as string, join(dir, 'moto.log'))]);
  const admin = await bareAccount(moto.endpoint, REGION, 'their-admin');
  writeFileSync(join(dir, 'aws-credentials'), `[their-admin]\naws_access_key_id = ${admin.accessKeyId}\naws_secret_access_key = ${admin.secretAccessKey}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'aws-config'), `[profile their-admin]\nregion = ${REGION}\n`, { mode: 0o600 });
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'aws-credentials');
  process.env.AWS_CONFIG_FILE = join(dir, 'aws-config');
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[k];
}, 120_000);

afterAll(async () => {
  Object.assign(process.env, saved);
  await Promise.all([k8s?.stop(), moto?.stop()]);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const choice = (out: string, kubeconfig = k8s.info.kubeconfigs.admin): BootstrapChoice => ({
  outDir: join(dir, out),
  name: 'theirs',
  kubernetes: { kubeconfig, protectedNamespaces: ['their-prod'], executorNamespace: 'seb-executors', systemNamespace: 'seb-system', tokenSeconds: 3600 },
  aws: { profile: 'their-admin', region: REGION, endpoint: moto.endpoint, table: true },
});

function adminClient(): KubeClient {
  const c = loadKubeconfig(k8s.info.kubeconfigs.admin);
  return KubeClient.connect(c, c.credential);
}

/** Everything on the cluster and in the account that carries our names or our label. */
async function ours(): Promise<string[]> {
  const admin = adminClient();
  const found: string[] = [];
  try {
    for (const list of [
      '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      '/apis/rbac.authorization.k8s.io/v1/rolebindings',
      '/apis/rbac.authorization.k8s.io/v1/roles',
      '/api/v1/serviceaccounts',
      '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies',
      '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings',
      '/api/v1/namespaces',
    ]) {
      const items = objectOf((await admin.request('GET', `${list}?labelSelector=${encodeURIComponent(BOOTSTRAP_LABEL)}`)).body).items;
      for (const item of Array.isArray(items) ? items : []) {
        const meta = objectOf(objectOf(item).metadata);
        if (meta.deletionTimestamp === undefined) found.push(`${list} ${String(meta.name)}`);
      }
    }
  } finally {
    admin.close();
  }
  const o = { endpoint: moto.endpoint, region: REGION, credentials: { ...readCredentials() } };
  const iam = new IAMClient(o);
  const s3 = new S3Client({ ...o, forcePathStyle: true });
  const ddb = new DynamoDBClient(o);
  try {
    found.push(...((await iam.send(new ListUsersCommand({}))).Users ?? []).map((u) => `IAM user ${u.UserName}`).filter((u) => u !== 'IAM user their-admin'));
    found.push(...((await iam.send(new ListRolesCommand({}))).Roles ?? []).map((r) => `IAM role ${r.RoleName}`));
    found.push(...((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => `S3 bucket ${b.Name}`));
    found.push(...((await ddb.send(new ListTablesCommand({}))).TableNames ?? []).map((t) => `DynamoDB table ${t}`));
  } finally {
    for (const c of [iam, s3, ddb]) c.destroy();
  }
  return found;
}

function readCredentials() {
  const text = readFileSync(join(dir, 'aws-credentials'), 'utf8');
  return { accessKeyId: /aws_access_key_id = (\S+)/.exec(text)?.[1] ?? '', secretAccessKey: /aws_secret_access_key = (\S+)/.exec(text)?.[1] ?? '' };
}

describe('seb target bootstrap / teardown on a cluster and an account that are not ours', () => {
  it('--dry-run prints every object and policy document, and creates nothing', async () => {
    const text = dryRun(choice('dry'));
    for (const expected of [
      'validatingadmissionpolicies',
      'seb-protected-namespaces',
      'seb:broker-executors',
      'system:serviceaccount:seb-system:seb-broker',
      '"sts:AssumeRole"',
      'arn:aws:iam::ACCOUNT_ID:user/seb-broker',
      'S3 bucket seb-target-ACCOUNT_ID-us-east-1',
    ]) {
      expect(text).toContain(expected);
    }
    expect(existsSync(join(dir, 'dry'))).toBe(false);
    expect(await ours()).toEqual([]);
  });

  it('refuses a caller the cluster does not let create the objects, before creating any', async () => {
    // The local target's agent certificate: authenticated, but no RBAC on this bare cluster.
    await expect(bootstrapExternal(choice('refused', k8s.info.kubeconfigs.agent), () => {})).rejects.toThrow(/the caller may not: create namespaces.*SelfSubjectAccessReview/);
    expect(readManifest(join(dir, 'refused', MANIFEST_FILE)).kubernetes?.created).toEqual([]);
    expect(await ours()).toEqual([]);
    rmSync(join(dir, 'refused'), { recursive: true });
  });

  it('bootstraps, runs the tiny paper scenarios against target.json, tears down, and leaves nothing of ours', async () => {
    const { targetFile } = await bootstrapExternal(choice('theirs'), (line) => logs.push(line));
    const target = JSON.parse(readFileSync(targetFile, 'utf8'));
    expect(target.aws.credentials.admin).toEqual({ profile: 'their-admin' });
    expect(target.kubernetes.kubeconfigs.admin).toBe(k8s.info.kubeconfigs.admin);
    expect((await ours()).length).toBeGreaterThan(0);
    // What was created is what --dry-run listed, object for object (all namespaces were new here).
    const manifest = readManifest(join(dir, 'theirs', MANIFEST_FILE));
    const listed = dryRun(choice('theirs')).match(/^# POST \S+ -> (\S+)$/gm)?.map((l) => l.split(' -> ')[1]);
    expect([...(manifest.kubernetes?.created ?? [])].sort()).toEqual([...(listed ?? [])].sort());
    expect(manifest.aws?.created.map((c) => c.kind)).toEqual(['user', 'user-policy', 'access-key', 'user', 'access-key', 'role', 'role-policy', 'user-policy', 'bucket', 'table']);

    const fixtures = ['tiny-latency', 'tiny-drift', 'tiny-storm'].map((f) => join(REPO_ROOT, 'harness/bench/fixtures', `${f}.yaml`));
    const result = await runPaper({ profile: 'quick', target: { kind: 'file', file: targetFile }, scenarios: fixtures, resultsRoot: join(dir, 'results'), workDir: join(dir, 'bench'), progress: null, log: (l) => logs.push(l) });
    expect(result.report.aborted).toBe(false);
    expect(result.report.completed.length).toBe(fixtures.length);
    expect(result.report.stormViolations).toBe(0);

    const torn = await teardownExternal(join(dir, 'theirs'), (line) => logs.push(line));
    expect(torn.left).toEqual([]);
    // A bare kube-apiserver has no namespace controller: the namespaces stay terminating.
    expect([...torn.terminating].sort()).toEqual(['/api/v1/namespaces/seb-executors', '/api/v1/namespaces/seb-system', '/api/v1/namespaces/their-prod']);
    const left = await ours();
    console.log(`[external] after teardown, objects and resources of ours: ${JSON.stringify(left)}`);
    expect(left).toEqual([]);
    expect(existsSync(targetFile)).toBe(false);
  }, 600_000);
});
