// The mutation, sent as the executor's token and conditioned on the
// resourceVersion the drift check saw: the API server refuses it with 409
// Conflict if the object changed in between, so the window is closed rather
// than narrowed. A network failure is thrown, not mapped: the write may or
// may not have landed, and only the caller may say "unknown".
import type { InvokeResult } from '../../core/ports/platform.js';
import type { LiveState } from '../../core/predicates/drift.js';
import { describe, objectOf, type KubeClient } from './client.js';
import { writeRequest, type KubernetesPlan } from './operations.js';

export async function invokeAs(client: KubeClient, plan: KubernetesPlan, live: LiveState): Promise<InvokeResult> {
  // Never an unconditional write: without the version there is nothing to hold the state to.
  if (live.version === undefined) return { status: 'failed', detail: 'no resourceVersion to condition the write on' };
  const write = writeRequest(plan, live.version);
  const response = await client.request(write.method, write.path, { body: write.body, contentType: write.contentType });
  if (response.status === 200) {
    const resourceVersion = objectOf(objectOf(response.body).metadata).resourceVersion;
    return { status: 'succeeded', ...(typeof resourceVersion === 'string' ? { detail: { resourceVersion } } : {}) };
  }
  if (response.status === 409) return { status: 'precondition_failed', detail: describe(response) };
  return { status: 'failed', detail: describe(response) };
}
