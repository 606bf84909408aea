import { describe, expect, it } from 'vitest';
import { blockOrder, splitEvenly } from './blocks.js';
import { interruptOnSigint } from './interrupt.js';

describe('blocks', () => {
  it('alternate ABBA so both paths see the same drift of the machine', () => {
    expect(blockOrder(['seb', 'direct'], 1)).toEqual(['seb', 'direct']);
    expect(blockOrder(['seb', 'direct'], 2)).toEqual(['seb', 'direct', 'direct', 'seb']);
    expect(blockOrder(['seb', 'direct'], 3)).toEqual(['seb', 'direct', 'direct', 'seb', 'seb', 'direct']);
    expect(blockOrder(['seb'], 3)).toEqual(['seb', 'seb', 'seb']);
  });

  it('split a count evenly, larger parts first', () => {
    expect(splitEvenly(10, 3)).toEqual([4, 3, 3]);
    expect(splitEvenly(2, 4)).toEqual([1, 1, 0, 0]);
    expect(splitEvenly(300, 2)).toEqual([150, 150]);
  });
});

describe('interruptOnSigint', () => {
  it('aborts on the first Ctrl-C, and lets go when disposed', () => {
    let said = '';
    const before = process.listenerCount('SIGINT');
    const i = interruptOnSigint({ write: (s: string) => (said += s) });
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    process.emit('SIGINT');
    expect(i.signal.aborted).toBe(true);
    expect(said).toMatch(/stopping: finishing requests in flight/);
    i.dispose();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
