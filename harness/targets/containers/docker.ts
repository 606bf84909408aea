// Whether a Docker engine answers: GET /_ping on its socket (DOCKER_HOST's
// unix socket, else /var/run/docker.sock). The docker command line is not
// needed and not asked: testcontainers talks to the socket too.
import { request } from 'node:http';

const PING_TIMEOUT_MS = 3_000;

export function dockerSocket(env: NodeJS.ProcessEnv = process.env): string | { readonly unsupported: string } {
  const host = env.DOCKER_HOST;
  if (host === undefined || host === '') return '/var/run/docker.sock';
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  return { unsupported: `DOCKER_HOST=${host} is not a unix socket; only local engines are checked` };
}

/** true when the engine answers its ping; otherwise why not, in a phrase. */
export function dockerEngine(socket: string | { readonly unsupported: string } = dockerSocket()): Promise<true | string> {
  if (typeof socket !== 'string') return Promise.resolve(socket.unsupported);
  return new Promise((done) => {
    const req = request({ socketPath: socket, path: '/_ping', method: 'GET', timeout: PING_TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk.slice(0, 100)));
      res.on('end', () => done(res.statusCode === 200 && body.trim() === 'OK' ? true : `${socket} answered ${res.statusCode} ${body.trim().slice(0, 60)}`));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)));
    req.on('error', (error) => done(`no Docker engine at ${socket} (${(error as NodeJS.ErrnoException).code ?? error.message})`));
    req.end();
  });
}
