// Network fault through Toxiproxy at a small scale: the etcd proxies down,
// so the brokers lose the revocation source and the ledger; they must deny
// (revocation_stale) and nothing may execute past the bound.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestFleet, type TestFleet } from './fleet-fixture.js';
import { networkFault } from './network.js';

let t: TestFleet;
let failed = false;
beforeAll(async () => void (t = await startTestFleet()));
afterAll(async () => t?.stop(failed));

it('etcd down through toxiproxy: revocation_stale, no violation', async () => {
  failed = true;
  const { window, violations } = await t.step((fleet) => ({ fault: networkFault(fleet.toxiproxy, 'etcd', 'down'), outage: true, expect: 'revocation_stale' }));
  expect(violations).toEqual([]);
  expect(window.expectedSeen).toBeGreaterThan(0);
  failed = false;
}, 90_000);
