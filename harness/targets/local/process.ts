// A platform process the harness owns: started with its output in a log
// file, waited on with a health probe (never a sleep), and stopped for sure.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { IoError } from '../../../broker/core/errors.js';

export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export interface HealthProbe {
  /** Resolves true when the process is ready; false or a rejection means not yet. */
  (): Promise<boolean>;
}

export class ManagedProcess {
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exit: Promise<void>;

  private constructor(
    readonly spec: ProcessSpec,
    private readonly child: ChildProcess,
  ) {
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve();
      });
    });
  }

  static start(spec: ProcessSpec): ManagedProcess {
    const fd = openSync(spec.logFile, 'a');
    try {
      const child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        env: spec.env ?? process.env,
        stdio: ['ignore', fd, fd],
        detached: false,
      });
      return new ManagedProcess(spec, child);
    } finally {
      closeSync(fd);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exited === undefined;
  }

  /** Poll `probe` until it says ready; fail early if the process dies, or at the deadline. */
  async waitReady(probe: HealthProbe, timeoutMs: number, intervalMs = 100): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) {
        throw new IoError(`${this.spec.name} exited (${this.exited?.code ?? this.exited?.signal}) before it was ready; see ${this.spec.logFile}`);
      }
      if (await probe().catch(() => false)) return;
      if (Date.now() > deadline) throw new IoError(`${this.spec.name} not ready after ${timeoutMs} ms; see ${this.spec.logFile}`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }

  /** For fault injection: signal without waiting (SIGSTOP, SIGCONT, SIGKILL). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Resolves when the process has exited. */
  whenExited(): Promise<void> {
    return this.exit;
  }
}
