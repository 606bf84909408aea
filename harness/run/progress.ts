// A progress line every second on stderr while a block runs: requests, rate,
// p50 and p99 so far. On a terminal it rewrites one line; in a log it appends.
import type { LiveStats } from './live-stats.js';

export interface ProgressSink {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private current: LiveStats | undefined;

  constructor(
    private readonly out: ProgressSink | null,
    private readonly intervalMs = 1000,
  ) {}

  note(line: string): void {
    this.out?.write(`${this.clear()}[seb] ${line}\n`);
  }

  begin(stats: LiveStats): void {
    this.end();
    this.current = stats;
    if (this.out === null) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Stop ticking and leave the block's final line. */
  end(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.current !== undefined && this.current.count > 0) this.out?.write(`${this.clear()}[seb]   ${this.current.line()}\n`);
    this.current = undefined;
  }

  private tick(): void {
    if (this.current === undefined || this.out === null) return;
    const line = `[seb]   ${this.current.line()}`;
    this.out.write(this.out.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
  }

  private clear(): string {
    return this.out?.isTTY && this.timer !== undefined ? '\r\x1b[2K' : '';
  }
}
