// moto_server on loopback: a free port, its output in a log file, ready when
// its own API answers. IAM enforcement starts off (moto's default) and is
// switched on by aws-bootstrap.ts once users, roles and resources exist.
import { startOnFreshPorts } from './ports.js';
import { ManagedProcess } from './process.js';
import { waitFor } from './wait.js';

export interface MotoServer {
  readonly endpoint: string;
  readonly logFile: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

export function startMoto(binary: string, logFile: string): Promise<MotoServer> {
  return startOnFreshPorts(1, async ([port]) => {
    const endpoint = `http://127.0.0.1:${port}`;
    const proc = await ManagedProcess.start({
      name: 'moto',
      command: binary,
      args: ['-H', '127.0.0.1', '-p', String(port)],
      logFile,
      // Enforcement is switched on by the bootstrap, never inherited by accident.
      env: { PYTHONUNBUFFERED: '1', INITIAL_NO_AUTH_ACTION_COUNT: undefined },
      wait: waitFor.http(`${endpoint}/moto-api/config`),
    });
    return { endpoint, logFile, process: proc, stop: () => proc.stop() };
  });
}
