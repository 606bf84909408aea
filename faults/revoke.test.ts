// A revoke event as the SAB publishes it: by jti, every certificate still
// outstanding in one call; by epoch, the floor raised by one; both instants on
// the run's clock, and the revocation the validator judges executions against.
import { describe, expect, it } from 'vitest';
import { FaultError } from './fault.js';
import { revoke, type RevocationSource, type RevokeContext } from './revoke.js';

function recordingSource(fail = false): RevocationSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    revokeAll: async (jtis) => {
      if (fail) throw new Error('etcd unavailable');
      calls.push(`revokeAll ${jtis.join(',')}`);
    },
    raiseFloor: async (floor) => {
      if (fail) throw new Error('etcd unavailable');
      calls.push(`raiseFloor ${floor}`);
    },
  };
}

function context(source: RevocationSource, floor = 2): RevokeContext {
  let t = 1000;
  return { source, outstanding: () => ['p1', 'a', 'b'], floor, boundMs: 2000, now: () => (t += 7) };
}

describe('revoke', () => {
  it('scope outstanding: every outstanding certificate in one publication, the floor unchanged', async () => {
    const source = recordingSource();
    const r = await revoke({ kind: 'revoke', scope: 'outstanding' }, context(source));
    expect(source.calls).toEqual(['revokeAll p1,a,b']);
    expect(r).toMatchObject({ publishedMs: 1014, floor: 2, revocation: { atMs: 1007, boundMs: 2000, jtis: new Set(['p1', 'a', 'b']) } });
    expect(r.revocation.floor).toBeUndefined();
  });

  it('scope epoch: the floor raised by one, revoking every certificate below it', async () => {
    const source = recordingSource();
    const r = await revoke({ kind: 'revoke', scope: 'epoch' }, context(source, 2));
    expect(source.calls).toEqual(['raiseFloor 3']);
    expect(r).toMatchObject({ floor: 3, revocation: { atMs: 1007, boundMs: 2000, floor: 3 } });
    expect(r.revocation.jtis).toBeUndefined();
  });

  it('a publication that fails is a FaultError naming the event: the run stops', async () => {
    await expect(revoke({ kind: 'revoke', scope: 'epoch' }, context(recordingSource(true)))).rejects.toThrow(FaultError);
    await expect(revoke({ kind: 'revoke', scope: 'outstanding' }, context(recordingSource(true)))).rejects.toThrow(/fault revoke outstanding: could not publish: etcd unavailable/);
  });
});
