import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { settle } from './wait.js';

describe('settle', () => {
  it('leaves no abort listener behind on the run\'s signal, however many loops settle on it', async () => {
    const run = new AbortController();
    for (let k = 0; k < 20; k++) await settle([Promise.resolve(k)], run.signal, 10);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('waits for everything while not aborted, and only the grace once aborted', async () => {
    const run = new AbortController();
    let done = false;
    const slow = new Promise<void>((r) => setTimeout(() => ((done = true), r()), 30));
    await settle([slow], run.signal, 5);
    expect(done).toBe(true);
    run.abort();
    const never = new Promise<void>(() => undefined);
    await settle([never], run.signal, 5);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });
});
