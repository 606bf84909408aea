// Minting and retiring executors. Each execution gets a token from the
// TokenRequest API for an executor ServiceAccount: audience-restricted, with
// the shortest expiry the server allows (600 s), and bound to a Secret made
// for that one execution, so that deleting the Secret in retire() ends the
// token long before its expiry. The executor's RBAC grants one verb on one
// named object.
//
// Two modes, to be measured against each other (docs/design.md section 2.3):
// - ephemeral: ServiceAccount, Role and RoleBinding are made per execution
//   and deleted with the Secret; nothing outlives the execution.
// - pooled: one ServiceAccount, Role and RoleBinding per permission shape,
//   made on first use and kept; per execution only the Secret and the token.
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
  paths,
  pooledName,
  role,
  roleBinding,
  selfAccessReview,
  serviceAccount,
  tokenRequest,
  type ExecutorObjects,
} from './executor-objects.js';
import type { KubernetesPlan, ScopedRule } from './operations.js';

export type ExecutorMode = 'ephemeral' | 'pooled';

export interface ExecutorOptions {
  /** Where executor ServiceAccounts and binding Secrets live. */
  readonly namespace: string;
  /** The token audience; the API server must list it in --api-audiences. */
  readonly audience: string;
  readonly mode: ExecutorMode;
  /** How long to wait for a new grant to reach the authorizer. */
  readonly grantWaitMs?: number;
}


/** What invoke and retire need: the client speaking as the token, and what to delete. */
export class ExecutorHandle {
  constructor(
    readonly client: KubeClient,
    readonly objects: ExecutorObjects,
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

  /** Names for what one mint creates, chosen before it (the broker signs them into the intent). */
  reserve(plan: KubernetesPlan): ExecutorObjects {
    const pooled = this.options.mode === 'pooled';
    return {
      namespace: this.options.namespace,
      secret: executionName('seb-bind'),
      ephemeral: pooled ? undefined : { name: executionName('seb-exec'), roleNamespace: plan.rule.namespace },
    };
  }

  /** Creates exactly the reserved objects (a fresh reservation when none is given). */
  async mint(plan: KubernetesPlan, jti: string, objects: ExecutorObjects = this.reserve(plan)): Promise<ScopedIdentity> {
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
  async retire(objects: ExecutorObjects): Promise<void> {
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

  private async preparePooled(plan: KubernetesPlan, name: string, secretName: string, jti: string): Promise<JsonObject> {
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
    const [, secret] = await settled([ready, this.create(paths.secrets(ns), bindingSecret(secretName, ns, jti))]);
    return secret;
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
