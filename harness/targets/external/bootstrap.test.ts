import { describe, expect, it } from 'vitest';
import { objectOf } from '../../../broker/platforms/kubernetes/client.js';
import { objectPath } from '../local/kubernetes-bootstrap.js';
import { principalForSimulation, refuseDenied } from './aws.js';
import { dryRun } from './bootstrap.js';
import { BOOTSTRAP_LABEL, createAttributes, describeAccess, externalStages, requiredAccess } from './kubernetes.js';

const options = { protectedNamespaces: ['prod'], executorNamespace: 'seb-executors', systemNamespace: 'seb-system', id: 'abc', admin: 'alice@example.com' };

describe('external Kubernetes bootstrap objects', () => {
  it('labels every object with the bootstrap id, so teardown and a listing can find them', () => {
    const objects = externalStages(options).flat();
    expect(objects.length).toBeGreaterThan(10);
    for (const o of objects) expect(objectOf(objectOf(o.body.metadata).labels)[BOOTSTRAP_LABEL]).toBe('abc');
    expect(new Set(objects.map(objectPath)).size).toBe(objects.length);
  });

  it('binds the agent and broker ServiceAccounts, which live outside the executor namespace', () => {
    const text = JSON.stringify(externalStages(options));
    expect(text).toContain('system:serviceaccount:seb-system:seb-broker');
    expect(text).toContain('system:serviceaccount:seb-system:seb-agent');
    expect(() => externalStages({ ...options, systemNamespace: 'seb-executors' })).toThrow(/must differ/);
    expect(() => externalStages({ ...options, systemNamespace: 'prod' })).toThrow(/must differ/);
  });

  it('exempts the admin who bootstraps from the admission policy, as the local break-glass admin is', () => {
    const policy = externalStages(options).flat().find((o) => o.collection.endsWith('/validatingadmissionpolicies'));
    const conditions = JSON.stringify(objectOf(policy?.body.spec).matchConditions);
    expect(conditions).toContain("'alice@example.com'");
    expect(conditions).toContain("'seb:break-glass' in request.userInfo.groups");
  });

  it.each([
    ['/api/v1/namespaces', { verb: 'create', group: '', resource: 'namespaces' }],
    ['/api/v1/namespaces/ns/serviceaccounts', { verb: 'create', group: '', resource: 'serviceaccounts', namespace: 'ns' }],
    ['/apis/rbac.authorization.k8s.io/v1/clusterroles', { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' }],
    ['/apis/rbac.authorization.k8s.io/v1/namespaces/ns/rolebindings', { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'ns' }],
  ])('asks about creating in %s', (collection, attributes) => {
    expect(createAttributes({ collection, body: {} })).toEqual(attributes);
  });

  it('asks about every object it creates, the token it mints and the impersonation of its probe', () => {
    const asked = requiredAccess(options).map(describeAccess);
    expect(asked).toContain('create validatingadmissionpolicies.admissionregistration.k8s.io');
    expect(asked).toContain('create serviceaccounts/token in seb-system');
    expect(asked).toContain('impersonate groups');
  });
});

describe('external AWS bootstrap', () => {
  it('simulates an assumed role as its role', () => {
    expect(principalForSimulation('arn:aws:sts::123456789012:assumed-role/Admin/me@example.com')).toBe('arn:aws:iam::123456789012:role/Admin');
    expect(principalForSimulation('arn:aws:iam::123456789012:user/ops')).toBe('arn:aws:iam::123456789012:user/ops');
  });

  it('refuses only when IAM answered and denied something', () => {
    expect(() => refuseDenied({ checked: true, denied: ['iam:CreateRole'] }, 'AWS profile p')).toThrow(/AWS profile p: may not iam:CreateRole/);
    expect(() => refuseDenied({ checked: true, denied: [] }, 'p')).not.toThrow();
    expect(() => refuseDenied({ checked: false, why: 'no simulator' }, 'p')).not.toThrow();
  });

  it('--dry-run prints the IAM documents and the S3 and DynamoDB names, and no table when asked for none', () => {
    const base = { outDir: '/x', name: 't', aws: { profile: 'p', region: 'eu-west-1', table: true } };
    const text = dryRun(base);
    expect(text).toContain('IAM role seb-executor: trust policy');
    expect(text).toContain('arn:aws:iam::ACCOUNT_ID:role/seb-executor');
    expect(text).toContain('S3 bucket seb-target-ACCOUNT_ID-eu-west-1');
    expect(text).toContain('DynamoDB table seb-target');
    expect(dryRun({ ...base, aws: { ...base.aws, table: false } })).not.toContain('DynamoDB table');
  });
});
