// Execute(Ω, req, St, Platform): the one place that sequences I/O. Decide
// (predicates 1-10; an allow carries its plan and the live state it was
// checked against), write the decision record (a denial before the
// certificate's signature verified is only counted, in a tally record per
// interval: see flushTally); for an allow, write the decision and the intent
// record in one durable write, mint a scoped identity (a mint that creates
// nothing may already have started alongside the drift read), invoke, retire
// the identity, write the outcome record. Nothing executes without a durable
// decision record and a signed intent; every allow that got
// a record gets an outcome record, whatever fails after it. The answer waits
// for the outcome's commit, not its sync: the intent is the write-ahead
// record, and a restart ends an allow whose outcome a crash lost
// (reconcile.ts). A record that cannot be written, or synced, makes the
// broker unhealthy until an operator restarts it (which reconciles): it is
// never silently dropped.
import type { Claims } from './core/certificate/claims.js';
import type { Contract, PlatformName } from './core/certificate/contract.js';
import { InvalidInputError } from './core/errors.js';
import type { BrokerState, VerifierPolicy } from './core/predicates/context.js';
import { verifyRequest } from './core/predicates/verify.js';
import type { ReplayLedger } from './core/ports/ledger.js';
import type { CachedReads, MutationPlan, PlatformAdapter, Reservation, ScopedIdentity } from './core/ports/platform.js';
import type { Appended, RecordLog } from './core/ports/record-log.js';
import { deny, UNAUTHENTICATED_REASONS, type Decision, type Reason } from './core/reasons.js';
import { decide, type Allowed, type Decided, type LiveStateSource } from './decide.js';
import { decisionRecordInput } from './decision-record.js';
import { DenialTally } from './denial-tally.js';

export const PHASES = ['verify', 'ledger', 'drift', 'record', 'mint', 'invoke', 'retire', 'outcome'] as const;
export type Phase = (typeof PHASES)[number];
export type PhaseTimings = Partial<Record<Phase, number>>;

export interface BrokerConfig {
  readonly id: string;
  readonly policy: VerifierPolicy;
  /** The policy epoch and revocation view in force now. */
  readonly state: () => BrokerState;
  readonly ledger: ReplayLedger;
  readonly log: RecordLog;
  readonly platforms: readonly PlatformAdapter[];
  readonly clock?: () => number;
}

export type Health = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface ExecutionResult {
  /** Allow only when the mutation succeeded; otherwise the reason it did not happen. */
  readonly decision: Decision;
  readonly outcome?: 'succeeded' | 'failed' | 'unknown';
  readonly detail?: string;
  readonly phases: PhaseTimings;
  readonly decisionSeq?: number;
}

/** How a platform's drift reads were answered (CachedReads), and how many of them were confirmed by a request before the decision: the cached read failed, did not match, or showed another version than the certified one. */
export interface DriftReads extends CachedReads {
  readonly confirmed: number;
}

/** The drift check's reads: the adapter's cache where it has one (its writes are conditioned on the version read), confirmed from the platform (decide.ts); `onConfirm` sees each confirmation. */
export function liveStateFrom(adapterOf: (plan: MutationPlan) => PlatformAdapter, onConfirm: (adapter: PlatformAdapter) => void = () => undefined): Omit<LiveStateSource<MutationPlan>, 'plan'> {
  return {
    read: (plan) => {
      const adapter = adapterOf(plan);
      return adapter.readCachedLiveState?.(plan) ?? adapter.readLiveState(plan);
    },
    confirm: (plan) => {
      const adapter = adapterOf(plan);
      if (adapter.readCachedLiveState === undefined) return undefined;
      onConfirm(adapter);
      return adapter.readLiveState(plan);
    },
  };
}

export class Broker {
  private readonly adapters: ReadonlyMap<PlatformName, PlatformAdapter>;
  private readonly policy: VerifierPolicy;
  private readonly clock: () => number;
  private logFailure: string | undefined;
  private logFailureListener: (error: Error) => void = () => undefined;
  private readonly unauthenticated = new DenialTally();
  /** Each request's contract, planned once by the schema predicate and reused by the drift check and execution. */
  private readonly plans = new WeakMap<Contract, MutationPlan>();
  /** Per platform, the cached drift reads confirmed by a request: what the cache did not save. */
  private readonly confirmations = new Map<PlatformName, number>();
  private readonly liveState: LiveStateSource<MutationPlan> = {
    plan: (accepted) => this.planOf(accepted.request.contract),
    ...liveStateFrom(
      (plan) => this.adapterFor(plan.contract),
      (adapter) => this.confirmations.set(adapter.name, (this.confirmations.get(adapter.name) ?? 0) + 1),
    ),
  };

  constructor(private readonly config: BrokerConfig) {
    this.adapters = new Map(config.platforms.map((p) => [p.name, p]));
    this.clock = config.clock ?? Date.now;
    this.policy = { ...config.policy, contractSchema: (contract) => void this.plans.set(contract, this.adapterFor(contract).plan(contract)) };
  }

  get id(): string {
    return this.config.id;
  }

  /** Per platform with a cache, how its drift reads were answered so far: from the cache, or by a request; and how many the broker then confirmed by a request. */
  cachedReads(): { readonly platform: PlatformName; readonly reads: DriftReads }[] {
    return [...this.adapters.values()].flatMap((a) => (a.cachedReads === undefined ? [] : [{ platform: a.name, reads: { ...a.cachedReads(), confirmed: this.confirmations.get(a.name) ?? 0 } }]));
  }

  /** Unhealthy once a record could not be appended or synced: an allow may be left without its outcome until a restart reconciles it. */
  health(): Health {
    return this.logFailure === undefined ? { ok: true } : { ok: false, reason: this.logFailure };
  }

  /** Called with each failed append, for the server to log. */
  onLogFailure(listener: (error: Error) => void): void {
    this.logFailureListener = listener;
  }

  /** Predicates 1 to 8 against this broker's policy and state: no use is consumed, nothing runs or is recorded. */
  verify(requestBytes: Uint8Array): Decision {
    return verifyRequest(requestBytes, this.policy, this.config.state(), this.clock()).decision;
  }

  async execute(requestBytes: Uint8Array): Promise<ExecutionResult> {
    const nowMs = this.clock();
    let prepared: Prepared | undefined;
    const decided = await decide({
      requestBytes,
      policy: this.policy,
      state: this.config.state(),
      nowMs,
      ledger: this.config.ledger,
      liveState: this.liveState,
      onConsumed: (accepted, plan) => (prepared = this.prepare(plan, accepted.certificate.claims)),
    });
    const phases: PhaseTimings = { ...decided.phases };
    const { reason: denied } = decided.decision;
    if (!decided.verified.ok && denied !== null && UNAUTHENTICATED_REASONS.includes(denied)) {
      // Nothing here came from a trusted issuer: count it, and let flushTally record the counts.
      this.unauthenticated.count(denied, nowMs);
      return { decision: decided.decision, phases };
    }

    const allowed = decided.allowed;
    if (decided.decision.decision === 'allow' && allowed !== undefined) {
      return this.executeAllowed(decided, allowed, prepared ?? this.prepare(allowed.plan, allowed.certificate.claims), phases);
    }
    await this.discard(prepared);
    const recorded = await timed(phases, 'record', () => this.recordDecision(decided));
    // A deny stays the deny it was; an allow without its record is refused.
    const decision = decided.decision.decision === 'allow' && recorded === undefined ? deny('audit_unavailable', decided.decision.jti) : decided.decision;
    return { decision, phases, ...(recorded === undefined ? {} : { decisionSeq: recorded.seq }) };
  }

  /**
   * Once the use is consumed, while the drift read is in flight: reserve the
   * names of what the mint will create, and when it creates nothing that
   * could be left behind (no reservation), start the mint now. Its identity
   * is used only after the decision and intent are durable, and retired
   * unused otherwise. A mint that creates objects waits for its intent.
   */
  private prepare(plan: MutationPlan, claims: Claims): Prepared {
    const adapter = this.adapterFor(plan.contract);
    let reservation: Reservation | undefined;
    try {
      reservation = adapter.reserve?.(plan);
    } catch (error) {
      return { adapter, reservation: failure(error) };
    }
    if (reservation !== undefined) return { adapter, reservation };
    return { adapter, reservation, minting: adapter.mint(plan, claims).catch((e: unknown) => failure(e)) };
  }

  /** A denied request's early identity, if one was minted, is retired unused before the denial is answered. */
  private async discard(prepared: Prepared | undefined): Promise<void> {
    const identity = await prepared?.minting;
    if (identity !== undefined && isIdentity(identity)) await prepared?.adapter.retire(identity).catch(() => undefined);
  }

  private async executeAllowed(decided: Decided, allowed: Allowed<MutationPlan>, prepared: Prepared, phases: PhaseTimings): Promise<ExecutionResult> {
    const { plan, live } = allowed;
    const { claims } = allowed.certificate;
    const { adapter, reservation } = prepared;
    if (reservation instanceof Error) {
      // The names of what the mint creates could not be chosen, so nothing is announced or minted: the decision alone, ended by its outcome.
      const recorded = await timed(phases, 'record', () => this.recordDecision(decided));
      if (recorded === undefined) return { decision: deny('audit_unavailable', claims.jti), phases };
      return this.finish(recorded, claims, phases, 'mint_failed', 'failed', reservation.message);
    }
    // The names of what the mint creates are signed into the intent before it creates them, so a restart can delete leftovers.
    const recorded = await timed(phases, 'record', () => this.recordAllow(decided, plan, claims, reservation));
    if (recorded === undefined) {
      // Without its decision and intent on disk, an allow is refused: nothing is run, and nothing minted is kept.
      await this.discard(prepared);
      return { decision: deny('audit_unavailable', claims.jti), phases };
    }

    const identity = await timed(phases, 'mint', () => prepared.minting ?? adapter.mint(plan, claims, reservation).catch((e: unknown) => failure(e)));
    if (!isIdentity(identity)) {
      return this.finish(recorded, claims, phases, 'mint_failed', 'failed', identity.message);
    }
    const result = await timed(phases, 'invoke', () => adapter.invoke(plan, identity, live).catch((e: unknown) => ({ status: 'unknown' as const, detail: failure(e).message })));
    await timed(phases, 'retire', () => adapter.retire(identity).catch(() => undefined));
    switch (result.status) {
      case 'succeeded':
        return this.finish(recorded, claims, phases, null, 'succeeded');
      case 'precondition_failed':
        return this.finish(recorded, claims, phases, 'precondition_failed', 'failed', result.detail);
      case 'failed':
        return this.finish(recorded, claims, phases, 'invoke_failed', 'failed', result.detail);
      case 'unknown':
        // The call may or may not have landed (a timeout, a reset): say so, never guess.
        return this.finish(recorded, claims, phases, 'invoke_failed', 'unknown', result.detail);
    }
  }

  /**
   * Write one tally record of the denials counted since the last flush, if
   * any. Called on an interval and before closing; a failed write keeps the
   * counts for the next flush.
   */
  async flushTally(): Promise<void> {
    const tally = this.unauthenticated.take();
    if (tally === undefined) return;
    try {
      await this.config.log.appendTally(tally);
    } catch (error) {
      this.unauthenticated.restore(tally);
      throw error;
    }
  }

  private adapterFor(contract: Contract): PlatformAdapter {
    const adapter = this.adapters.get(contract.platform);
    if (adapter === undefined) throw new InvalidInputError(`contract: platform ${contract.platform} is not served by this broker`);
    return adapter;
  }

  private planOf(contract: Contract): MutationPlan {
    return this.plans.get(contract) ?? this.adapterFor(contract).plan(contract);
  }

  private async recordDecision(decided: Decided): Promise<Appended | undefined> {
    try {
      return await this.config.log.appendDecision(decisionRecordInput(decided));
    } catch (error) {
      this.appendFailed(error);
      return undefined;
    }
  }

  /** An allow's decision and its signed intent, in one durable write: without both, nothing that creates objects is minted and nothing runs; reconciliation has the contract. */
  private async recordAllow(decided: Decided, plan: MutationPlan, claims: Claims, reservation: Reservation | undefined): Promise<Appended | undefined> {
    try {
      const { decision } = await this.config.log.appendAllow(decisionRecordInput(decided), (ref) => ({
        decision: ref,
        jti: claims.jti,
        contract: plan.contract,
        ...(claims.pre === undefined ? {} : { pre: claims.pre }),
        ...(reservation === undefined ? {} : { executor: reservation }),
      }));
      return decision;
    } catch (error) {
      this.appendFailed(error);
      return undefined;
    }
  }

  private appendFailed(error: unknown): void {
    const e = failure(error);
    this.logFailure ??= `a record could not be appended: ${e.message}`;
    this.logFailureListener(e);
  }

  private async finish(
    recorded: Appended,
    claims: Claims,
    phases: PhaseTimings,
    reason: Reason | null,
    status: 'succeeded' | 'failed' | 'unknown',
    detail?: string,
  ): Promise<ExecutionResult> {
    const outcomeDetail = reason === null ? detail : `${reason}${detail === undefined ? '' : `: ${detail}`}`;
    await timed(phases, 'outcome', () =>
      this.config.log
        .appendOutcome({ decision: { seq: recorded.seq, hash: recorded.hash }, jti: claims.jti, status, ...(outcomeDetail === undefined ? {} : { detail: outcomeDetail.slice(0, 1000) }) })
        .then(
          // Answered once committed; its sync runs with the group's, and one that fails makes the broker unhealthy as a failed append does.
          ({ durable }) => void durable.catch((error: unknown) => this.appendFailed(error)),
          // An outcome that cannot be written is left to reconciliation on restart (docs/design.md section 4).
          (error: unknown) => this.appendFailed(error),
        ),
    );
    const decision: Decision = reason === null ? { decision: 'allow', reason: null, jti: claims.jti } : deny(reason, claims.jti);
    return { decision, outcome: status, ...(detail === undefined ? {} : { detail }), phases, decisionSeq: recorded.seq };
  }
}

async function timed<T>(phases: PhaseTimings, phase: Phase, run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await run();
  } finally {
    phases[phase] = performance.now() - t0;
  }
}

/** What an execution readies once its use is consumed: the adapter, the reserved names (or why there are none), and a mint already under way. */
interface Prepared {
  readonly adapter: PlatformAdapter;
  readonly reservation: Reservation | undefined | Error;
  readonly minting?: Promise<ScopedIdentity | Error>;
}

function failure(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function isIdentity(value: ScopedIdentity | Error): value is ScopedIdentity {
  return !(value instanceof Error);
}
