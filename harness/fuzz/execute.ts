// Our verifier on a case, in process: the same decide() that `seb verify`
// and the broker run, with the case's keys, policy, state, ledger and live
// state. Checking a case runs it three times: as given, again (equal inputs,
// equal decisions), and with the request re-encoded (whitespace and member
// order must not matter).
import { MAX_REQUEST_BYTES } from '../../broker/core/limits.js';
import { trustIssuers } from '../../broker/core/issuer-keys.js';
import { importKeySet, type KeySet } from '../../broker/core/keys.js';
import type { BrokerState, VerifierPolicy } from '../../broker/core/predicates/context.js';
import type { Decision } from '../../broker/core/reasons.js';
import { decodeUtf8, parseStrictJson, type JsonObject } from '../../broker/core/strict-json.js';
import { InvalidInputError } from '../../broker/core/errors.js';
import { decide, givenLiveState } from '../../broker/decide.js';
import { sameOutcome, showOutcome, type FuzzCase, type Outcome } from './case.js';
import { writeJson } from './json-text.js';
import { closeLedger, openLedger } from './ledger.js';

export type FindingKind = 'oracle' | 'nondeterministic' | 'encoding' | 'disagreement' | 'protocol';

export interface Finding {
  readonly kind: FindingKind;
  readonly detail: string;
  /** The decision that was wrong (ours, or the other verifier's). */
  readonly actual?: Decision;
}

export interface CheckResult {
  /** Our decision: what coverage counts. */
  readonly decision: Decision;
  readonly findings: readonly Finding[];
  /** The other verifier's decision, in differential mode. */
  readonly theirs?: Decision;
}

export async function decideCase(c: FuzzCase, requestBytes: Uint8Array = c.request): Promise<Decision> {
  const policy: VerifierPolicy = {
    trust: trustIssuers([[c.verify.issuer, keySet(c.jwks)]], 'case issuer'),
    audience: c.verify.audience,
    sharedLedgerAudiences: new Set(c.verify.sharedLedgerAudiences),
    maxLifetimeS: c.verify.maxLifetimeS,
    maxSkewS: c.verify.maxSkewS,
  };
  const state: BrokerState = {
    policyEpoch: c.verify.policyEpoch,
    revocation: { floor: c.verify.revocationFloor, revoked: new Set(c.revocation.revoked), asOfMs: c.nowMs - c.revocation.ageMs, maxAgeMs: c.revocation.maxAgeMs },
  };
  const live = c.live === null ? undefined : parseStrictJson(c.live, 'case live state');
  const ledger = await openLedger(c.ledger);
  try {
    const { decision } = await decide({
      requestBytes,
      policy,
      state,
      nowMs: c.nowMs,
      ...(ledger === undefined ? {} : { ledger }),
      ...(live === undefined ? {} : { liveState: givenLiveState(live) }),
    });
    return decision;
  } finally {
    closeLedger(ledger);
  }
}

// A broker imports its keys once; so does the fuzzer, per distinct key set.
const keySets = new Map<string, KeySet>();

function keySet(jwks: JsonObject): KeySet {
  const text = JSON.stringify(jwks);
  let keys = keySets.get(text);
  if (keys === undefined) {
    keys = importKeySet(jwks, 'case keys');
    if (keySets.size < 256) keySets.set(text, keys);
  }
  return keys;
}

export async function checkInProcess(c: FuzzCase): Promise<CheckResult> {
  const decision = await decideCase(c);
  const findings: Finding[] = [];
  if (!sameOutcome(decision, c.expected)) {
    findings.push({ kind: 'oracle', detail: `expected ${showOutcome(c.expected)}, got ${showOutcome(decision)}`, actual: decision });
  }
  const again = await decideCase(c);
  if (!sameDecision(decision, again)) findings.push({ kind: 'nondeterministic', detail: `first ${showOutcome(decision)}, then ${showOutcome(again)}`, actual: again });
  const respelled = reencode(c.request);
  if (respelled !== null) {
    const third = await decideCase(c, respelled);
    if (!sameDecision(decision, third)) {
      findings.push({ kind: 'encoding', detail: `${showOutcome(decision)}, but ${showOutcome(third)} for the same request re-encoded`, actual: third });
    }
  }
  return { decision, findings };
}

function sameDecision(a: Decision, b: Decision): boolean {
  return sameOutcome(a, b) && a.jti === b.jti;
}

/** The request's JSON with members reversed and pretty whitespace; null when it is not JSON or size is at stake. */
export function reencode(request: Buffer): Buffer | null {
  if (request.length > MAX_REQUEST_BYTES) return null;
  let value;
  try {
    value = parseStrictJson(decodeUtf8(request, 'request'), 'request');
  } catch (error) {
    if (error instanceof InvalidInputError) return null;
    throw error;
  }
  const out = Buffer.from(writeJson(value, { order: 'reversed', space: 'pretty' }));
  return out.length > MAX_REQUEST_BYTES ? null : out;
}

export function asOutcome(d: Decision): Outcome {
  return { decision: d.decision, reason: d.reason };
}
