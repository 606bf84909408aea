// moto_server on loopback: a free port, its output in a log file, ready when
// its own API answers. IAM enforcement starts off (moto's default) and is
// switched on by aws-bootstrap.ts once users, roles and resources exist.
import { IoError } from '../../../broker/core/errors.js';
import { freePort } from './ports.js';
import { ManagedProcess } from './process.js';

export interface MotoServer {
  readonly endpoint: string;
  readonly logFile: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
/** freePort() can lose its port to another process before moto binds it: try a few. */
const BIND_ATTEMPTS = 3;

export async function startMoto(binary: string, logFile: string): Promise<MotoServer> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1' };
    // Enforcement is switched on by the bootstrap, never inherited by accident.
    delete env.INITIAL_NO_AUTH_ACTION_COUNT;
    const proc = ManagedProcess.start({ name: 'moto', command: binary, args: ['-H', '127.0.0.1', '-p', String(port)], logFile, env });
    try {
      await proc.waitReady(async () => (await fetch(`${endpoint}/moto-api/config`)).ok, READY_TIMEOUT_MS);
      return { endpoint, logFile, process: proc, stop: () => proc.stop() };
    } catch (error) {
      lastError = error;
      // Only a process that died by itself (a port lost to a race) is worth another port; a hung one is not.
      const diedEarly = !proc.running;
      await proc.stop();
      if (!diedEarly) break;
    }
  }
  throw lastError instanceof Error ? lastError : new IoError(`moto did not start; see ${logFile}`);
}
