// The run's history: one record per request, appended as each finishes, plus
// the blocks they ran in and the events injected, all against one start time.
// Kept in memory and written out at the end (or on Ctrl-C) by harness/results.
// Every scenario records here, the paper's and the fleet's (revocation,
// faults); the validator (harness/validate) reads the same records.
import type { PhaseTimings } from '../../broker/broker.js';
import type { PlatformName } from '../../broker/core/certificate/contract.js';
import type { RequestCount } from './platform-requests.js';

export type RequestPath = 'seb' | 'direct';
/** `passed`: a /v1/verify probe the broker would allow (nothing runs on that path). */
export type Outcome = 'executed' | 'denied' | 'error' | 'passed';
/**
 * Why a fleet request was sent: a fresh certificate, one signed before a
 * revocation (outstanding), a replay of one that executed, one with a broken
 * signature, or a /v1/verify probe (the only requests sent there).
 */
export type AttemptKind = 'fresh' | 'outstanding' | 'replay' | 'tamper' | 'probe';

export interface RequestRecord {
  /** The scenario's name; a sweep step is `<name>@<rate>rps`. */
  readonly scenario: string;
  readonly target: string;
  readonly platform: PlatformName;
  readonly path: RequestPath;
  readonly operation: string;
  readonly request_id: string;
  /** Intended start, ms since the run started. */
  readonly start_ms: number;
  readonly latency_ms: number;
  /** When the call went out and when its answer came, ms since the run started (admission before it not included). */
  readonly sent_ms: number;
  readonly answered_ms: number;
  readonly outcome: Outcome;
  /** The broker's reason code for a denial, or a short error message. */
  readonly reason: string | null;
  readonly phases: PhaseTimings;
  /** Drift scenarios: the out-of-band mutator changed this request's target after admission. */
  readonly drifted?: boolean;
  /** Replay storms: the certificate this copy carried. */
  readonly certificate?: number;
  /** The certificate's id as the harness issued it (never from the broker's answer): what platform records are matched on. */
  readonly jti?: string;
  /** Fleet scenarios: the broker of the fleet it was sent to. */
  readonly broker?: string;
  /** Fleet scenarios: why it was sent. */
  readonly attempt?: AttemptKind;
  /** Fleet scenarios: the request index its contract was made for (slot index % slots, value `value-index`). */
  readonly index?: number;
  /** Fleet scenarios: the certificate's `rep` claim (revocation by floor revokes below it). */
  readonly rep?: number;
}

/** A stretch of time in which one path of one operation was measured. */
export interface BlockRecord {
  readonly scenario: string;
  readonly platform: PlatformName;
  readonly path: RequestPath;
  readonly operation: string;
  readonly start_ms: number;
  readonly end_ms: number;
  /** Open loop: the rate arrivals were scheduled at. */
  readonly offered_rps?: number;
  /** A step of a rate sweep: the scenario's own name (`scenario` is `<name>@<rate>rps`). */
  readonly sweep?: string;
}

/** CPU one process spent over one measured block, and its memory at the block's end (metrics/cpu.ts). */
export interface CpuRecord {
  readonly scenario: string;
  readonly platform: PlatformName;
  readonly path: RequestPath;
  readonly operation: string;
  readonly process: string;
  readonly cpu_ms: number;
  readonly rss_kib: number;
  /** Requests of the block that executed: what the CPU bought. */
  readonly mutations: number;
}

/** Requests the platform served over one measured block, by kind, as the platform counted them (metrics/platform-requests.ts). */
export interface PlatformRequestsRecord {
  readonly scenario: string;
  readonly platform: PlatformName;
  readonly path: RequestPath;
  readonly operation: string;
  readonly counts: readonly RequestCount[];
  /** Requests of the block that executed. */
  readonly mutations: number;
}

export interface EventRecord {
  readonly scenario: string;
  readonly at_ms: number;
  readonly kind: string;
  readonly detail: string;
  readonly outcome: 'ok' | 'error' | 'skipped';
}

/** A request the harness could not send: admission (the SAB) or the drift mutator failed first. */
export interface NotSentRecord {
  readonly scenario: string;
  readonly platform: PlatformName;
  readonly path: RequestPath;
  readonly operation: string;
  readonly reason: string;
}

export class History {
  readonly requests: RequestRecord[] = [];
  /** Kept out of requests.csv (nothing reached the path under test); counted in meta.json. */
  readonly notSent: NotSentRecord[] = [];
  readonly blocks: BlockRecord[] = [];
  readonly events: EventRecord[] = [];
  readonly cpu: CpuRecord[] = [];
  readonly platformRequests: PlatformRequestsRecord[] = [];
  /** performance.now() at the run's start: every *_ms above counts from here. */
  readonly origin: number;
  readonly startedAt: Date;

  constructor(origin = performance.now(), startedAt = new Date()) {
    this.origin = origin;
    this.startedAt = startedAt;
  }

  /** ms since the run's start for a performance.now() reading. */
  since(t: number): number {
    return t - this.origin;
  }

  addRequest(r: RequestRecord): void {
    this.requests.push(r);
  }

  addNotSent(r: NotSentRecord): void {
    this.notSent.push(r);
  }

  addBlock(b: BlockRecord): void {
    this.blocks.push(b);
  }

  addCpu(c: CpuRecord): void {
    this.cpu.push(c);
  }

  addPlatformRequests(r: PlatformRequestsRecord): void {
    this.platformRequests.push(r);
  }

  addEvent(e: EventRecord): void {
    this.events.push(e);
  }
}
