// The record log port (docs/design.md section 2.4). Asynchronous so that a remote or etcd
// backed log can implement it; the SQLite log is one file per broker.
import type { OpenAllow } from '../records/allows.js';
import type { DecisionRecord, IntentRecord, OutcomeRecord, TallyRecord } from '../records/record.js';
import type { SignedTreeHead } from '../records/tree-head.js';

/** The log stamps kind, seq, time and broker itself; the broker supplies the rest. */
type Stamped = 'kind' | 'seq' | 'time' | 'broker';
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type DecisionInput = OmitEach<DecisionRecord, Stamped>;
export type OutcomeInput = Omit<OutcomeRecord, Stamped>;
export type IntentInput = Omit<IntentRecord, Stamped>;
export type TallyInput = Omit<TallyRecord, Stamped>;

/** How later records cite a decision. */
export type DecisionRef = IntentRecord['decision'];

export interface Appended {
  readonly seq: number;
  /** base64url(SHA-256(entry JWS)): what an outcome cites as its decision's hash. */
  readonly hash: string;
  /** The tree head that ends the transaction holding this record: it covers this record and those committed with it. */
  readonly treeHead: SignedTreeHead;
}

/** A record committed to the log (in its order, visible to every reader) that may not be on disk yet. */
export interface Committed extends Appended {
  /** Settles once the record is on disk; rejects when it cannot be made so, after which every append fails. */
  readonly durable: Promise<void>;
}

/** RFC 9162 audit path of one record in the tree of `treeHead`; hashes base64url. */
export interface InclusionProof {
  readonly seq: number;
  readonly leafHash: string;
  readonly path: readonly string[];
  readonly treeHead: SignedTreeHead;
}

/** RFC 9162 proof that the tree of `fromSize` records is a prefix of `treeHead`'s. */
export interface ConsistencyProof {
  readonly fromSize: number;
  readonly path: readonly string[];
  readonly treeHead: SignedTreeHead;
}

export interface RecordLog {
  /** Resolves only once the record is durable: nothing may execute before. */
  appendDecision(decision: DecisionInput): Promise<Appended>;
  /** Before minting for an allow: what is about to run. Signed in the log, so reconciliation can trust it. */
  appendIntent(intent: IntentInput): Promise<Appended>;
  /**
   * An allow's decision and then its intent (which cites the decision) in one
   * durable write: both are on disk when this resolves, neither when it rejects.
   */
  appendAllow(decision: DecisionInput, intent: (decision: DecisionRef) => IntentInput): Promise<{ readonly decision: Appended; readonly intent: Appended }>;
  /**
   * Resolves once the outcome is committed: its allow is no longer open, but
   * the record may not be on disk until `durable` settles. A crash before
   * that leaves the allow open, and reconciliation ends it from the live
   * state (docs/design.md section 2.6).
   */
  appendOutcome(outcome: OutcomeInput): Promise<Committed>;
  /** Denials before the signature verified, counted over an interval (TallyRecord). */
  appendTally(tally: TallyInput): Promise<Appended>;
  treeHead(): Promise<SignedTreeHead>;
  inclusionProof(seq: number): Promise<InclusionProof>;
  consistencyProof(fromSize: number): Promise<ConsistencyProof>;
  /** The allows without an outcome, in log order, each with its signed intent if one was written: what reconciliation ends. */
  openAllows(): Promise<readonly OpenAllow[]>;
  close(): Promise<void>;
}
