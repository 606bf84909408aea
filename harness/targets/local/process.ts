// Every process the harness starts (kube-apiserver, etcd, moto, Toxiproxy,
// `seb serve`) is one of these: its output in a log file, its environment
// the harness's own plus `env`, its own process group, readiness from a wait
// strategy (never a sleep), and a stop that is sure: SIGTERM to the group,
// SIGKILL after a grace period. `await using` stops it at the end of a scope;
// reaper.ts stops it when the harness itself is interrupted or exits.
//
// A start that fails keeps its log (tests delete their work dirs) and the
// error names the kept copy; `exitedEarly` tells a process that died on its
// own (a port lost to a race: worth a fresh port) from one that hung.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { IoError } from '../../../broker/core/errors.js';
import { signalGroup, track, untrack } from './reaper.js';
import { LogTail, type WaitStrategy } from './wait.js';

export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** stdout and stderr, appended. */
  readonly logFile: string;
  readonly wait: WaitStrategy;
  /** Set on top of the harness's environment; `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Default 60 s. */
  readonly readyTimeoutMs?: number;
  /** SIGTERM, then SIGKILL after this long; default 5 s. */
  readonly stopGraceMs?: number;
}

/** Where the logs of failed starts are copied; SEB_KEPT_LOGS overrides. */
export function keptLogsDir(): string {
  return process.env.SEB_KEPT_LOGS ?? join(tmpdir(), 'seb-kept-logs');
}

export class ProcessStartError extends IoError {
  constructor(
    message: string,
    /** The process ended by itself before it was ready (rather than hanging). */
    readonly exitedEarly: boolean,
    /** The kept copy of its log. */
    readonly keptLog: string,
  ) {
    super(message);
  }
}

const POLL_MS = 50;

export class ManagedProcess implements AsyncDisposable {
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exit: Promise<void>;
  private readonly tail: LogTail;
  /** With a log-line wait: the line's match (its groups carry e.g. the URL). */
  readyMatch: RegExpExecArray | undefined;

  private constructor(
    readonly spec: ProcessSpec,
    private readonly child: ChildProcess,
    logOffset: number,
  ) {
    this.tail = new LogTail(spec.logFile, logOffset);
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        // Whatever the leader left in its group goes with it (at once: the group id is free for reuse after).
        signalGroup(this.pid, 'SIGKILL');
        untrack(this);
        resolve();
      });
    });
    track(this);
  }

  /** Spawns and waits until ready; on failure the process is stopped and its log kept. */
  static async start(spec: ProcessSpec): Promise<ManagedProcess> {
    const p = ManagedProcess.launch(spec);
    await p.ready();
    return p;
  }

  /** Spawns without waiting: members of a cluster turn ready only together. Follow with ready(). */
  static launch(spec: ProcessSpec): ManagedProcess {
    const fd = openSync(spec.logFile, 'a');
    try {
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const [k, v] of Object.entries(spec.env ?? {})) {
        if (v === undefined) delete env[k];
        else env[k] = v;
      }
      const child = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env, stdio: ['ignore', fd, fd], detached: true });
      if (child.pid === undefined) {
        // spawn reports ENOENT and the like on the next tick; the pid tells now.
        child.once('error', () => undefined);
        throw new IoError(`${spec.name}: could not start ${spec.command}`);
      }
      return new ManagedProcess(spec, child, statSync(spec.logFile).size);
    } finally {
      closeSync(fd);
    }
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get running(): boolean {
    return this.exited === undefined;
  }

  get logFile(): string {
    return this.spec.logFile;
  }

  /** Waits on the spec's strategy; fails at once if the process dies, or at the deadline (then stops it). */
  async ready(timeoutMs = this.spec.readyTimeoutMs ?? 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw await this.startFailed(`exited (${this.exited?.code ?? this.exited?.signal}) before it was ready`, true);
      if (await this.isReady()) return;
      if (Date.now() > deadline) throw await this.startFailed(`not ready after ${timeoutMs} ms`, false);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  private async isReady(): Promise<boolean> {
    const wait = this.spec.wait;
    if (wait.kind === 'probe') return wait.ready().catch(() => false);
    this.readyMatch = this.tail.find(wait.line);
    return this.readyMatch !== undefined;
  }

  private async startFailed(why: string, exitedEarly: boolean): Promise<ProcessStartError> {
    await this.stop();
    const dir = keptLogsDir();
    mkdirSync(dir, { recursive: true });
    const kept = join(dir, `${new Date().toISOString().replaceAll(':', '')}-${this.pid}-${basename(this.spec.logFile)}`);
    copyFileSync(this.spec.logFile, kept);
    const last = lastLine(readFileSync(kept, 'utf8'));
    return new ProcessStartError(`${this.spec.name} ${why}${last === '' ? '' : ` (last line: ${last})`}; log kept at ${kept}`, exitedEarly, kept);
  }

  /** SIGTERM to the group (and SIGCONT, should it be paused), SIGKILL after the grace period; resolves once it has exited. */
  async stop(graceMs = this.spec.stopGraceMs ?? 5000): Promise<void> {
    if (!this.running) return;
    signalGroup(this.pid, 'SIGTERM');
    signalGroup(this.pid, 'SIGCONT');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }

  /** For fault injection: signal the group without waiting (SIGKILL, SIGSTOP, SIGCONT). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) signalGroup(this.pid, signal);
  }

  /** Resolves when the process has exited. */
  whenExited(): Promise<void> {
    return this.exit;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/** The log's last non-empty line, cut to 200 characters: often the reason, in one line. */
function lastLine(log: string): string {
  const line = log.trimEnd().split('\n').at(-1)?.trim() ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
