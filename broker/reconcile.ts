// Crash reconciliation (docs/design.md sections 2.6 and 4): a broker that stopped between a
// decision record and its outcome left an allow whose mutation may or may not
// have run. On start, before it serves, the broker ends every such allow with
// an outcome record, judged from the platform's live state:
//   succeeded  the live state shows the contract's mutation
//   failed     the live state is still the certified pre-state
//   unknown    anything else, said with the reason, never guessed; an allow
//              without a signed intent is unknown too (the contract to look
//              at is not known, so nothing can be said to have not run)
// The open allows and their intents come from the log itself (the record-log
// port), so only the process that owns the log reconciles it. An outcome
// that cannot be written stops the start: never silence.
import type { Contract } from './core/certificate/contract.js';
import { jcsDigest } from './core/digest.js';
import type { LiveState } from './core/predicates/drift.js';
import type { MutationPlan, PlatformAdapter } from './core/ports/platform.js';
import type { RecordLog } from './core/ports/record-log.js';
import type { OpenAllow } from './core/records/allows.js';
import type { OutcomeRecord } from './core/records/record.js';

/**
 * What an adapter adds to take part in reconciliation: whether a live state
 * shows the contract's mutation done. An adapter without it can still prove
 * "nothing happened" (the pre-state) but never "it happened".
 */
export interface IntentCheck {
  matchesIntent(plan: MutationPlan, live: LiveState): boolean;
}

export type ReconcilableAdapter = PlatformAdapter & Partial<IntentCheck>;

export interface ReconcileInput {
  /** The log, opened for writing by this process: its open allows are read and their outcomes appended through it. */
  readonly log: RecordLog;
  readonly platforms: readonly ReconcilableAdapter[];
}

export interface Reconciled {
  readonly seq: number;
  readonly jti: string;
  readonly status: OutcomeRecord['status'];
  readonly detail: string;
}

type Verdict = Pick<Reconciled, 'status' | 'detail'>;

/** Ends every open allow with an outcome; returns what it wrote, in log order. */
export async function reconcile(input: ReconcileInput): Promise<readonly Reconciled[]> {
  const open = await input.log.openAllows();
  const openPerCertificate = new Map<string, number>();
  for (const a of open) openPerCertificate.set(certificateKey(a), (openPerCertificate.get(certificateKey(a)) ?? 0) + 1);

  const done: Reconciled[] = [];
  for (const allow of open) {
    const verdict = await judge(allow, input.platforms, openPerCertificate.get(certificateKey(allow)) ?? 1);
    const leftovers = await retireLeftovers(allow, input.platforms);
    const detail = `reconciled after restart: ${verdict.detail}${leftovers}`.slice(0, 1000);
    const { durable } = await input.log.appendOutcome({ decision: { seq: allow.seq, hash: allow.hash }, jti: allow.jti, status: verdict.status, detail });
    // On disk before the broker serves: a sync that fails stops the start, as a failed append does.
    await durable;
    done.push({ seq: allow.seq, jti: allow.jti, status: verdict.status, detail });
  }
  return done;
}

/** Deletes what the crashed execution's mint may have left (the objects its intent reserved); says how that went. */
async function retireLeftovers(allow: OpenAllow, platforms: readonly ReconcilableAdapter[]): Promise<string> {
  const reserved = allow.intent?.executor;
  if (reserved === undefined) return '';
  const adapter = platforms.find((p) => p.name === allow.intent?.contract.platform);
  if (adapter?.retireReserved === undefined) return `; the executor objects it reserved were not removed: no ${allow.intent?.contract.platform} adapter removes them`;
  try {
    await adapter.retireReserved(reserved);
    return '; the executor objects it reserved are removed';
  } catch (error) {
    return `; the executor objects it reserved could not be removed: ${(error as Error).message}`;
  }
}

function certificateKey(c: { readonly iss: string; readonly jti: string }): string {
  return JSON.stringify([c.iss, c.jti]);
}

async function judge(allow: OpenAllow, platforms: readonly ReconcilableAdapter[], openForCertificate: number): Promise<Verdict> {
  const { intent } = allow;
  // Without a signed intent the contract is unknown: the mutation may have run, or not.
  if (intent === undefined) return { status: 'unknown', detail: 'no intent was recorded for this allow, so the live state cannot be checked' };
  const seen = await liveState(intent.contract, platforms);
  if ('unreadable' in seen) return { status: 'unknown', detail: seen.unreadable };
  const { adapter, plan, live } = seen;
  const atPre = intent.pre !== undefined && jcsDigest(live.state) === intent.pre.digest;
  const atIntent = adapter.matchesIntent?.(plan, live);
  if (atIntent === true && atPre) return { status: 'unknown', detail: 'the intended state is the pre-state, so the live state cannot tell whether the mutation ran' };
  if (atIntent === true && openForCertificate > 1) {
    return { status: 'unknown', detail: `the live state shows the mutation, but ${openForCertificate} executions of this certificate were open and it cannot tell which ran` };
  }
  if (atIntent === true) return { status: 'succeeded', detail: 'the live state shows the mutation' };
  if (atPre) return { status: 'failed', detail: 'the live state is still the certified pre-state' };
  return {
    status: 'unknown',
    detail: atIntent === undefined ? `the ${adapter.name} adapter cannot check the intended state, and the live state is not the pre-state` : 'the live state is neither the pre-state nor the intended state',
  };
}

async function liveState(
  contract: Contract,
  platforms: readonly ReconcilableAdapter[],
): Promise<{ adapter: ReconcilableAdapter; plan: MutationPlan; live: LiveState } | { unreadable: string }> {
  const adapter = platforms.find((p) => p.name === contract.platform);
  if (adapter === undefined) return { unreadable: `no adapter for platform ${contract.platform}` };
  try {
    const plan = adapter.plan(contract);
    return { adapter, plan, live: await adapter.readLiveState(plan) };
  } catch (error) {
    return { unreadable: `the live state could not be read: ${(error as Error).message}` };
  }
}
