// Reading the target as the broker: the projection the plan names, and the
// object's resourceVersion, which becomes the write's precondition.
import { IoError } from '../../core/errors.js';
import type { LiveState } from '../../core/predicates/drift.js';
import { isJsonObject, type JsonObject } from '../../core/strict-json.js';
import { expectStatus, objectOf, type KubeClient } from './client.js';
import type { KubernetesPlan } from './operations.js';

/**
 * Throws when the object cannot be read or has no resourceVersion: a state the
 * broker cannot confirm. `cache`: served by the API server's watch cache
 * (resourceVersion=0: any version, the newest it has), no etcd read; it may
 * lag a write just acknowledged, which the write's resourceVersion
 * precondition turns into a refused write, never an unchecked one.
 */
export async function readLiveState(client: KubeClient, plan: KubernetesPlan, from: 'etcd' | 'cache' = 'etcd'): Promise<LiveState> {
  const path = from === 'cache' ? `${plan.objectPath}?resourceVersion=0` : plan.objectPath;
  const body = expectStatus(await client.request('GET', path), [200], `read ${plan.objectPath}`);
  if (typeof body !== 'object' || !isJsonObject(body)) throw new IoError(`read ${plan.objectPath}: not a JSON object`);
  return liveStateOf(plan, body);
}

/** The plan's projection of `object` and its resourceVersion; throws when it has none (nothing to condition the write on). */
export function liveStateOf(plan: KubernetesPlan, object: JsonObject): LiveState {
  const version = objectOf(object.metadata).resourceVersion;
  if (typeof version !== 'string' || version === '') throw new IoError(`read ${plan.objectPath}: no resourceVersion`);
  return { state: plan.project(object), version };
}
