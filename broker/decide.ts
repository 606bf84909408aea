// The deciding half of Execute: predicates 1 to 8 (pure), then the replay
// ledger (9) and the live state (10). Shared by `seb verify` (live state from
// a file, optional ledger) and the broker (live state from the platform).
// Every failure of a dependency denies: the broker fails closed. An allow
// that read the live state carries what execution needs: the plan the
// contract resolved to (made once) and the live state the drift check saw.
import type { LiveState } from './core/predicates/drift.js';
import { checkDrift } from './core/predicates/drift.js';
import type { BrokerState, VerifierPolicy } from './core/predicates/context.js';
import { verifyRequest, type Accepted, type Verified } from './core/predicates/verify.js';
import { retainUntilMs, useClaim, type ReplayLedger, type UseClaim } from './core/ports/ledger.js';
import { allow, deny, type Decision } from './core/reasons.js';

/** Where the live state comes from: the contract's plan, then a read of what it names. */
export interface LiveStateSource<P> {
  plan(accepted: Accepted): P;
  read(plan: P): Promise<LiveState>;
}

/** A live state given rather than read (`seb verify --live-state`): nothing to plan. */
export function givenLiveState(state: LiveState['state']): LiveStateSource<undefined> {
  return { plan: () => undefined, read: async () => ({ state }) };
}

export interface DecideInput<P = unknown> {
  readonly requestBytes: Uint8Array;
  readonly policy: VerifierPolicy;
  readonly state: BrokerState;
  readonly nowMs: number;
  /** Without a ledger no use is consumed (offline verification). */
  readonly ledger?: ReplayLedger;
  /** Without a source the drift predicate is not evaluated. */
  readonly liveState?: LiveStateSource<P>;
}

/** What an allow that passed the drift check hands to execution. */
export interface Allowed<P> {
  readonly certificate: Accepted['certificate'];
  readonly plan: P;
  /** The live state the drift predicate saw; its version is the write's precondition. */
  readonly live: LiveState;
}

export interface Decided<P = unknown> {
  readonly decision: Decision;
  readonly verified: Verified;
  /** Set exactly when the decision is allow and the live state was read. */
  readonly allowed?: Allowed<P>;
  /** Milliseconds spent per phase (verify, ledger, drift). */
  readonly phases: { verify: number; ledger?: number; drift?: number };
}

export async function decide<P>(input: DecideInput<P>): Promise<Decided<P>> {
  const t0 = performance.now();
  const verified = verifyRequest(input.requestBytes, input.policy, input.state, input.nowMs);
  const phases: Decided<P>['phases'] = { verify: performance.now() - t0 };
  if (!verified.ok) return { decision: verified.decision, verified, phases };
  const { claims } = verified.certificate;

  if (input.ledger !== undefined) {
    const t1 = performance.now();
    const claim: UseClaim = { issuer: claims.iss, jti: claims.jti, uses: claims.uses, retainUntilMs: retainUntilMs(claims.exp, input.policy.maxSkewS) };
    // A key-bound certificate spends the one use its proof names; a bearer certificate, any of its uses.
    const result = await input.ledger
      .consume(verified.use === undefined ? claim : useClaim(claim, verified.use))
      .catch(() => 'unavailable' as const);
    phases.ledger = performance.now() - t1;
    if (result === 'exhausted') return { decision: deny('replayed', claims.jti), verified, phases };
    if (result === 'unavailable') return { decision: deny('ledger_unavailable', claims.jti), verified, phases };
  }

  if (input.liveState === undefined) return { decision: allow(claims.jti), verified, phases };
  const t2 = performance.now();
  const plan = input.liveState.plan(verified);
  let live: LiveState;
  try {
    live = await input.liveState.read(plan);
  } catch {
    // A state we cannot read is a state we cannot confirm: deny, and say why.
    phases.drift = performance.now() - t2;
    return { decision: deny('state_unavailable', claims.jti), verified, phases };
  }
  const reason = checkDrift(claims.pre, live);
  phases.drift = performance.now() - t2;
  if (reason !== null) return { decision: deny(reason, claims.jti), verified, phases };
  return { decision: allow(claims.jti), verified, allowed: { certificate: verified.certificate, plan, live }, phases };
}
