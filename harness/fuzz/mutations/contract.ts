// The contract: the request asks for something other than what was
// certified, the certificate's contract no longer matches its digest, or
// both change together (a different but valid certificate). Also nesting
// and size at the parser's limits, measured where only bytes can tell.
import { jcsDigest } from '../../../broker/core/digest.js';
import { MAX_JSON_DEPTH } from '../../../broker/core/limits.js';
import type { Reason } from '../../../broker/core/reasons.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../../broker/core/strict-json.js';
import type { Draft } from '../model.js';
import { firstReason, jsonDepth, sameJson } from '../spec.js';
import { setMember, type Mutation, type Slot } from './mutation.js';

/** Depth of contract.parameters inside both the request and the certificate payload. */
const PARAMETERS_DEPTH = 3;

function mismatch(d: Draft): Reason | null {
  return d.cdgStale || !sameJson(d.requestContract, d.claims.contract as JsonValue) ? 'contract_mismatch' : null;
}

function params(contract: unknown): JsonObject | null {
  return isJsonObject(contract as JsonValue) && isJsonObject((contract as JsonObject).parameters) ? ((contract as JsonObject).parameters as JsonObject) : null;
}

/** A value certainly different from v. */
function different(v: JsonValue | undefined, p: number): JsonValue {
  if (typeof v === 'number') return Number.isFinite(v + 1) && v + 1 !== v ? v + 1 : 0.5;
  if (typeof v === 'string') return `${v}${p % 2 === 0 ? 'x' : ' '}`;
  if (typeof v === 'boolean') return !v;
  if (v === null) return 0;
  return Array.isArray(v) ? [...v, null] : [v ?? null];
}

function editParam(contract: unknown, p: number): void {
  const ps = params(contract);
  if (ps === null) return;
  const names = Object.keys(ps);
  const name = names.length === 0 ? 'replicas' : (names[p % names.length] as string);
  setMember(ps, name, different(ps[name], p));
}

/** Re-sign a certificate whose contract changed, unless its digest was already off. */
function recomputeCdg(d: Draft): void {
  if (!d.cdgStale && isJsonObject(d.claims.contract as JsonValue)) d.claims.cdg = jcsDigest(d.claims.contract as JsonValue);
}

function nested(depth: number): JsonValue {
  let v: JsonValue = [];
  for (let i = 1; i < depth; i++) v = [v];
  return v;
}

function depthReason(d: Draft): Reason | null {
  const over = (v: unknown) => params(v) !== null && PARAMETERS_DEPTH - 1 + jsonDepth(params(v) as JsonValue) > MAX_JSON_DEPTH;
  return over(d.requestContract) || over(d.claims.contract) ? 'malformed' : null;
}

function edit(name: string, change: (d: Draft, p: number) => void): Mutation {
  return { name, apply: (d, p) => (change(d, p), firstReason([depthReason(d), mismatch(d)])) };
}

const atEdge = (p: number) => MAX_JSON_DEPTH - PARAMETERS_DEPTH + ((p % 3) - 1); // one under, at, one over

export const CONTRACT: Slot = {
  name: 'contract',
  emptyWeight: 5,
  mutations: [
    edit('request-param-changed', (d, p) => editParam(d.requestContract, p)),
    edit('request-param-added', (d, p) => {
      const ps = params(d.requestContract);
      if (ps) setMember(ps, `added-${p}`, p);
    }),
    edit('request-param-removed', (d, p) => {
      const ps = params(d.requestContract);
      const names = ps ? Object.keys(ps) : [];
      if (ps && names.length > 0) delete ps[names[p % names.length] as string];
      else if (ps) setMember(ps, 'added', true);
    }),
    edit('request-number-as-string', (d, p) => {
      const cert = params(d.claims.contract);
      const req = params(d.requestContract);
      if (!cert || !req) return;
      setMember(cert, 'replicas', p % 10);
      recomputeCdg(d);
      setMember(req, 'replicas', String(p % 10));
    }),
    edit('request-nfd', (d) => {
      // Canonical JSON does not normalize Unicode: NFC and NFD are different contracts.
      const cert = params(d.claims.contract);
      const req = params(d.requestContract);
      if (!cert || !req) return;
      setMember(cert, 'note', 'caf\u00e9');
      recomputeCdg(d);
      setMember(req, 'note', 'cafe\u0301');
    }),
    edit('request-operation-changed', (d) => {
      const c = d.requestContract as JsonObject;
      c.operation = `${String(c.operation)}X`;
    }),
    edit('request-target-changed', (d, p) => {
      const c = d.requestContract as JsonObject;
      c.target = { ...(c.target as JsonObject), extra: different(undefined, p) };
    }),
    {
      // The request's own contract is read as strictly as the certificate's.
      name: 'request-contract-malformed',
      apply: (d, p) => {
        const c = d.requestContract as JsonObject;
        if (p % 2 === 0) c.operation = '1scale';
        else c.platform = 'gcp';
        return 'malformed';
      },
    },
    edit('request-platform-swapped', (d) => {
      const c = d.requestContract as JsonObject;
      c.platform = c.platform === 'aws' ? 'kubernetes' : 'aws';
    }),
    edit('certificate-contract-changed', (d, p) => {
      editParam(d.claims.contract, p);
      d.cdgStale = true;
    }),
    edit('cdg-of-other-contract', (d, p) => {
      d.claims.cdg = jcsDigest({ other: p });
      d.cdgStale = true;
    }),
    edit('both-changed', (d, p) => {
      editParam(d.claims.contract, p);
      editParam(d.requestContract, p);
      recomputeCdg(d);
    }),
    edit('both-nested', (d, p) => {
      const cert = params(d.claims.contract);
      const req = params(d.requestContract);
      if (!cert || !req) return;
      setMember(cert, 'deep', nested(atEdge(p)));
      setMember(req, 'deep', nested(atEdge(p)));
      recomputeCdg(d);
    }),
    edit('request-nested', (d, p) => {
      const req = params(d.requestContract);
      if (req) setMember(req, 'deep', nested(atEdge(p)));
    }),
    {
      name: 'request-proto-member',
      apply: (d) => {
        // `"__proto__"` is plain data to a strict reader: here an extra parameter (or a duplicate).
        const req = params(d.requestContract);
        if (!req) return mismatch(d);
        d.text.request.inject.push({ at: ['contract', 'parameters'], member: '"__proto__":1' });
        return Object.prototype.hasOwnProperty.call(req, '__proto__') ? 'malformed' : 'contract_mismatch';
      },
    },
    {
      name: 'certificate-size-edge',
      apply: (d, p) => {
        d.certPadDelta = (p % 4) - 1;
        return 'render';
      },
    },
    {
      name: 'request-size-edge',
      apply: (d, p) => {
        d.requestPadDelta = (p % 3) - 1;
        return 'render';
      },
    },
  ],
};
