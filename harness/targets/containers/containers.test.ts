import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dryRun } from '../external/bootstrap.js';
import { containerBootstrap, CONTAINER_TARGET_NAMES, IMAGES, platformOf, startContainerTarget } from './containers.js';
import { dockerEngine, dockerSocket } from './docker.js';

const dir = mkdtempSync(join(tmpdir(), 'seb-containers-'));
const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

function fakeEngine(socket: string, answer: (res: import('node:http').ServerResponse) => void): Promise<void> {
  const server = createServer((req, res) => (req.url === '/_ping' ? answer(res) : res.writeHead(404).end()));
  servers.push(server);
  return new Promise((r) => server.listen(socket, r));
}

describe('Docker engine check (the socket, not the docker command)', () => {
  it('reads DOCKER_HOST unix sockets, defaults to /var/run/docker.sock, and declines remote engines', () => {
    expect(dockerSocket({})).toBe('/var/run/docker.sock');
    expect(dockerSocket({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toBe('/run/user/1000/docker.sock');
    expect(dockerSocket({ DOCKER_HOST: 'tcp://10.0.0.2:2375' })).toEqual({ unsupported: expect.stringContaining('not a unix socket') });
  });

  it('is true only when the engine answers its ping with OK', async () => {
    await fakeEngine(join(dir, 'ok.sock'), (res) => res.writeHead(200).end('OK'));
    await fakeEngine(join(dir, 'busy.sock'), (res) => res.writeHead(500).end('starting'));
    expect(await dockerEngine(join(dir, 'ok.sock'))).toBe(true);
    expect(await dockerEngine(join(dir, 'busy.sock'))).toMatch(/answered 500/);
    expect(await dockerEngine(join(dir, 'none.sock'))).toMatch(/^no Docker engine at .*none\.sock \(ENOENT\)/);
  });
});

describe('container targets up to the engine', () => {
  it('pins every image by tag', () => {
    for (const image of Object.values(IMAGES)) expect(image).toMatch(/^[a-z0-9./-]+:v?\d+\.\d+\.\d+(-k3s\d+)?$/);
  });

  it.each(CONTAINER_TARGET_NAMES)('%s is bootstrapped like any external target, for its one platform', (name) => {
    const access = { kubeconfig: '/w/kubeconfig', endpoint: 'http://127.0.0.1:4566' };
    const choice = containerBootstrap(name, access, '/w/out');
    expect(choice.name).toBe(name);
    if (platformOf(name) === 'kubernetes') {
      expect(choice.kubernetes?.kubeconfig).toBe('/w/kubeconfig');
      expect(choice.aws).toBeUndefined();
      expect(dryRun(choice)).toContain('seb-protected-namespaces');
    } else {
      expect(choice.aws).toMatchObject({ endpoint: 'http://127.0.0.1:4566', table: false });
      expect(choice.kubernetes).toBeUndefined();
      expect(dryRun(choice)).toContain('IAM role seb-executor: trust policy');
    }
  });

  it('refuses to start without an engine, saying why', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${join(dir, 'absent.sock')}`;
    try {
      await expect(startContainerTarget('k3s', join(dir, 'k3s'), () => {})).rejects.toThrow(/target k3s: needs a Docker engine: no Docker engine at .*absent\.sock/);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});
