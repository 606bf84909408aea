// The allowlist: which contracts the Kubernetes adapter can execute, and for
// each the plan: what to read, which part of it the certificate's `pre`
// digest covers, what to grant the executor, what to send. Pure.
//
// The digest covers a projection, not the whole object. A whole-object digest
// (or the resourceVersion) moves on every write to the object: status updates
// by controllers, managedFields, an annotation from a deploy tool. On a live
// cluster that is a steady stream of false drift denials for changes that do
// not touch what was certified. The projection holds the fields the mutation
// sets plus those that decide what it means (for a NetworkPolicy, which pods
// it selects and which policy types it enforces). The cost is the opposite
// error: a change outside the projection (a new image under a certified
// scale) is not drift. The window between the drift check and the write is
// still closed for the whole object, by the resourceVersion precondition.
import { InvalidInputError } from '../../core/errors.js';
import type { Contract } from '../../core/certificate/contract.js';
import type { MutationPlan } from '../../core/ports/platform.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/strict-json.js';

export interface ObjectRef {
  readonly namespace: string;
  readonly kind: Kind;
  readonly name: string;
}

/** One RBAC rule, as narrow as RBAC goes: one verb on one (sub)resource of one named object. */
export interface ScopedRule {
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly verb: 'patch';
  readonly namespace: string;
  readonly name: string;
}

export interface KubernetesPlan extends MutationPlan {
  readonly platform: 'kubernetes';
  readonly target: ObjectRef;
  /** The collection the object is in: what the broker's watch cache lists and watches. */
  readonly collectionPath: string;
  /** Where the live object is read (GET). */
  readonly objectPath: string;
  /** The state the `pre` digest covers, taken from the live object. */
  readonly project: (object: JsonObject) => JsonValue;
  readonly rule: ScopedRule;
  /** Where the write goes (PATCH). */
  readonly writePath: string;
  /** JSON Patch operations of the mutation; the precondition is added by writeRequest. */
  readonly patch: readonly JsonObject[];
}

export interface WriteRequest {
  readonly method: 'PATCH';
  readonly path: string;
  readonly contentType: 'application/json-patch+json';
  readonly body: JsonValue;
}

const KINDS = {
  Deployment: { apiGroup: 'apps', version: 'v1', resource: 'deployments' },
  ConfigMap: { apiGroup: '', version: 'v1', resource: 'configmaps' },
  NetworkPolicy: { apiGroup: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies' },
} as const;
export type Kind = keyof typeof KINDS;

interface Operation {
  readonly kind: Kind;
  readonly subresource?: string;
  readonly readParameters: (parameters: JsonObject) => readonly JsonObject[];
  readonly project: (object: JsonObject) => JsonValue;
}

const OPERATIONS: Readonly<Record<string, Operation>> = {
  scale: {
    kind: 'Deployment',
    subresource: 'scale',
    readParameters: (p) => {
      only(p, ['replicas'], 'parameters');
      return [{ op: 'add', path: '/spec/replicas', value: integer(p.replicas, 0, INT32_MAX, 'parameters.replicas') }];
    },
    project: (o) => ({ replicas: integer(member(o, 'spec').replicas, 0, INT32_MAX, 'live spec.replicas') }),
  },
  'set-data': {
    kind: 'ConfigMap',
    readParameters: (p) => {
      only(p, ['data'], 'parameters');
      return [{ op: 'add', path: '/data', value: stringMap(p.data, CONFIGMAP_KEY, 'parameters.data') }];
    },
    project: (o) => ({ data: o.data ?? {} }),
  },
  'set-ingress': {
    kind: 'NetworkPolicy',
    readParameters: (p) => {
      only(p, ['ingress'], 'parameters');
      return [{ op: 'add', path: '/spec/ingress', value: list(p.ingress, 'parameters.ingress', ingressRule) }];
    },
    project: (o) => {
      const spec = member(o, 'spec');
      return { podSelector: spec.podSelector ?? {}, policyTypes: spec.policyTypes ?? [], ingress: spec.ingress ?? [] };
    },
  },
};

/** Every rule an executor can ever be granted: the broker holds exactly these, so it can grant them without `escalate`. */
export const GRANTABLE_RULES: readonly Omit<ScopedRule, 'namespace' | 'name'>[] = Object.values(OPERATIONS).map((op) => ({
  apiGroup: KINDS[op.kind].apiGroup,
  resource: KINDS[op.kind].resource,
  ...(op.subresource === undefined ? {} : { subresource: op.subresource }),
  verb: 'patch' as const,
}));

/** The kinds the adapter reads: agent and broker get read access to these and nothing more. */
export const TARGET_RESOURCES: readonly { readonly apiGroup: string; readonly resource: string }[] = Object.values(KINDS).map((k) => ({
  apiGroup: k.apiGroup,
  resource: k.resource,
}));

const INT32_MAX = 2_147_483_647;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
const MAX_LIST = 64;

export function planMutation(contract: Contract, protectedNamespaces: readonly string[]): KubernetesPlan {
  if (contract.platform !== 'kubernetes') throw new InvalidInputError(`contract: platform ${contract.platform} is not kubernetes`);
  const op = Object.hasOwn(OPERATIONS, contract.operation) ? OPERATIONS[contract.operation] : undefined;
  if (op === undefined) throw new InvalidInputError(`contract: operation must be one of ${Object.keys(OPERATIONS).join(', ')}`);
  const target = readTarget(contract.target, protectedNamespaces);
  if (target.kind !== op.kind) throw new InvalidInputError(`contract: ${contract.operation} applies to ${op.kind}, not ${target.kind}`);
  const patch = op.readParameters(contract.parameters);

  const k = KINDS[target.kind];
  const base = k.apiGroup === '' ? `/api/${k.version}` : `/apis/${k.apiGroup}/${k.version}`;
  const collectionPath = `${base}/namespaces/${target.namespace}/${k.resource}`;
  const objectPath = `${collectionPath}/${target.name}`;
  const rule: ScopedRule = {
    apiGroup: k.apiGroup,
    resource: k.resource,
    ...(op.subresource === undefined ? {} : { subresource: op.subresource }),
    verb: 'patch',
    namespace: target.namespace,
    name: target.name,
  };
  return {
    platform: 'kubernetes',
    shape: shapeOf(rule),
    contract,
    target,
    collectionPath,
    objectPath,
    project: op.project,
    rule,
    writePath: op.subresource === undefined ? objectPath : `${objectPath}/${op.subresource}`,
    patch,
  };
}

/** The write, conditioned on `resourceVersion`: the API server answers 409 if the object moved since it was read. */
export function writeRequest(plan: KubernetesPlan, resourceVersion: string): WriteRequest {
  return {
    method: 'PATCH',
    path: plan.writePath,
    contentType: 'application/json-patch+json',
    body: [{ op: 'add', path: '/metadata/resourceVersion', value: resourceVersion }, ...plan.patch],
  };
}

/** "verb group/resource[/sub] namespace/name": the key of a pooled executor. */
export function shapeOf(rule: ScopedRule): string {
  const resource = rule.subresource === undefined ? rule.resource : `${rule.resource}/${rule.subresource}`;
  return `${rule.verb} ${rule.apiGroup === '' ? 'core' : rule.apiGroup}/${resource} ${rule.namespace}/${rule.name}`;
}

function readTarget(target: JsonObject, protectedNamespaces: readonly string[]): ObjectRef {
  only(target, ['namespace', 'kind', 'name'], 'target');
  const { namespace, kind, name } = target;
  if (typeof namespace !== 'string' || !protectedNamespaces.includes(namespace)) {
    throw new InvalidInputError(`target.namespace must be one of ${protectedNamespaces.join(', ')}`);
  }
  if (typeof kind !== 'string' || !Object.hasOwn(KINDS, kind)) throw new InvalidInputError(`target.kind must be one of ${Object.keys(KINDS).join(', ')}`);
  if (typeof name !== 'string' || !DNS_SUBDOMAIN.test(name)) throw new InvalidInputError('target.name must be a DNS-1123 subdomain');
  return { namespace, kind: kind as Kind, name };
}

// --- strict readers: every member on an allowlist, every value of its one type ---

function only(o: JsonObject, allowed: readonly string[], what: string, required: readonly string[] = allowed): void {
  for (const key of Object.keys(o)) if (!allowed.includes(key)) throw new InvalidInputError(`${what}: unknown member ${JSON.stringify(key)}`);
  for (const key of required) if (o[key] === undefined) throw new InvalidInputError(`${what}: ${key} is required`);
}

function object(v: JsonValue | undefined, what: string): JsonObject {
  if (!isJsonObject(v)) throw new InvalidInputError(`${what} must be an object`);
  return v;
}

function member(o: JsonObject, key: string): JsonObject {
  return object(o[key], `live ${key}`);
}

function integer(v: JsonValue | undefined, min: number, max: number, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new InvalidInputError(`${what} must be an integer from ${min} to ${max}`);
  return v;
}

function string(v: JsonValue | undefined, what: string, pattern?: RegExp): string {
  if (typeof v !== 'string' || (pattern !== undefined && !pattern.test(v))) throw new InvalidInputError(`${what} must be a string${pattern ? ` matching ${pattern.source}` : ''}`);
  return v;
}

function stringMap(v: JsonValue | undefined, key: RegExp, what: string): JsonObject {
  const o = object(v, what);
  for (const [k, value] of Object.entries(o)) {
    string(k, `${what} key`, key);
    string(value, `${what}.${k}`);
  }
  return o;
}

function list<T extends JsonValue>(v: JsonValue | undefined, what: string, item: (v: JsonValue, what: string) => T): T[] {
  if (!Array.isArray(v) || v.length > MAX_LIST) throw new InvalidInputError(`${what} must be an array of at most ${MAX_LIST}`);
  return v.map((x, i) => item(x, `${what}[${i}]`));
}

// NetworkPolicy ingress, structurally: the API server checks the semantics
// (CIDR syntax, label syntax); this keeps anything outside the shape out.
function ingressRule(v: JsonValue, what: string): JsonObject {
  const o = object(v, what);
  only(o, ['from', 'ports'], what, []);
  if (o.from !== undefined) list(o.from, `${what}.from`, peer);
  if (o.ports !== undefined) list(o.ports, `${what}.ports`, port);
  return o;
}

function peer(v: JsonValue, what: string): JsonObject {
  const o = object(v, what);
  only(o, ['podSelector', 'namespaceSelector', 'ipBlock'], what, []);
  if (Object.keys(o).length === 0) throw new InvalidInputError(`${what} must name a selector or an ipBlock`);
  if (o.ipBlock !== undefined) {
    const block = object(o.ipBlock, `${what}.ipBlock`);
    only(block, ['cidr', 'except'], `${what}.ipBlock`, ['cidr']);
    string(block.cidr, `${what}.ipBlock.cidr`);
    if (block.except !== undefined) list(block.except, `${what}.ipBlock.except`, (x, w) => string(x, w));
  }
  for (const key of ['podSelector', 'namespaceSelector'] as const) if (o[key] !== undefined) selector(o[key], `${what}.${key}`);
  return o;
}

function selector(v: JsonValue, what: string): void {
  const o = object(v, what);
  only(o, ['matchLabels', 'matchExpressions'], what, []);
  if (o.matchLabels !== undefined) stringMap(o.matchLabels, /^.{1,317}$/, `${what}.matchLabels`);
  if (o.matchExpressions !== undefined) {
    list(o.matchExpressions, `${what}.matchExpressions`, (x, w) => {
      const e = object(x, w);
      only(e, ['key', 'operator', 'values'], w, ['key', 'operator']);
      string(e.key, `${w}.key`);
      string(e.operator, `${w}.operator`, /^(In|NotIn|Exists|DoesNotExist)$/);
      if (e.values !== undefined) list(e.values, `${w}.values`, (s, ws) => string(s, ws));
      return e;
    });
  }
}

function port(v: JsonValue, what: string): JsonObject {
  const o = object(v, what);
  only(o, ['protocol', 'port', 'endPort'], what, []);
  if (o.protocol !== undefined) string(o.protocol, `${what}.protocol`, /^(TCP|UDP|SCTP)$/);
  if (typeof o.port === 'string') string(o.port, `${what}.port`, /^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/);
  else if (o.port !== undefined) integer(o.port, 1, 65535, `${what}.port`);
  if (o.endPort !== undefined) integer(o.endPort, 1, 65535, `${what}.endPort`);
  return o;
}
