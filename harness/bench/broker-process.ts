// `seb serve` as a child process: the broker gets its own event loop (and
// core), apart from the load generator, as agents would reach it. It listens
// on a port of its own choosing and is ready when it prints `listening URL`.
// Its node runs with the flags a deployment uses (broker/cli/serve-flags.ts).
// SEB_BROKER_NODE_ARGS adds arguments for its node (say `--cpu-prof
// --cpu-prof-dir=DIR` to profile the broker under a bench's load; NODE_OPTIONS
// refuses --cpu-prof).
import { join } from 'node:path';
import { SERVE_NODE_FLAGS } from '../../broker/cli/serve-flags.js';
import { REPO_ROOT } from '../repo-root.js';
import { ManagedProcess } from '../targets/local/process.js';
import { waitFor } from '../targets/local/wait.js';

export interface BrokerProcess extends AsyncDisposable {
  readonly url: string;
  readonly pid: number;
  readonly logFile: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

export interface BrokerProcessOptions {
  readonly config: string;
  readonly logFile: string;
  /** Variables for this broker only (fault injection: a shifted clock). */
  readonly env?: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
  /** SIGTERM, then SIGKILL after this long. */
  readonly stopGraceMs?: number;
}

const SEB = join(REPO_ROOT, 'bin', 'seb.js');

export async function startBrokerProcess(o: BrokerProcessOptions): Promise<BrokerProcess> {
  const nodeArgs = (process.env.SEB_BROKER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const proc = await ManagedProcess.start({
    name: 'seb serve',
    command: process.execPath,
    args: [...SERVE_NODE_FLAGS, ...nodeArgs, SEB, 'serve', '--config', o.config, '--listen', '127.0.0.1:0'],
    logFile: o.logFile,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...o.env },
    wait: waitFor.logLine(/^listening (\S+)$/),
    readyTimeoutMs: o.readyTimeoutMs ?? 60_000,
    stopGraceMs: o.stopGraceMs ?? 10_000,
  });
  return {
    url: proc.readyMatch?.[1] as string,
    pid: proc.pid,
    logFile: o.logFile,
    process: proc,
    stop: () => proc.stop(),
    [Symbol.asyncDispose]: () => proc.stop(),
  };
}
