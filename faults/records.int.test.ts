// The record log locked past its busy timeout: the broker must refuse with
// audit_unavailable, and no execution may lack its decision record.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestFleet, type TestFleet } from './fleet-fixture.js';
import { recordLogUnwritable } from './records.js';

let t: TestFleet;
let failed = false;
beforeAll(async () => void (t = await startTestFleet()));
afterAll(async () => t?.stop(failed));

it('record log unwritable: audit_unavailable, no violation', async () => {
  failed = true;
  const { window, violations } = await t.step((fleet, load) => {
    const b = fleet.brokers[1]!;
    return { fault: recordLogUnwritable(b, () => load.inFlight(b.id)), outage: false, expect: 'audit_unavailable', holdMs: 12_000, quiet: b.id };
  });
  expect(violations).toEqual([]);
  expect(window.expectedSeen).toBeGreaterThan(0);
  failed = false;
}, 120_000);
