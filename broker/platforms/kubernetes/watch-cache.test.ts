// The broker's watch cache against a scripted collection: what it answers and
// when it answers nothing (the caller then reads from the API server), how it
// follows events, bookmarks, ended and broken watches, and 410 Gone.
import { describe, expect, it } from 'vitest';
import { IoError } from '../../core/errors.js';
import type { JsonObject } from '../../core/strict-json.js';
import { retained, retryDelayMs, WatchCache } from './watch-cache.js';
import { readWatchEvent, ResyncNeeded, type CollectionSource, type Listed, type WatchEvent, type WatchHandlers } from './watch-source.js';

const PATH = '/api/v1/namespaces/seb-prod/configmaps';

function configMap(name: string, resourceVersion: string, data: Record<string, string> = {}): JsonObject {
  return { metadata: { name, resourceVersion, managedFields: [{ manager: 'kubectl' }] }, data };
}

interface OpenWatch {
  readonly resourceVersion: string;
  readonly signal: AbortSignal;
  open(): void;
  send(event: WatchEvent): void;
  end(): void;
  fail(error: Error): void;
}

/** A collection whose lists and watches the test answers, one call at a time. */
function scripted() {
  const calls: string[] = [];
  const lists: { resolve: (listed: Listed) => void; reject: (error: Error) => void }[] = [];
  const watches: OpenWatch[] = [];
  const source: CollectionSource = {
    list: () => {
      calls.push('list');
      return new Promise((resolve, reject) => lists.push({ resolve, reject }));
    },
    watch: (resourceVersion: string, handlers: WatchHandlers, signal: AbortSignal) => {
      calls.push(`watch@${resourceVersion}`);
      return new Promise<void>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(new IoError('aborted')));
        watches.push({ resourceVersion, signal, open: () => handlers.opened(), send: (e) => handlers.event(e), end: resolve, fail: reject });
      });
    },
  };
  const pendingList = async () => {
    await settled();
    const pending = lists.shift();
    if (pending === undefined) throw new Error(`no list pending; calls: ${calls.join(', ')}`);
    return pending;
  };
  const waits: number[] = [];
  const cache = new WatchCache(
    (path) => {
      expect(path).toBe(PATH);
      return source;
    },
    async (ms) => void waits.push(ms),
  );
  return {
    cache,
    calls,
    waits,
    /** Answers the pending list. */
    async list(items: JsonObject[], resourceVersion: string) {
      (await pendingList()).resolve({ items, resourceVersion });
      await settled();
    },
    async failList(error: Error) {
      (await pendingList()).reject(error);
      await settled();
    },
    /** The watch now open, once the cache has asked for it. */
    async watch(): Promise<OpenWatch> {
      await settled();
      const w = watches.at(-1);
      if (w === undefined) throw new Error(`no watch pending; calls: ${calls.join(', ')}`);
      return w;
    },
    read: (name: string) => cache.get(PATH, name),
  };
}

/** Lets the cache's loop run until it waits on the source again. */
async function settled(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

const added = (object: JsonObject): WatchEvent => ({ type: 'ADDED', name: String((object.metadata as JsonObject).name), object, resourceVersion: String((object.metadata as JsonObject).resourceVersion) });

/** Listed at rv 10 with `web` in it, the watch open: in sync. */
async function inSync() {
  const s = scripted();
  s.read('web'); // the first read starts the view
  await s.list([configMap('web', '7', { mode: 'a' })], '10');
  const w = await s.watch();
  w.open();
  return { ...s, w };
}

describe('WatchCache', () => {
  it('answers nothing before its collection is in sync, and starts it on the first read: LIST, then WATCH from the list\'s version', async () => {
    const s = scripted();
    expect(s.read('web')).toBeUndefined();
    await settled();
    expect(s.calls).toEqual(['list']);
    await s.list([configMap('web', '7')], '10');
    expect(s.calls).toEqual(['list', 'watch@10']);
    expect(s.read('web')).toBeUndefined(); // listed, but the watch is not open yet
    (await s.watch()).open();
    expect(s.read('web')).toEqual({ metadata: { name: 'web', resourceVersion: '7' }, data: {} });
    expect(s.cache.reads()).toEqual({ cache: 1, fallback: 2 });
  });

  it('applies ADDED, MODIFIED and DELETED; a name it does not hold is a fallback', async () => {
    const s = await inSync();
    s.w.send(added(configMap('api', '11', { mode: 'x' })));
    s.w.send({ type: 'MODIFIED', name: 'web', object: configMap('web', '12', { mode: 'b' }), resourceVersion: '12' });
    expect(s.read('api')?.data).toEqual({ mode: 'x' });
    expect(s.read('web')).toEqual({ metadata: { name: 'web', resourceVersion: '12' }, data: { mode: 'b' } });
    s.w.send({ type: 'DELETED', name: 'api', object: configMap('api', '13'), resourceVersion: '13' });
    expect(s.read('api')).toBeUndefined();
    expect(s.read('nothing')).toBeUndefined();
    expect(s.cache.reads()).toEqual({ cache: 2, fallback: 3 });
  });

  it('resumes an ended watch from the last version seen, a bookmark\'s included, and stays in sync meanwhile', async () => {
    const s = await inSync();
    s.w.send(added(configMap('api', '11')));
    s.w.send({ type: 'BOOKMARK', resourceVersion: '20' });
    s.w.end();
    expect(s.read('web')).toBeDefined();
    await settled();
    expect(s.calls).toEqual(['list', 'watch@10', 'watch@20']);
    expect(s.waits).toEqual([]);
    expect(s.read('api')).toBeDefined();
  });

  it('backs off from a server that ends every watch at once with nothing in it, answering nothing until one is open again', async () => {
    const s = await inSync();
    for (let k = 0; k < 3; k++) {
      (await s.watch()).end();
      await settled();
    }
    expect(s.calls).toEqual(['list', 'watch@10', 'watch@10', 'watch@10', 'watch@10']);
    expect(s.waits).toEqual([retryDelayMs(1), retryDelayMs(2), retryDelayMs(3)]);
    expect(s.read('web')).toBeUndefined();
    (await s.watch()).open();
    expect(s.read('web')).toBeDefined();
    // An event resets the backoff: the next empty end is retried at once again.
    const w = await s.watch();
    w.send(added(configMap('api', '11')));
    w.end();
    await settled();
    (await s.watch()).end();
    await settled();
    expect(s.waits.slice(3)).toEqual([retryDelayMs(1)]);
  });

  it('re-lists on 410 Gone (or any ERROR event), answering nothing until the new watch is open', async () => {
    const s = await inSync();
    s.w.fail(new ResyncNeeded('watch error 410: too old resource version'));
    await settled();
    expect(s.calls).toEqual(['list', 'watch@10', 'list']);
    expect(s.read('web')).toBeUndefined();
    await s.list([configMap('db', '30')], '31');
    (await s.watch()).open();
    expect(s.calls.at(-1)).toBe('watch@31');
    expect(s.read('web')).toBeUndefined(); // gone in the new list
    expect(s.read('db')).toBeDefined();
  });

  it('answers nothing while a broken watch is retried from the last version, backing off as failures repeat', async () => {
    const s = await inSync();
    s.w.send({ type: 'BOOKMARK', resourceVersion: '15' });
    s.w.fail(new IoError('connection reset'));
    await settled();
    expect(s.read('web')).toBeUndefined();
    const again = await s.watch();
    expect(again.resourceVersion).toBe('15');
    again.fail(new IoError('connection refused'));
    await settled();
    const third = await s.watch();
    third.open();
    expect(s.read('web')).toBeDefined();
    expect(s.calls).toEqual(['list', 'watch@10', 'watch@15', 'watch@15']);
    expect(s.waits).toEqual([retryDelayMs(1), retryDelayMs(2)]);
  });

  it('retries a failed list, answering nothing until one succeeds and its watch is open', async () => {
    const s = scripted();
    s.read('web');
    await s.failList(new IoError('403 forbidden'));
    await s.failList(new IoError('connection refused'));
    expect(s.read('web')).toBeUndefined();
    await s.list([configMap('web', '7')], '10');
    (await s.watch()).open();
    expect(s.read('web')).toBeDefined();
    expect(s.calls).toEqual(['list', 'list', 'list', 'watch@10']);
    expect(s.waits).toEqual([retryDelayMs(1), retryDelayMs(2)]);
  });

  it('on close, ends its watches and answers nothing more', async () => {
    const s = await inSync();
    s.cache.close();
    expect(s.w.signal.aborted).toBe(true);
    await settled();
    expect(s.read('web')).toBeUndefined();
    expect(s.calls).toEqual(['list', 'watch@10']);
  });
});

describe('what the cache keeps', () => {
  it('drops managedFields and freezes the rest', () => {
    const kept = retained(configMap('web', '7', { mode: 'a' }));
    expect(kept).toEqual({ metadata: { name: 'web', resourceVersion: '7' }, data: { mode: 'a' } });
    expect(() => {
      (kept.data as Record<string, string>).mode = 'changed';
    }).toThrow(TypeError);
  });

  it('retries the first failure at once, then doubles up to 30 s', () => {
    expect([1, 2, 3, 4, 20].map(retryDelayMs)).toEqual([0, 500, 1000, 2000, 30_000]);
  });
});

describe('readWatchEvent', () => {
  it('reads the object events and bookmarks', () => {
    const object = configMap('web', '7');
    expect(readWatchEvent({ type: 'MODIFIED', object })).toEqual({ type: 'MODIFIED', name: 'web', object, resourceVersion: '7' });
    expect(readWatchEvent({ type: 'BOOKMARK', object: { kind: 'ConfigMap', metadata: { resourceVersion: '12' } } })).toEqual({ type: 'BOOKMARK', resourceVersion: '12' });
  });

  it.each([
    ['410 Gone', { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (20)' } }, /watch error 410: too old/],
    ['another error', { type: 'ERROR', object: { kind: 'Status', code: 500, message: 'internal' } }, /watch error 500/],
    ['an unknown type', { type: 'SOMETHING', object: configMap('web', '7') }, /unknown event type/],
    ['no resourceVersion', { type: 'ADDED', object: { metadata: { name: 'web' } } }, /without a resourceVersion/],
    ['no name', { type: 'DELETED', object: { metadata: { resourceVersion: '3' } } }, /without a name/],
  ])('asks for a re-list on %s', (_what, line, message) => {
    expect(() => readWatchEvent(line)).toThrow(ResyncNeeded);
    expect(() => readWatchEvent(line)).toThrow(message);
  });
});
