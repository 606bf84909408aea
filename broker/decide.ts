// The deciding half of Execute: predicates 1 to 8 (pure), then the replay
// ledger (9) and the live state (10), read together and decided in that order. Shared by `seb verify` (live state from
// a file, optional ledger) and the broker (live state from the platform).
// Every failure of a dependency denies: the broker fails closed. An allow
// that read the live state carries what execution needs: the plan the
// contract resolved to (made once) and the live state the drift check saw.
import type { LiveState } from './core/predicates/drift.js';
import { checkDrift } from './core/predicates/drift.js';
import type { BrokerState, VerifierPolicy } from './core/predicates/context.js';
import { verifyRequest, type Accepted, type Verified } from './core/predicates/verify.js';
import { retainUntilMs, useClaim, type ReplayLedger, type UseClaim } from './core/ports/ledger.js';
import { allow, deny, type Decision, type Reason } from './core/reasons.js';
import type { PreState } from './core/certificate/claims.js';

/** Where the live state comes from: the contract's plan, then a read of what it names. */
export interface LiveStateSource<P> {
  plan(accepted: Accepted): P;
  read(plan: P): Promise<LiveState>;
  /**
   * When `read` may lag the platform (a cache, with the write conditioned on
   * the version read): a read that does not, which decides whenever the first
   * read is unavailable, does not match, or shows another version than the
   * certified one. A match needs no confirmation for safety: the write's
   * precondition holds the object to the version that matched.
   * Undefined when `read` was already authoritative for this plan.
   */
  confirm?(plan: P): Promise<LiveState> | undefined;
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
  /**
   * Called once the use is consumed, while the live state is still being
   * read: work that may overlap the drift check (it is not decided yet).
   */
  readonly onConsumed?: (accepted: Accepted, plan: P) => void;
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

  // The live state is read while the use is consumed (both wait on I/O); the
  // ledger still decides first: a replay is denied as replayed whatever the
  // read finds, and the read changes nothing.
  const plan = input.liveState?.plan(verified);
  const t2 = performance.now();
  const source = input.liveState;
  const reading = source === undefined ? undefined : startDriftRead(source, plan as P);

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

  if (reading === undefined || source === undefined) return { decision: allow(claims.jti), verified, phases };
  input.onConsumed?.(verified, plan as P);
  const { live, reason, readMs } = await confirmDriftRead(source, plan as P, claims.pre, reading);
  phases.drift = readMs - t2;
  // A state we cannot read is a state we cannot confirm: deny, and say why.
  if (live === undefined) return { decision: deny('state_unavailable', claims.jti), verified, phases };
  if (reason !== null) return { decision: deny(reason, claims.jti), verified, phases };
  return { decision: allow(claims.jti), verified, allowed: { certificate: verified.certificate, plan: plan as P, live }, phases };
}

/** A live-state read and when it ended; `live` undefined when it failed. */
export interface LiveStateReading {
  readonly live: LiveState | undefined;
  readonly readMs: number;
}

/**
 * Predicate 10 on the source's first read (startDriftRead): confirmed by the
 * source when it is unavailable, does not match, or shows another version
 * than the certified one; `reason` null when the state matches (or could not
 * be read: `live` undefined). Never rejects.
 */
export async function confirmDriftRead<P>(source: Pick<LiveStateSource<P>, 'confirm'>, plan: P, pre: PreState | undefined, first: Promise<LiveStateReading>): Promise<LiveStateReading & { readonly reason: Reason | null }> {
  let { live, readMs } = await first;
  let reason = live === undefined ? null : checkDrift(pre, live);
  // A cached read at another version than the certified one may be stale even when it matches (an A-B-A of the data):
  // confirming it costs a read, where writing on it would likely cost a refused write.
  const unsure = live === undefined || reason !== null || (pre?.version !== undefined && live.version !== pre.version);
  const confirming = unsure ? source.confirm?.(plan) : undefined;
  if (confirming !== undefined) {
    ({ live, readMs } = await readOrUndefined(() => confirming));
    reason = live === undefined ? null : checkDrift(pre, live);
  }
  return { live, reason, readMs };
}

/** Predicate 10's first read, started; see confirmDriftRead. */
export function startDriftRead<P>(source: Pick<LiveStateSource<P>, 'read'>, plan: P): Promise<LiveStateReading> {
  return readOrUndefined(() => source.read(plan));
}

/** The read and when it ended; never rejects (a failed read is `live: undefined`). */
async function readOrUndefined(read: () => Promise<LiveState>): Promise<LiveStateReading> {
  try {
    const live = await read();
    return { live, readMs: performance.now() };
  } catch {
    return { live: undefined, readMs: performance.now() };
  }
}
