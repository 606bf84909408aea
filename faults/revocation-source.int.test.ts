// The state cluster loses its quorum: the revocation source is gone, so past
// the staleness bound every broker denies and nothing executes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestFleet, type TestFleet } from './fleet-fixture.js';
import { quorumLost } from './revocation-source.js';

let t: TestFleet;
let failed = false;
beforeAll(async () => void (t = await startTestFleet()));
afterAll(async () => t?.stop(failed));

it('etcd quorum lost: revocation_stale, no acceptance past the bound', async () => {
  failed = true;
  const { window, violations } = await t.step((fleet) => ({ fault: quorumLost(fleet.etcd.members), outage: true, expect: 'revocation_stale' }));
  expect(violations).toEqual([]);
  expect(window.expectedSeen).toBeGreaterThan(0);
  failed = false;
}, 90_000);
