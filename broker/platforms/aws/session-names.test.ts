import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Claims } from '../../core/certificate/claims.js';
import { awsName, sessionTags } from './session-names.js';

const STS_NAME = /^[\w+=,.@-]{2,64}$/;

describe('awsName', () => {
  it('keeps a value that already fits STS', () => {
    expect(awsName('agent-1')).toBe('agent-1');
    expect(awsName('Xq3_vW9-aa')).toBe('Xq3_vW9-aa');
  });

  it('cleans and hashes any other value, deterministically', () => {
    const name = awsName('urn:agent:1');
    expect(name).toMatch(/^urn_agent_1\.[0-9a-f]{16}$/);
    expect(awsName('urn:agent:1')).toBe(name);
    expect(awsName('x')).toMatch(/^x\.[0-9a-f]{16}$/); // too short for STS
    expect(awsName('a'.repeat(128))).toHaveLength(64);
  });

  it('always yields a valid STS name, and different names for different values', () => {
    const printable = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 256 });
    fc.assert(
      fc.property(printable, printable, (a, b) => {
        expect(awsName(a)).toMatch(STS_NAME);
        if (a !== b) expect(awsName(a)).not.toBe(awsName(b));
      }),
    );
  });
});

describe('sessionTags', () => {
  it('carries the exact jti and the policy epoch', () => {
    expect(sessionTags({ jti: 'a:b', pep: 7 } as Claims)).toEqual([
      { Key: 'seb-jti', Value: 'a:b' },
      { Key: 'seb-pep', Value: '7' },
    ]);
  });
});
