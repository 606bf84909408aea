// Certificate storms during the faults: replays of certificates that already
// executed, sent to another broker (must be denied `replayed`: the ledger is
// shared), and certificates with a broken signature (one bit flipped in the
// signature: must be denied before anything else). Runs until stopped.
import type { Certified, FleetLoad } from '../harness/bench/fleet-load.js';
import type { FleetBroker } from '../harness/bench/fleet.js';

export interface Storm {
  stop(): Promise<void>;
}

export function tamperSignature(certificate: string): string {
  const dot = certificate.lastIndexOf('.');
  const sig = Buffer.from(certificate.slice(dot + 1), 'base64url');
  sig[sig.length >> 1] = (sig[sig.length >> 1] ?? 0) ^ 0x01;
  return `${certificate.slice(0, dot + 1)}${sig.toString('base64url')}`;
}

/**
 * Every `everyMs`: one replay of an executed certificate to the next broker,
 * and one tampered certificate (a fresh one for `tamperIndex()`, never sent
 * intact) to a broker in turn.
 */
export function startStorm(load: FleetLoad, brokers: () => readonly FleetBroker[], executed: () => readonly Certified[], tamperIndex: () => number, everyMs: number): Storm {
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running) {
      const bs = brokers();
      const pick = bs[n++ % bs.length] as FleetBroker;
      const done = executed();
      const replay = done[n % Math.max(1, done.length)];
      // The SAB reads the platform to sign: with kube-apiserver down there is nothing to tamper with.
      const tampered = await load.admit(tamperIndex()).catch(() => undefined);
      const body = tampered === undefined ? undefined : JSON.stringify({ certificate: tamperSignature(tampered.certificate), contract: tampered.contract });
      await Promise.all([
        replay === undefined ? undefined : load.execute(pick, replay, 'replay'),
        tampered === undefined ? undefined : load.execute(bs[(n + 1) % bs.length] as FleetBroker, tampered, 'tamper', body),
      ]);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
