// A broker killed with an execution in flight and restarted: it reconciles
// what it left open, so every allow ends with an outcome and nothing ran twice.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestFleet, type TestFleet } from './fleet-fixture.js';
import { killBrokerMidExecution } from './process.js';

let t: TestFleet;
let failed = false;
beforeAll(async () => void (t = await startTestFleet()));
afterAll(async () => t?.stop(failed));

it('kill a broker mid-execution and restart it: no violation', async () => {
  failed = true;
  const { window, violations } = await t.step((fleet, load) => {
    const b = fleet.brokers[0]!;
    return { fault: killBrokerMidExecution(b, () => load.inFlight(b.id)), outage: false };
  });
  expect(violations).toEqual([]);
  expect(window.recoveryMs).toBeGreaterThanOrEqual(0);
  failed = false;
}, 120_000);
