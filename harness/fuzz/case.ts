// A rendered fuzz case: the exact bytes and settings a verifier is given,
// what the oracle expects, and why (the mutation tags). It is what the
// corpus stores and what both the in-process run and `--against` replay.
import type { Reason } from '../../broker/core/reasons.js';
import type { JsonObject } from '../../broker/core/strict-json.js';
import type { Tag } from './model.js';

export interface Outcome {
  readonly decision: 'allow' | 'deny';
  readonly reason: Reason | null;
}

/** The settings `seb verify` takes as flags (files aside). */
export interface VerifySettings {
  readonly issuer: string;
  readonly audience: string;
  /** Other audiences sharing this verifier's ledger: --shared-ledger-audience. */
  readonly sharedLedgerAudiences: readonly string[];
  /** Whole seconds, as --now takes it; nowMs is exact. */
  readonly now: number;
  readonly policyEpoch: number;
  readonly revocationFloor: number;
  readonly maxLifetimeS: number;
  readonly maxSkewS: number;
}

/** `perUse`: the certificate confirms a key, so each use is its own ledger entry (spent: uses 1 to `consumed`). */
export type LedgerSpec = { readonly down: true } | { readonly issuer: string; readonly jti: string; readonly uses: number; readonly consumed: number; readonly perUse: boolean };

export interface FuzzCase {
  /** Expressible through `seb verify` flags: whole-second now, a revocation view that is current. */
  readonly cli: boolean;
  readonly tags: readonly Tag[];
  readonly expected: Outcome;
  readonly verify: VerifySettings;
  readonly nowMs: number;
  readonly revocation: { readonly revoked: readonly string[]; readonly ageMs: number; readonly maxAgeMs: number };
  /** null: no ledger, so replay is not checked. */
  readonly ledger: LedgerSpec | null;
  /** The live state file's text; null: drift is not checked. */
  readonly live: string | null;
  readonly jwks: JsonObject;
  /** The certificate as the request carries it (for reading; the request is authoritative). */
  readonly certificate: string;
  readonly request: Buffer;
}

export function outcome(reason: Reason | null): Outcome {
  return reason === null ? { decision: 'allow', reason: null } : { decision: 'deny', reason };
}

export function sameOutcome(a: Outcome, b: Outcome): boolean {
  return a.decision === b.decision && a.reason === b.reason;
}

export function showOutcome(o: Outcome | undefined): string {
  return o === undefined ? '-' : o.reason ?? o.decision;
}
