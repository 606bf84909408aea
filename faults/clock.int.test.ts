// One broker 45 s behind (past maxSkewS): fresh certificates are not yet
// valid there, and nothing it does breaks section 4.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clockSkew } from './clock.js';
import { startTestFleet, type TestFleet } from './fleet-fixture.js';

let t: TestFleet;
let failed = false;
beforeAll(async () => void (t = await startTestFleet()));
afterAll(async () => t?.stop(failed));

it('clock skew on one broker: not_yet_valid, no violation', async () => {
  failed = true;
  const { window, violations } = await t.step((fleet) => ({ fault: clockSkew(fleet.brokers[1]!, -45_000), outage: false, expect: 'not_yet_valid' }));
  expect(violations).toEqual([]);
  expect(window.expectedSeen).toBeGreaterThan(0);
  failed = false;
}, 120_000);
