// The client's line splitting for streamed bodies (a watch sends one JSON
// event per line, and a chunk may end anywhere in one).
import { describe, expect, it } from 'vitest';
import { splitLines } from './client.js';

describe('splitLines', () => {
  it('returns the complete lines and keeps what follows the last newline for the next chunk', () => {
    expect(splitLines('{"a":1}\n{"b":2}\n{"c"')).toEqual({ lines: ['{"a":1}', '{"b":2}'], rest: '{"c"' });
    expect(splitLines('{"c":3}\n')).toEqual({ lines: ['{"c":3}'], rest: '' });
  });

  it('skips blank lines', () => {
    expect(splitLines('\n\n{"a":1}\n \n')).toEqual({ lines: ['{"a":1}'], rest: '' });
  });
});
