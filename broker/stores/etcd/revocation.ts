// The revocation view from etcd (predicate 6, and the policy epoch for 5):
// read once, then kept by a watch on <prefix>/revocation/.
//
// How the view knows it is current. A watch alone cannot say: a stream on a
// member cut off from the quorum stays open and quiet, and etcd's progress
// notifications come every ten minutes by default, from whichever member the
// stream is on, leader or not. So every probeIntervalMs the source makes a
// linearizable read (it goes through the leader's read index, so it answers
// only with a quorum and sees every write committed before it was sent) of
// the newest revision under the prefix. If the watch has already applied
// that revision, the view was current when the probe was sent, and asOfMs
// moves to that instant. If not (the watch is behind, stuck or gone), the
// source reads the whole prefix, again linearizably, and takes that. When
// etcd does not answer, nothing moves: the view ages, and past maxAgeMs the
// broker denies with revocation_stale. The watch only makes news fast; the
// probe is what vouches for it.
import { Range, type Etcd3, type IWatchResponse, type Watcher } from 'etcd3';
import { IoError } from '../../core/errors.js';
import type { RevocationFeedView, RevocationSource } from '../../core/ports/revocation.js';
import { revocationKeys } from './keys.js';
import { applyChange, EMPTY_FEED, readFeed, type Feed } from './revocation-feed.js';

export interface EtcdRevocationOptions {
  readonly prefix: string;
  /** The staleness bound: older than this, the view denies. */
  readonly maxAgeMs: number;
  /** How often the view is confirmed; a quarter of the bound by default, so one lost probe does not stale it. */
  readonly probeIntervalMs?: number;
  readonly clock?: () => number;
}

export class EtcdRevocationSource implements RevocationSource {
  private feed: Feed = EMPTY_FEED;
  /** The store revision the feed reflects, for keys under the prefix; -1 before the first read. */
  private applied = -1;
  private asOfMs = Number.NEGATIVE_INFINITY;
  private watcher: Watcher | 'starting' | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly area: Range;
  private readonly clock: () => number;

  private constructor(
    private readonly client: Etcd3,
    private readonly options: EtcdRevocationOptions,
  ) {
    this.area = Range.prefix(revocationKeys(options.prefix).area);
    this.clock = options.clock ?? Date.now;
  }

  /** Starts reading at once; the view is stale (denies) until the first read answers. */
  static start(client: Etcd3, options: EtcdRevocationOptions): EtcdRevocationSource {
    const source = new EtcdRevocationSource(client, options);
    void source.tick();
    return source;
  }

  view(): RevocationFeedView {
    const { floor, epoch, revoked } = this.feed;
    return { floor, revoked, asOfMs: this.asOfMs, maxAgeMs: this.options.maxAgeMs, ...(epoch === undefined ? {} : { policyEpoch: epoch }) };
  }

  /** Resolves once the view is current; for start-up and tests that must not race the first read. */
  async whenCurrent(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.clock() - this.asOfMs > this.options.maxAgeMs) {
      if (Date.now() > deadline) throw new IoError(`etcd revocation feed: not current after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const watcher = this.watcher;
    this.watcher = undefined;
    // A stream stuck on a hung member never acknowledges the cancel: do not wait on it for long.
    if (watcher !== undefined && watcher !== 'starting') await Promise.race([watcher.cancel().catch(() => undefined), delay(500)]);
  }

  private async tick(): Promise<void> {
    try {
      const sentAt = this.clock();
      if (this.applied >= 0 && this.watcher !== undefined && (await this.newestRevision()) <= this.applied) this.confirm(sentAt);
      else await this.readAll();
    } catch {
      // etcd did not answer: asOfMs stays where it was and the view ages.
    }
    if (!this.closed) {
      this.timer = setTimeout(() => void this.tick(), this.options.probeIntervalMs ?? Math.max(1, Math.floor(this.options.maxAgeMs / 4)));
      this.timer.unref();
    }
  }

  /** The highest mod revision among the keys under the prefix, by a linearizable read. */
  private async newestRevision(): Promise<number> {
    const r = await this.client.kv.range({ key: this.area.start, range_end: this.area.end, keys_only: true, sort_target: 'Mod', sort_order: 'Descend', limit: 1 });
    return Number(r.kvs[0]?.mod_revision ?? 0);
  }

  private async readAll(): Promise<void> {
    const sentAt = this.clock();
    const r = await this.client.kv.range({ key: this.area.start, range_end: this.area.end });
    const revision = Number(r.header.revision);
    // The watch may already be past this read; then it holds the newer state.
    if (revision > this.applied) {
      this.feed = readFeed(this.options.prefix, r.kvs);
      this.applied = revision;
    }
    this.confirm(sentAt);
    if (this.watcher === undefined && !this.closed) this.watchFrom(revision + 1);
  }

  private confirm(sentAt: number): void {
    if (this.feed.problems.size === 0) this.asOfMs = Math.max(this.asOfMs, sentAt);
  }

  private watchFrom(revision: number): void {
    this.watcher = 'starting';
    this.client
      .watch()
      .inRange(this.area)
      .startRevision(String(revision))
      .create()
      .then(
        (watcher) => {
          if (this.closed) return void watcher.cancel().catch(() => undefined);
          this.watcher = watcher;
          watcher.on('data', (res) => this.onWatch(res));
          // A cancelled watch (its start was compacted away) is dropped; the next tick reads all and watches again.
          watcher.on('error', () => {
            watcher.removeAllListeners();
            if (this.watcher === watcher) this.watcher = undefined;
          });
        },
        () => {
          this.watcher = undefined;
        },
      );
  }

  private onWatch(res: IWatchResponse): void {
    // Every event of one revision comes in one response, so compare against the revision before it.
    const before = this.applied;
    for (const event of res.events) {
      const revision = Number(event.kv.mod_revision);
      if (revision <= before) continue;
      this.feed = applyChange(this.feed, this.options.prefix, event.type === 'Put' ? 'put' : 'delete', event.kv);
      this.applied = Math.max(this.applied, revision);
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
