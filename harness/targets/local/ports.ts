// Free loopback ports: ask the kernel for one, then let it go, for a process
// that binds it later. Another process can take it in between, so a start
// that dies before it is ready is retried on fresh ports (startOnFreshPorts);
// and this process never hands out one port twice, so members of one cluster,
// picked together, cannot collide with each other.
import { createServer } from 'node:net';
import { ProcessStartError } from './process.js';

const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await kernelPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Attempts at a start whose process dies before it is ready (a lost port), each on fresh ports. */
export const START_ATTEMPTS = 3;

/**
 * `start(ports)` with `count` fresh ports; again with fresh ones when a process
 * it started died before it was ready, up to START_ATTEMPTS. A hang is not
 * retried. Each failed attempt's kept log is reported through `warn`.
 */
export async function startOnFreshPorts<T>(
  count: number,
  start: (ports: readonly number[], attempt: number) => Promise<T>,
  warn: (line: string) => void = (line) => process.stderr.write(`[seb] ${line}\n`),
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freePort());
    try {
      return await start(ports, attempt);
    } catch (error) {
      const lostPort = error instanceof ProcessStartError && error.exitedEarly;
      if (!lostPort || attempt >= START_ATTEMPTS) throw error;
      warn(`${error.message}; retrying on fresh ports (attempt ${attempt + 1} of ${START_ATTEMPTS})`);
    }
  }
}
