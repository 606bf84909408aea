// Minting and retiring executors. An executor is a ServiceAccount whose RBAC
// grants one verb on one named object. Three modes, measured against each
// other (docs/design.md section 2.3; README "Kubernetes executor modes"):
// - impersonation (default): one executor per permission shape, made on first
//   use and kept, as in pooled. Per execution nothing is created: the broker
//   sends the one write as the executor (Impersonate-User), carrying the
//   certificate's jti and contract digest as Impersonate-Extra attributes, so
//   the API server's audit log ties the write to its certificate. The
//   identity exists for that one request; there is nothing to retire.
// - pooled: the same executors; per execution a token from the TokenRequest
//   API (audience-restricted, the shortest expiry the server allows, 600 s),
//   bound to a Secret made for that one execution, so that deleting the
//   Secret in retire() ends the token long before its expiry.
// - ephemeral: as pooled, but ServiceAccount, Role and RoleBinding are made
//   per execution and deleted with the Secret; nothing outlives it.
//
// How soon a retired token stops working: kube-apiserver caches a successful
// token authentication for 10 s (TokenSuccessCacheTTL, no flag), so a token
// still authenticates for up to 10 s after its Secret is gone. In ephemeral
// mode the RoleBinding goes too, which ends its authority within the RBAC
// informer's lag; in pooled mode the grant stays, so for up to 10 s the token
// (held only by this process) could still make its one certified kind of write.
//
// A grant takes a moment to reach the API server's authorizer (it reads RBAC
// from an informer), so the first token of a new grant is checked with a
// SelfSubjectAccessReview before it is handed out.
import type { ScopedIdentity } from '../../core/ports/platform.js';
import { IoError } from '../../core/errors.js';
import type { JsonObject } from '../../core/strict-json.js';
import { expectStatus, objectOf, type KubeClient } from './client.js';
import {
  bindingSecret,
  executionName,
  type ExecutorObjects,
  paths,
  pooledName,
  role,
  roleBinding,
  selfAccessReview,
  serviceAccount,
  tokenRequest,
} from './executor-objects.js';
import type { KubernetesPlan, ScopedRule } from './operations.js';

export const EXECUTOR_MODES = ['impersonation', 'pooled', 'ephemeral'] as const;
export type ExecutorMode = (typeof EXECUTOR_MODES)[number];

/** What the certificate contributes to an impersonated request's identity (Impersonate-Extra-*), for the audit log. */
export interface CertificateRef {
  readonly jti: string;
  readonly cdg: string;
}

export const IMPERSONATION_EXTRA = { jti: 'seb-jti', contractDigest: 'seb-contract-digest' } as const;

export interface ExecutorOptions {
  /** Where executor ServiceAccounts and binding Secrets live. */
  readonly namespace: string;
  /** The token audience; the API server must list it in --api-audiences. */
  readonly audience: string;
  readonly mode: ExecutorMode;
  /** How long to wait for a new grant to reach the authorizer. */
  readonly grantWaitMs?: number;
}

/** What invoke and retire need: the client speaking as the executor, and what to delete (nothing for an impersonation). */
export class ExecutorHandle {
  constructor(
    readonly client: KubeClient,
    readonly objects: ExecutorObjects | undefined,
  ) {}
}

const DEFAULT_GRANT_WAIT_MS = 5000;

export class Executors {
  /** Pooled shapes prepared (or being prepared) by this process. */
  private readonly pool = new Map<string, Promise<void>>();
  /** Pooled shapes whose grant the authorizer has been seen to honour. */
  private readonly granted = new Set<string>();

  constructor(
    private readonly broker: KubeClient,
    private readonly options: ExecutorOptions,
  ) {}

  /** Names for what one mint creates, chosen before it (the broker signs them into the intent); an impersonation creates nothing. */
  reserve(plan: KubernetesPlan): ExecutorObjects | undefined {
    if (this.options.mode === 'impersonation') return undefined;
    return {
      namespace: this.options.namespace,
      secret: executionName('seb-bind'),
      ephemeral: this.options.mode === 'pooled' ? undefined : { name: executionName('seb-exec'), roleNamespace: plan.rule.namespace },
    };
  }

  /** Creates exactly the reserved objects (a fresh reservation when none is given). */
  async mint(plan: KubernetesPlan, certificate: CertificateRef, reserved: ExecutorObjects | undefined = this.reserve(plan)): Promise<ScopedIdentity> {
    if (reserved === undefined) return this.impersonate(plan, certificate);
    const objects = reserved;
    const { jti } = certificate;
    const ns = this.options.namespace;
    const pooled = objects.ephemeral === undefined;
    const name = objects.ephemeral?.name ?? pooledName(plan.shape);
    try {
      const secret = pooled ? await this.preparePooled(plan, name, objects.secret, jti) : await this.prepareEphemeral(plan, name, objects.secret, jti);
      const issued = await this.requestToken(name, secret);
      const client = this.broker.withToken(issued.token);
      if (!pooled || !this.granted.has(plan.shape)) {
        await this.awaitGrant(client, plan.rule);
        if (pooled) this.granted.add(plan.shape);
      }
      return {
        platform: 'kubernetes',
        principal: `system:serviceaccount:${ns}:${name}`,
        expiresAt: issued.expiresAt,
        handle: new ExecutorHandle(client, objects),
      };
    } catch (error) {
      // Leave nothing usable behind a failed mint.
      await this.retire(objects).catch(() => undefined);
      throw error;
    }
  }

  /** Deletes the binding Secret (the token dies with it) and, in ephemeral mode, the executor. Gone already is fine. */
  async retire(objects: ExecutorObjects | undefined): Promise<void> {
    if (objects === undefined) return;
    const deletions = [`${paths.secrets(objects.namespace)}/${objects.secret}`];
    if (objects.ephemeral !== undefined) {
      const { name, roleNamespace } = objects.ephemeral;
      deletions.push(`${paths.roleBindings(roleNamespace)}/${name}`, `${paths.roles(roleNamespace)}/${name}`, `${paths.serviceAccounts(objects.namespace)}/${name}`);
    }
    const results = await Promise.allSettled(deletions.map(async (path) => expectStatus(await this.broker.request('DELETE', path), [200, 202, 404], `delete ${path}`)));
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failed.length > 0) throw new IoError(`retire: ${failed.join('; ')}`);
  }

  private async prepareEphemeral(plan: KubernetesPlan, name: string, secretName: string, jti: string): Promise<JsonObject> {
    const ns = this.options.namespace;
    const [, , secret] = await settled([
      this.create(paths.serviceAccounts(ns), serviceAccount(name, ns, plan.shape)),
      this.create(paths.roles(plan.rule.namespace), role(name, plan.rule, plan.shape)),
      this.create(paths.secrets(ns), bindingSecret(secretName, ns, jti)),
    ]);
    // The binding needs its Role to exist: without `bind`, the API server checks the Role's rules against the broker's own.
    await this.create(paths.roleBindings(plan.rule.namespace), roleBinding(name, plan.rule.namespace, { name, namespace: ns }));
    return secret;
  }

  /** The executor of this shape, as the broker's client impersonating it; its grant checked on first use. */
  private async impersonate(plan: KubernetesPlan, certificate: CertificateRef): Promise<ScopedIdentity> {
    const name = pooledName(plan.shape);
    await this.pooled(plan, name);
    const principal = `system:serviceaccount:${this.options.namespace}:${name}`;
    const client = this.broker.impersonating(principal, { [IMPERSONATION_EXTRA.jti]: certificate.jti, [IMPERSONATION_EXTRA.contractDigest]: certificate.cdg });
    if (!this.granted.has(plan.shape)) {
      await this.awaitGrant(client, plan.rule);
      this.granted.add(plan.shape);
    }
    // Nothing outlives the request; the expiry says so to anyone who keeps the handle.
    return { platform: 'kubernetes', principal, expiresAt: Date.now(), handle: new ExecutorHandle(client, undefined) };
  }

  private async preparePooled(plan: KubernetesPlan, name: string, secretName: string, jti: string): Promise<JsonObject> {
    const ns = this.options.namespace;
    const [, secret] = await settled([this.pooled(plan, name), this.create(paths.secrets(ns), bindingSecret(secretName, ns, jti))]);
    return secret;
  }

  /** The pooled executor of a shape: made on first use (or found, made by a peer), then reused. */
  private pooled(plan: KubernetesPlan, name: string): Promise<void> {
    const ns = this.options.namespace;
    let ready = this.pool.get(plan.shape);
    if (ready === undefined) {
      // Made by an earlier process or a peer broker: 409 means it is there already.
      ready = (async () => {
        await settled([
          this.create(paths.serviceAccounts(ns), serviceAccount(name, ns, plan.shape), true),
          this.create(paths.roles(plan.rule.namespace), role(name, plan.rule, plan.shape), true),
        ]);
        await this.create(paths.roleBindings(plan.rule.namespace), roleBinding(name, plan.rule.namespace, { name, namespace: ns }), true);
      })();
      this.pool.set(plan.shape, ready);
      ready.catch(() => this.pool.delete(plan.shape));
    }
    return ready;
  }

  private async requestToken(serviceAccountName: string, secret: JsonObject): Promise<{ token: string; expiresAt: number }> {
    const meta = objectOf(secret.metadata);
    const uid = typeof meta.uid === 'string' ? meta.uid : undefined;
    const name = typeof meta.name === 'string' ? meta.name : undefined;
    if (uid === undefined || name === undefined) throw new IoError('binding secret: the API server returned no name and uid');
    const body = await this.create(paths.token(this.options.namespace, serviceAccountName), tokenRequest(this.options.audience, { name, uid }));
    const status = objectOf(body.status);
    const token = typeof status.token === 'string' ? status.token : undefined;
    const expiresAt = typeof status.expirationTimestamp === 'string' ? Date.parse(status.expirationTimestamp) : NaN;
    if (token === undefined || Number.isNaN(expiresAt)) throw new IoError('TokenRequest: the API server returned no token or expiry');
    return { token, expiresAt };
  }

  private async awaitGrant(client: KubeClient, rule: ScopedRule): Promise<void> {
    const deadline = Date.now() + (this.options.grantWaitMs ?? DEFAULT_GRANT_WAIT_MS);
    for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
      const review = objectOf(expectStatus(await client.request('POST', paths.selfAccessReviews, { body: selfAccessReview(rule) }), [201], 'SelfSubjectAccessReview'));
      if (objectOf(review.status).allowed === true) return;
      if (Date.now() > deadline) throw new IoError(`executor grant not effective after ${this.options.grantWaitMs ?? DEFAULT_GRANT_WAIT_MS} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  private async create(path: string, body: JsonObject, existingIsFine = false): Promise<JsonObject> {
    const response = await this.broker.request('POST', path, { body });
    return objectOf(expectStatus(response, existingIsFine ? [200, 201, 409] : [200, 201], `create ${path}`));
  }
}

/** Promise.all that waits for every promise before failing, so cleanup never races an in-flight create. */
async function settled<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
