// The fleet's workloads against a load double: which certificate each
// request carries, to which broker, as which attempt, and that stop() ends
// the load (no request after it).
import { describe, expect, it } from 'vitest';
import type { Certified } from './load.js';
import type { FleetBroker } from '../../bench/fleet.js';
import type { AttemptKind, RequestRecord } from '../../metrics/history.js';
import { fleetRequest } from '../../fixtures/fleet-request.js';
import { startFreshLoop } from './fresh-loop.js';
import { admitOutstanding, firstIndexOf } from './outstanding.js';
import { startProbes } from './probes.js';

const brokers = ['seb-1', 'seb-2'].map((id) => ({ id }) as FleetBroker);
const certified = (i: number, rep = 0): Certified => ({ i, jti: `j${i}`, rep, contract: {} as Certified['contract'], certificate: `c${i}` });
const byNumber = (a: number, b: number) => a - b;
/** Lets the event loop turn, as a real request would. */
const turn = () => new Promise((r) => setImmediate(r));

interface Sent {
  readonly broker: string;
  readonly i: number;
  readonly attempt: AttemptKind;
}

function loadDouble(answer: (c: Certified) => RequestRecord['outcome'] = () => 'executed') {
  const sent: Sent[] = [];
  return {
    sent,
    now: () => 0,
    admit: async (i: number, rep = 0) => certified(i, rep),
    async execute(broker: FleetBroker, c: Certified, attempt: AttemptKind) {
      sent.push({ broker: broker.id, i: c.i, attempt });
      await turn();
      return fleetRequest({ broker: broker.id, index: c.i, attempt, outcome: answer(c) });
    },
    async verify(broker: FleetBroker, c: Certified) {
      sent.push({ broker: broker.id, i: c.i, attempt: 'probe' });
      await turn();
      return fleetRequest({ broker: broker.id, index: c.i, attempt: 'probe', outcome: 'passed' });
    },
  };
}

describe('outstanding certificates', () => {
  const shape = { workers: 2, paceMs: 0, perWorker: 3 };

  it('signs one queue per broker and worker at the given floor, and sends each certificate once, in queue order, to its broker', async () => {
    const load = loadDouble();
    const outstanding = await admitOutstanding(load, brokers, shape, 100, 1);
    expect(outstanding.unsent()).toEqual(Array.from({ length: 12 }, (_, n) => `j${100 + n}`));
    await outstanding.send(0);
    expect(outstanding.unsent()).toEqual([]);
    expect(load.sent.every((s) => s.attempt === 'outstanding')).toBe(true);
    expect(load.sent.map((s) => s.i).sort(byNumber)).toEqual(Array.from({ length: 12 }, (_, n) => 100 + n));
    const of = (broker: string) => load.sent.filter((s) => s.broker === broker).map((s) => s.i);
    expect(of('seb-1').sort(byNumber)).toEqual([100, 101, 102, 103, 104, 105]);
    expect(of('seb-2').sort(byNumber)).toEqual([106, 107, 108, 109, 110, 111]);
    // Worker 0 of seb-2 sends 106, 107, 108 in that order.
    expect(of('seb-2').filter((i) => i < 109)).toEqual([106, 107, 108]);
    expect(firstIndexOf(shape, 100, 1)).toBe(106);
  });
});

describe('probes', () => {
  it('probes broker n with certificate n until stopped', async () => {
    const load = loadDouble();
    const probes = startProbes(load, brokers, [certified(7), certified(9)], 0);
    while (load.sent.filter((s) => s.broker === 'seb-2').length < 3) await turn();
    await probes.stop();
    const count = load.sent.length;
    await turn();
    expect(load.sent.length).toBe(count);
    expect(new Set(load.sent.map((s) => `${s.broker} ${s.i} ${s.attempt}`))).toEqual(new Set(['seb-1 7 probe', 'seb-2 9 probe']));
  });
});

describe('the closed loop of fresh requests', () => {
  it('sends fresh certificates from each broker’s own indices, keeps what executed, and stops', async () => {
    const load = loadDouble((c) => (c.i % 2 === 0 ? 'executed' : 'denied'));
    const next = (n: number) => {
      let k = 0;
      return () => 10 * n + k++;
    };
    const fresh = startFreshLoop(load, brokers, next);
    while (fresh.executed.length < 4) await turn();
    await fresh.stop();
    const count = load.sent.length;
    await turn();
    expect(load.sent.length).toBe(count);
    expect(load.sent.every((s) => s.attempt === 'fresh' && (s.broker === 'seb-1' ? s.i < 10 : s.i >= 10))).toBe(true);
    expect(fresh.executed.map((c) => c.i).sort(byNumber)).toEqual(load.sent.map((s) => s.i).filter((i) => i % 2 === 0).sort(byNumber));
  });
});
