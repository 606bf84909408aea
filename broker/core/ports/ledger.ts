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

export function retainUntilMs(expS: number, maxSkewS: number): number {
  return (expS + maxSkewS) * 1000;
}
