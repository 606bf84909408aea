// `seb serve` as a child process: the broker gets its own event loop (and
// core), apart from the load generator, as agents would reach it. Ready when
// it prints `listening URL`; its logs go to a file; stop() ends it for sure.
// It runs in its own process group, so a Ctrl-C at the terminal reaches only
// the harness, which then stops the broker after writing what was measured.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { IoError } from '../../broker/core/errors.js';
import { REPO_ROOT } from '../repo-root.js';

export interface BrokerProcess {
  readonly url: string;
  readonly pid: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

export interface BrokerProcessOptions {
  readonly config: string;
  readonly logFile: string;
  readonly readyTimeoutMs?: number;
  /** SIGTERM, then SIGKILL after this long. */
  readonly stopGraceMs?: number;
  /** Variables for this process only, over the harness's own environment. */
  readonly env?: Readonly<Record<string, string>>;
}

const SEB = join(REPO_ROOT, 'bin', 'seb.js');

export async function startBrokerProcess(o: BrokerProcessOptions): Promise<BrokerProcess> {
  const log = openSync(o.logFile, 'a');
  const child = spawn(process.execPath, [SEB, 'serve', '--config', o.config, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', log],
    detached: true,
    env: { ...process.env, ...o.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `exit ${String(code)}`)));
  let gone: string | undefined;
  void exited.then((how) => {
    gone = how;
    closeSync(log);
  });
  const stop = async () => {
    if (gone !== undefined || child.pid === undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), o.stopGraceMs ?? 10_000);
    await exited;
    clearTimeout(timer);
  };
  const tail = () => {
    try {
      return readFileSync(o.logFile, 'utf8').trim().split('\n').slice(-3).join(' | ');
    } catch {
      return '';
    }
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      const timer = setTimeout(() => reject(new IoError(`seb serve did not print "listening" within ${o.readyTimeoutMs ?? 60_000} ms; see ${o.logFile}`)), o.readyTimeoutMs ?? 60_000);
      lines.on('line', (line) => {
        const m = /^listening (\S+)$/.exec(line);
        if (m !== null) {
          clearTimeout(timer);
          resolve(m[1] as string);
        } else {
          try {
            writeSync(log, `${line}\n`);
          } catch {
            // The log is closed once the process has exited: its last lines are lost, not fatal.
          }
        }
      });
      void exited.then((how) => {
        clearTimeout(timer);
        reject(new IoError(`seb serve ended (${how}) before it listened: ${tail() || 'no output'} (log ${o.logFile})`));
      });
    });
    return { url, pid: child.pid as number, logFile: o.logFile, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
