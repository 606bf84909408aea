import { describe, expect, it } from 'vitest';
import { onFirstUse } from './on-first-use.js';

describe('onFirstUse', () => {
  it('makes nothing until asked, then once, shared by concurrent and later uses', async () => {
    let made = 0;
    const get = onFirstUse(async () => ({ n: ++made }));
    expect(made).toBe(0);
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(await get()).toBe(a);
    expect(made).toBe(1);
  });

  it('does not remember a failure: the next use tries again', async () => {
    let attempts = 0;
    const get = onFirstUse(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('import failed');
      return attempts;
    });
    await expect(get()).rejects.toThrow('import failed');
    expect(await get()).toBe(2);
    expect(await get()).toBe(2);
  });
});
