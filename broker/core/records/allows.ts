// Every allow is followed by at most one intent and exactly one outcome, each
// naming it by seq and entry hash (docs/design.md section 4). The auditor and
// reconciliation both ask this of a log; the checks live here once. Memory is
// bounded by the allows still open plus one bit per record, so a log of any
// length is paired in one pass.
import { jcsDigest } from '../digest.js';
import type { IntentRecord, LogRecord, OutcomeRecord } from './record.js';

/** An allow awaiting its outcome, with the intent the broker signed for it, if any. */
export interface OpenAllow {
  readonly seq: number;
  /** Entry hash: what its intent and outcome cite. */
  readonly hash: string;
  readonly jti: string;
  readonly iss: string;
  readonly cdg: string;
  readonly intent?: IntentRecord;
}

export type PairingProblem =
  | 'outcome_without_decision' // an outcome whose allow is absent, different, or a deny
  | 'duplicate_outcome' // a second outcome for one allow
  | 'intent_without_decision' // an intent whose allow is absent, different, closed, already announced, or signed another contract
  | 'allow_without_outcome'; // an allow that never got its outcome, beyond the in-flight tail

export interface PairingFault {
  readonly problem: PairingProblem;
  /** The record at fault: the intent or outcome, or the allow left open. */
  readonly seq: number;
  readonly message: string;
}

/** The allow a decision record opens, if it is one. */
export function allowOf(record: LogRecord, hash: string): OpenAllow | undefined {
  if (record.kind !== 'decision' || record.decision !== 'allow') return undefined;
  return { seq: record.seq, hash, jti: record.jti, iss: record.iss, cdg: record.cdg };
}

/** Why `intent` does not belong to `allow` (the open allow at the seq it cites), or null when it does. */
export function intentMismatch(allow: OpenAllow | undefined, intent: IntentRecord): string | null {
  if (allow === undefined || allow.hash !== intent.decision.hash) return `decision ${intent.decision.seq} is not an open allow`;
  if (allow.jti !== intent.jti) return `decision ${intent.decision.seq} is for another certificate`;
  if (allow.intent !== undefined) return `decision ${intent.decision.seq} already has intent ${allow.intent.seq}`;
  if (jcsDigest(intent.contract) !== allow.cdg) return `its contract is not the one decision ${intent.decision.seq} signed`;
  return null;
}

function outcomeMismatch(allow: OpenAllow | undefined, outcome: OutcomeRecord): string | null {
  if (allow === undefined || allow.hash !== outcome.decision.hash) return `decision ${outcome.decision.seq} is not an allow in the log`;
  if (allow.jti !== outcome.jti) return `decision ${outcome.decision.seq} is for another certificate`;
  return null;
}

/** One bit per seq, grown as needed: which allows have had their outcome. */
class SeqBits {
  private bits = new Uint8Array(1024);

  add(seq: number): void {
    if (seq >= this.bits.length * 8) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, Math.floor(seq / 8) + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[Math.floor(seq / 8)]! |= 1 << seq % 8;
  }

  has(seq: number): boolean {
    return seq < this.bits.length * 8 && (this.bits[Math.floor(seq / 8)]! & (1 << seq % 8)) !== 0;
  }
}

/** Reads records in seq order and pairs each allow with its intent and outcome. */
export class AllowPairing {
  private readonly open = new Map<number, OpenAllow & { readonly ordinal: number }>();
  private readonly closed = new SeqBits();
  private allows = 0;

  /** Take the next record; a fault names the first intent or outcome that does not pair. */
  note(record: LogRecord, hash: string): PairingFault | null {
    const allow = allowOf(record, hash);
    if (allow !== undefined) this.open.set(allow.seq, { ...allow, ordinal: this.allows++ });
    if (record.kind === 'intent') return this.noteIntent(record);
    if (record.kind === 'outcome') return this.noteOutcome(record);
    return null;
  }

  /** The allows still open, in log order. */
  openAllows(): OpenAllow[] {
    return [...this.open.values()].map(({ ordinal: _, ...allow }) => allow);
  }

  /**
   * After the last record: every allow has its outcome, except up to
   * `inFlight` allows among the last `inFlight` of the log, which a running
   * broker may still be executing. A crashed broker's allows are closed by
   * reconciliation before it serves again, so they are never in flight.
   */
  unsettled(inFlight: number): PairingFault | null {
    for (const allow of this.open.values()) {
      if (allow.ordinal < this.allows - inFlight) {
        return { problem: 'allow_without_outcome', seq: allow.seq, message: `record ${allow.seq}: an allow without an outcome (in flight allowed: the last ${inFlight} allows)` };
      }
    }
    return null;
  }

  private noteIntent(intent: IntentRecord): PairingFault | null {
    const allow = this.open.get(intent.decision.seq);
    const why = intentMismatch(allow, intent);
    if (why !== null || allow === undefined) return { problem: 'intent_without_decision', seq: intent.seq, message: `record ${intent.seq}: intent, but ${why}` };
    this.open.set(allow.seq, { ...allow, intent });
    return null;
  }

  private noteOutcome(outcome: OutcomeRecord): PairingFault | null {
    const { seq } = outcome.decision;
    if (this.closed.has(seq)) return { problem: 'duplicate_outcome', seq: outcome.seq, message: `record ${outcome.seq}: a second outcome for decision ${seq}` };
    const why = outcomeMismatch(this.open.get(seq), outcome);
    if (why !== null) return { problem: 'outcome_without_decision', seq: outcome.seq, message: `record ${outcome.seq}: outcome, but ${why}` };
    this.open.delete(seq);
    this.closed.add(seq);
    return null;
  }
}
