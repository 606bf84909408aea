// The rules of docs/design.md sections 2.1 and 2.2 restated over the model's plain values, so
// the oracle does not ask the implementation what the answer is. Times are
// compared exactly (BigInt milliseconds): valid from nbf - skew inclusive to
// exp + skew exclusive, lifetime exp - iat at most the cap, a proof's iat
// within the skew of now. Only the closed set of reasons and its order come
// from broker/core.
import { REASONS, type Reason } from '../../broker/core/reasons.js';
import type { JsonValue } from '../../broker/core/strict-json.js';

/** The reason the first failing predicate gives: the least in REASONS order. */
export function firstReason(reasons: Iterable<Reason | null>): Reason | null {
  let best: Reason | null = null;
  for (const r of reasons) {
    if (r !== null && (best === null || REASONS.indexOf(r) < REASONS.indexOf(best))) best = r;
  }
  return best;
}

/** A NumericDate as the certificate format allows it: a non-negative safe integer. */
export function isNumericDate(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export interface WindowInput {
  readonly iat: unknown;
  readonly nbf: unknown; // undefined: absent, so iat
  readonly exp: unknown;
}

export function windowReason(w: WindowInput, nowMs: number, skewS: number, maxLifetimeS: number): Reason | null {
  const { iat, exp } = w;
  const nbf = w.nbf === undefined ? iat : w.nbf;
  if (!isNumericDate(iat) || !isNumericDate(nbf) || !isNumericDate(exp)) return 'malformed';
  if (nbf < iat || exp <= nbf) return 'malformed';
  const now = BigInt(nowMs);
  const skew = BigInt(skewS) * 1000n;
  const ms = (s: number) => BigInt(s) * 1000n;
  if (now < ms(nbf) - skew || now < ms(iat) - skew) return 'not_yet_valid';
  if (now >= ms(exp) + skew) return 'expired';
  if (BigInt(exp) - BigInt(iat) > BigInt(maxLifetimeS)) return 'lifetime_too_long';
  return null;
}

export function proofTimeReason(iatS: number, nowMs: number, skewS: number): Reason | null {
  const gap = BigInt(nowMs) - BigInt(iatS) * 1000n;
  return (gap < 0n ? -gap : gap) <= BigInt(skewS) * 1000n ? null : 'pop_invalid';
}

/** Names us, and no broker that keeps a ledger of its own. */
export function audienceReason(aud: unknown, audience: string, sharedLedgerAudiences: readonly string[]): Reason | null {
  const list = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!list.includes(audience)) return 'wrong_audience';
  return list.every((a) => a === audience || sharedLedgerAudiences.includes(a)) ? null : 'wrong_audience';
}

export interface RevocationInput {
  readonly rep: unknown;
  readonly jti: unknown;
  readonly floor: number;
  readonly revoked: readonly string[];
  readonly ageMs: number;
  readonly maxAgeMs: number;
}

export function revocationReason(r: RevocationInput): Reason | null {
  if ((typeof r.rep === 'number' && r.rep < r.floor) || (typeof r.jti === 'string' && r.revoked.includes(r.jti))) return 'revoked';
  return r.ageMs > r.maxAgeMs ? 'revocation_stale' : null;
}

/** JSON value equality: members unordered, numbers by value (so 0 equals -0), strings by code units. */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((n) => Object.prototype.hasOwnProperty.call(b, n) && sameJson(a[n], b[n]));
}

/** Depth as the size limits count it: each object or array one level. */
export function jsonDepth(v: JsonValue): number {
  if (v === null || typeof v !== 'object') return 0;
  const children = Array.isArray(v) ? v : Object.values(v);
  return 1 + children.reduce<number>((max, c) => Math.max(max, jsonDepth(c)), 0);
}
