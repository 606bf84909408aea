// One collection of the API server, as the broker's watch cache follows it: a
// LIST read from etcd (unset resourceVersion: the most recent state), then a
// WATCH that starts exactly at the list's resourceVersion. The server sends
// the events after it in order; resourceVersions are opaque, compared for
// equality only, never ordered. Bookmarks only move the version on; the
// server sends them when it likes, so nothing here counts on them.
import { IoError, SebError } from '../../core/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/strict-json.js';
import { describe, expectStatus, KubernetesApiError, objectOf, type KubeClient } from './client.js';

export type WatchEvent =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly name: string; readonly object: JsonObject; readonly resourceVersion: string }
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string };

/**
 * The view can no longer follow the collection by watching: its history is
 * gone (410), or the server sent an error or an event the view cannot apply.
 * Only a new LIST rebuilds it.
 */
export class ResyncNeeded extends SebError {
  constructor(message: string) {
    super('io', message);
  }
}

export interface Listed {
  readonly items: readonly JsonObject[];
  /** The version the list was read at: where the watch starts. */
  readonly resourceVersion: string;
}

export interface WatchHandlers {
  /** The server accepted the watch: from here on it sends every change after the version asked for. */
  opened(): void;
  event(event: WatchEvent): void;
}

export interface CollectionSource {
  list(): Promise<Listed>;
  /** Resolves when the server ends the watch; throws ResyncNeeded, or any other error for a watch that broke. */
  watch(resourceVersion: string, handlers: WatchHandlers, signal: AbortSignal): Promise<void>;
}

/** Objects per page of the LIST: each page stays far below the client's response bound. */
const LIST_PAGE = 500;
/**
 * The server ends each watch after this long and the cache opens the next one
 * from the last version seen; a watch still open well past it (a connection
 * that died without a word) is cut, so a silent stall lasts at most this.
 */
export const WATCH_TIMEOUT_S = 300;
const WATCH_GRACE_MS = 30_000;

export function apiCollection(client: KubeClient, collectionPath: string): CollectionSource {
  return {
    async list() {
      const items: JsonObject[] = [];
      let resourceVersion = '';
      let next = '';
      do {
        // Every page is read at the first page's version: one snapshot.
        const query = `limit=${LIST_PAGE}${next === '' ? '' : `&continue=${encodeURIComponent(next)}`}`;
        const page = readListPage(expectStatus(await client.request('GET', `${collectionPath}?${query}`), [200], `list ${collectionPath}`), collectionPath);
        items.push(...page.items);
        ({ resourceVersion, next } = page);
      } while (next !== '');
      return { items, resourceVersion };
    },

    async watch(resourceVersion, handlers, signal) {
      const query = `watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}&timeoutSeconds=${WATCH_TIMEOUT_S}`;
      const answer = await client.stream(`${collectionPath}?${query}`, {
        onOpen: () => handlers.opened(),
        onLine: (line) => handlers.event(readWatchEvent(line)),
        deadlineMs: WATCH_TIMEOUT_S * 1000 + WATCH_GRACE_MS,
        signal,
      });
      if (answer === undefined) return;
      if (answer.status === 410) throw new ResyncNeeded(`watch ${collectionPath}: ${describe(answer)}`);
      throw new KubernetesApiError(answer.status, `watch ${collectionPath}: ${describe(answer)}`);
    },
  };
}

function readListPage(body: JsonValue | string, collectionPath: string): Listed & { readonly next: string } {
  const list = objectOf(body);
  const metadata = objectOf(list.metadata);
  const { resourceVersion } = metadata;
  if (!Array.isArray(list.items) || !list.items.every(isJsonObject) || typeof resourceVersion !== 'string' || resourceVersion === '') {
    throw new IoError(`list ${collectionPath}: not a list with items and a resourceVersion`);
  }
  return { items: list.items, resourceVersion, next: typeof metadata.continue === 'string' ? metadata.continue : '' };
}

/** One line of a watch; an ERROR event (410 Gone among them) or anything unreadable throws ResyncNeeded. */
export function readWatchEvent(line: JsonValue): WatchEvent {
  const event = objectOf(line);
  const object = objectOf(event.object);
  if (event.type === 'ERROR') throw new ResyncNeeded(`watch error ${String(object.code)}: ${String(object.message)}`);
  const metadata = objectOf(object.metadata);
  const { resourceVersion, name } = metadata;
  if (typeof resourceVersion !== 'string' || resourceVersion === '') throw new ResyncNeeded(`watch: a ${String(event.type)} event without a resourceVersion`);
  if (event.type === 'BOOKMARK') return { type: 'BOOKMARK', resourceVersion };
  if (event.type !== 'ADDED' && event.type !== 'MODIFIED' && event.type !== 'DELETED') throw new ResyncNeeded(`watch: unknown event type ${JSON.stringify(event.type)}`);
  if (typeof name !== 'string' || name === '') throw new ResyncNeeded(`watch: a ${event.type} event without a name`);
  return { type: event.type, name, object, resourceVersion };
}
