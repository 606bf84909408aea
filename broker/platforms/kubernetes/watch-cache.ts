// The broker's own watch cache (an informer): per collection it serves, a view
// kept in memory by LIST then WATCH, so the drift check's read is answered
// without a request. A view answers only while it is in sync (listed, and its
// watch open); before that, while it re-lists, and while a broken watch is
// retried, it answers nothing and the caller reads from the API server.
//
// A view that lags is safe, as the API server's own watch cache was: a state
// that does not match the certificate is confirmed from etcd before a drift
// denial (decide.ts), and one that matches is written with its own
// resourceVersion as the precondition, which the API server refuses
// (precondition_failed) if the object has moved on since.
import type { CachedReads } from '../../core/ports/platform.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/strict-json.js';
import { objectOf } from './client.js';
import { ResyncNeeded, type CollectionSource, type WatchEvent } from './watch-source.js';

/** Waits `ms`, or less if `signal` aborts; never rejects. */
export type Wait = (ms: number, signal: AbortSignal) => Promise<void>;

/** The wait before the next attempt after `failures` failures in a row: the first retry at once, then doubling to 30 s. */
export function retryDelayMs(failures: number): number {
  return failures <= 1 ? 0 : Math.min(500 * 2 ** (failures - 2), 30_000);
}

export class WatchCache {
  private readonly views = new Map<string, CollectionView>();
  private closed = false;
  private hits = 0;
  private fallbacks = 0;

  constructor(
    private readonly sourceOf: (collectionPath: string) => CollectionSource,
    private readonly wait: Wait = sleep,
  ) {}

  /**
   * The object as the collection's view holds it, or undefined when the view
   * cannot answer (not in sync, or no such object): the caller then reads
   * from the API server. The first read of a collection starts its view.
   */
  get(collectionPath: string, name: string): JsonObject | undefined {
    const object = this.viewOf(collectionPath)?.get(name);
    if (object === undefined) this.fallbacks += 1;
    else this.hits += 1;
    return object;
  }

  reads(): CachedReads {
    return { cache: this.hits, fallback: this.fallbacks };
  }

  /** Ends every watch; reads from now on fall through to the API server. */
  close(): void {
    this.closed = true;
    for (const view of this.views.values()) view.stop();
  }

  private viewOf(collectionPath: string): CollectionView | undefined {
    if (this.closed) return undefined;
    let view = this.views.get(collectionPath);
    if (view === undefined) {
      view = new CollectionView(this.sourceOf(collectionPath), this.wait);
      this.views.set(collectionPath, view);
    }
    return view;
  }
}

/** One collection: its objects by name, the last resourceVersion seen, and whether the view is in sync. */
class CollectionView {
  private objects = new Map<string, JsonObject>();
  /** Undefined until listed, and from a resync until the next list. */
  private resourceVersion: string | undefined;
  private inSync = false;
  private failures = 0;
  private readonly stopping = new AbortController();

  constructor(
    private readonly source: CollectionSource,
    private readonly wait: Wait,
  ) {
    void this.run();
  }

  get(name: string): JsonObject | undefined {
    return this.inSync ? this.objects.get(name) : undefined;
  }

  stop(): void {
    this.inSync = false;
    this.stopping.abort();
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        this.resourceVersion ??= await this.list();
        const opened = () => {
          this.inSync = !signal.aborted;
        };
        let delivered = false;
        const event = (e: WatchEvent) => {
          delivered = true;
          this.apply(e);
        };
        await this.source.watch(this.resourceVersion, { opened, event }, signal);
        // The server ended the watch (its timeout): the next one resumes from the last version seen,
        // at once if this one delivered anything (bookmarks come every minute or so). A server that
        // ends every watch at once, empty, is asked again with the failures' backoff, not in a tight
        // loop, and the view answers nothing until a watch is open again.
        if (delivered) {
          this.failures = 0;
        } else {
          this.inSync = false;
          await this.backOff(signal);
        }
      } catch (error) {
        this.inSync = false;
        if (error instanceof ResyncNeeded) this.resourceVersion = undefined;
        await this.backOff(signal);
      }
    }
  }

  private async backOff(signal: AbortSignal): Promise<void> {
    this.failures += 1;
    await this.wait(retryDelayMs(this.failures), signal);
  }

  private async list(): Promise<string> {
    const listed = await this.source.list();
    this.objects = new Map(listed.items.map((item) => [nameOf(item), retained(item)]));
    return listed.resourceVersion;
  }

  private apply(event: WatchEvent): void {
    if (event.type === 'DELETED') this.objects.delete(event.name);
    else if (event.type !== 'BOOKMARK') this.objects.set(event.name, retained(event.object));
    this.resourceVersion = event.resourceVersion;
    this.failures = 0;
  }
}

function nameOf(item: JsonObject): string {
  const { name } = objectOf(item.metadata);
  if (typeof name !== 'string' || name === '') throw new ResyncNeeded('list: an item without a name');
  return name;
}

/**
 * What a view keeps of an object: all of it but metadata.managedFields, the
 * bulk of a typical object and read by no projection (plans project at read
 * time, so the whole rest is kept). Frozen: a reader cannot change the view.
 */
export function retained(object: JsonObject): JsonObject {
  const metadata = { ...objectOf(object.metadata) };
  delete metadata.managedFields;
  return deepFreeze({ ...object, metadata });
}

function deepFreeze<T extends JsonValue>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const member of Array.isArray(value) ? value : isJsonObject(value) ? Object.values(value) : []) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
