// Ctrl-C for a measuring command: the first stops the run (requests in
// flight get a grace period, then what was measured is written); a second
// quits at once.
export interface Interrupt {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function interruptOnSigint(out: { write(s: string): unknown } = process.stderr): Interrupt {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) {
      out.write('\n[seb] interrupted again: quitting without writing results\n');
      process.exit(130);
    }
    out.write('\n[seb] stopping: finishing requests in flight, then writing what was measured (Ctrl-C again to quit now)\n');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
