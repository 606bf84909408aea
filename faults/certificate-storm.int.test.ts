// The certificate storm under a fault (latency to kube-apiserver): every
// replay across brokers is denied `replayed` (or a fail-closed reason), every
// tampered certificate `bad_signature`, and nothing breaks section 4.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestFleet, type TestFleet } from './fleet-fixture.js';
import { networkFault } from './network.js';

let t: TestFleet;
let failed = false;
beforeAll(async () => void (t = await startTestFleet()));
afterAll(async () => t?.stop(failed));

it('replays and tampered certificates during a fault are all denied', async () => {
  failed = true;
  const { violations } = await t.step((fleet) => ({ fault: networkFault(fleet.toxiproxy, 'kube-apiserver', 'latency'), outage: false }));
  expect(violations).toEqual([]);
  const storm = t.load.history.requests.filter((a) => a.attempt === 'replay' || a.attempt === 'tamper');
  expect(storm.filter((a) => a.attempt === 'tamper').length).toBeGreaterThan(0);
  expect(storm.filter((a) => a.outcome === 'executed')).toEqual([]);
  expect(new Set(storm.filter((a) => a.attempt === 'tamper').map((a) => a.reason))).toEqual(new Set(['bad_signature']));
  failed = false;
}, 90_000);
