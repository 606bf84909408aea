// Nothing the harness starts outlives it. Each process runs in its own
// process group (so a terminal's Ctrl-C reaches the harness alone, which then
// stops what it started in order); this module keeps the live ones and:
// - on SIGINT or SIGTERM that no one else handles, stops them all (SIGTERM,
//   then SIGKILL after each one's grace period) and exits 128+signal;
//   a second signal exits at once;
// - on exit, for whatever reason (a thrown error, process.exit), SIGKILLs
//   every group still alive.
// A command that handles SIGINT itself (`seb bench paper` finishes what it
// measured) keeps doing so; its own stop() calls end the processes.
import { constants } from 'node:os';

export interface Reapable {
  readonly pid: number;
  stop(): Promise<void>;
}

const live = new Set<Reapable>();
let installed = false;
let stopping = false;

export function track(p: Reapable): void {
  install();
  live.add(p);
}

export function untrack(p: Reapable): void {
  live.delete(p);
}

/** Sends `signal` to the process group of `pid`; false when the group is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    for (const p of live) signalGroup(p.pid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (process.listenerCount(signal) > 1) return;
      const code = 128 + constants.signals[signal];
      if (stopping) process.exit(code);
      stopping = true;
      void Promise.allSettled([...live].map((p) => p.stop())).then(() => process.exit(code));
    });
  }
}
