// The certificate storm the fault matrix runs during every fault: replays of
// certificates that already executed, sent to another broker (must be denied
// `replayed`: the ledger is shared), and certificates with a broken signature
// (one bit flipped in the signature: must be denied before anything else).
// Runs until stopped. (The paper's replay storm, run/storm.ts, is another
// load: copies of one fresh certificate in flight together, once each.)

/** What a storm needs of the load: a fresh certificate, and a way to send one to a broker. */
export interface StormLoad<B, C extends Certificate> {
  admit(i: number): Promise<C>;
  execute(broker: B, c: C, kind: 'replay' | 'tamper', body?: string): Promise<unknown>;
}

interface Certificate {
  readonly certificate: string;
  readonly contract: unknown;
}

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
export function startStorm<B, C extends Certificate>(load: StormLoad<B, C>, brokers: () => readonly B[], executed: () => readonly C[], tamperIndex: () => number, everyMs: number): Storm {
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running) {
      const bs = brokers();
      const pick = bs[n++ % bs.length] as B;
      const done = executed();
      const replay = done[n % Math.max(1, done.length)];
      // The SAB reads the platform to sign: with kube-apiserver down there is nothing to tamper with.
      const tampered = await load.admit(tamperIndex()).catch(() => undefined);
      const body = tampered === undefined ? undefined : JSON.stringify({ certificate: tamperSignature(tampered.certificate), contract: tampered.contract });
      await Promise.all([
        replay === undefined ? undefined : load.execute(pick, replay, 'replay'),
        tampered === undefined ? undefined : load.execute(bs[(n + 1) % bs.length] as B, tampered, 'tamper', body),
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
