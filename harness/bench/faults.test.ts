// A fault whose inject or remove fails is recorded in the run's history as an
// error event, and the failure goes on to fail the run.
import { describe, expect, it } from 'vitest';
import { History } from '../metrics/history.js';
import { recorded } from './faults.js';

describe('recorded', () => {
  it('passes a good action through without an event (the step records its instants), and records a failed one, then rethrows', async () => {
    const load = { history: new History(), scenario: 'fault-matrix' };
    await recorded(load, 10, 'network-down on etcd: inject', async () => undefined);
    expect(load.history.events).toEqual([]);
    await expect(recorded(load, 20, 'network-down on etcd: remove', async () => Promise.reject(new Error('toxiproxy gone')))).rejects.toThrow('toxiproxy gone');
    expect(load.history.events).toEqual([{ scenario: 'fault-matrix', at_ms: 20, kind: 'fault', detail: 'network-down on etcd: remove failed: toxiproxy gone', outcome: 'error' }]);
  });
});
