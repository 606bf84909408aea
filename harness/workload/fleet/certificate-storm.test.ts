import { describe, expect, it } from 'vitest';
import { tamperSignature } from './certificate-storm.js';

describe('tamperSignature', () => {
  it('changes one bit of the signature and nothing else', () => {
    const cert = `aGVhZGVy.cGF5bG9hZA.${Buffer.alloc(64, 7).toString('base64url')}`;
    const t = tamperSignature(cert);
    expect(t.split('.').slice(0, 2)).toEqual(cert.split('.').slice(0, 2));
    const [a, b] = [cert, t].map((c) => Buffer.from(c.split('.')[2]!, 'base64url'));
    expect(a!.length).toBe(b!.length);
    expect([...a!].filter((x, i) => x !== b![i]).length).toBe(1);
  });
});
