// The replay ledger port (predicate 9). A use is consumed in one atomic step
// keyed by issuer and certificate id, never by token bytes: an ES256
// signature has more than one valid encoding. SQLite serves one broker, etcd
// many; both implement this.

export interface UseClaim {
  readonly issuer: string;
  readonly jti: string;
  /** How many executions the certificate allows. */
  readonly uses: number;
  /** Keep the entry until then (unix ms): the certificate's expiry plus skew. */
  readonly retainUntilMs: number;
}

export type ConsumeResult = 'consumed' | 'exhausted';

export interface ReplayLedger {
  consume(claim: UseClaim): Promise<ConsumeResult>;
  /** Drop entries whose retention has passed; returns how many. */
  prune(nowMs: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * The ledger entry of one use of a certificate that confirms a key: the proof
 * names the use, and each is spent once (uses: 1). `#` is not in JTI_PATTERN,
 * so no certificate id is ever a use's key.
 */
export function useClaim(claim: UseClaim, use: number): UseClaim {
  return { ...claim, jti: `${claim.jti}#${use}`, uses: 1 };
}

export function retainUntilMs(expS: number, maxSkewS: number): number {
  return (expS + maxSkewS) * 1000;
}
