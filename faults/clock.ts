// Clock skew on one broker: restarted with SEB_FAULT_CLOCK_OFFSET_MS (read by
// broker/cli/broker-setup.ts, for fault injection only), which shifts every
// use of its clock: certificate windows, the revocation view's age, ledger
// leases, record times. Behind by more than maxSkewS, it must deny fresh
// certificates as not yet valid, never execute them twice or unrecorded.
import { CLOCK_OFFSET_ENV } from '../broker/cli/broker-setup.js';
import type { BrokerUnderTest, Fault } from './fault.js';

export function clockSkew(broker: BrokerUnderTest, offsetMs: number): Fault {
  return {
    name: `clock-skew${offsetMs < 0 ? '' : '+'}${offsetMs}ms`,
    target: broker.id,
    async inject() {
      await broker.stop();
      await broker.restart({ [CLOCK_OFFSET_ENV]: String(offsetMs) });
    },
    async remove() {
      await broker.stop();
      await broker.restart();
    },
  };
}
