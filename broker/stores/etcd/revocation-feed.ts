// The revocation feed as the keys under <prefix>/revocation/ spell it, read
// into a value: pure, so the watch and the full read share one reading. An
// absent floor is 0 and an absent epoch is none: the state before the SAB
// published anything. A value that is not a count is kept aside as a
// problem; the source refuses to call a feed with problems current.
import type { IKeyValue } from 'etcd3';
import { readRevocationKey } from './keys.js';

export interface Feed {
  readonly floor: number;
  readonly epoch: number | undefined;
  readonly revoked: ReadonlySet<string>;
  /** Keys whose value could not be read. */
  readonly problems: ReadonlySet<string>;
}

export const EMPTY_FEED: Feed = { floor: 0, epoch: undefined, revoked: new Set(), problems: new Set() };

/** The feed after one put or delete. Copies what changes: a view handed out earlier never moves. */
export function applyChange(feed: Feed, prefix: string, change: 'put' | 'delete', kv: Pick<IKeyValue, 'key' | 'value'>): Feed {
  const key = readRevocationKey(prefix, kv.key);
  if (key === undefined) return feed;
  if (key.kind === 'jti') {
    if (change === 'put' ? feed.revoked.has(key.jti) : !feed.revoked.has(key.jti)) return feed;
    const revoked = new Set(feed.revoked);
    if (change === 'put') revoked.add(key.jti);
    else revoked.delete(key.jti);
    return { ...feed, revoked };
  }
  const name = kv.key.toString('utf8');
  const count = change === 'put' ? readCount(kv.value) : key.kind === 'floor' ? 0 : undefined;
  const problems = new Set(feed.problems);
  if (count === null) {
    problems.add(name);
    return { ...feed, problems };
  }
  problems.delete(name);
  return key.kind === 'floor' ? { ...feed, floor: count ?? 0, problems } : { ...feed, epoch: count, problems };
}

/** The feed from a full read of the area. */
export function readFeed(prefix: string, kvs: readonly Pick<IKeyValue, 'key' | 'value'>[]): Feed {
  return kvs.reduce((feed, kv) => applyChange(feed, prefix, 'put', kv), EMPTY_FEED);
}

/** A decimal count, or null when the bytes are anything else. */
export function readCount(value: Buffer): number | null {
  const text = value.toString('utf8');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}
