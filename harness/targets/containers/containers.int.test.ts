// k3s, kind and LocalStack in containers, where a Docker engine answers:
// each starts, is bootstrapped as an external target, and the broker's
// identity works on it. Without an engine every test is skipped, and the
// reason is printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adaptersFor } from '../../../broker/platforms/from-target.js';
import { CONTAINER_TARGET_NAMES, platformOf, startContainerTarget } from './containers.js';
import { dockerEngine } from './docker.js';

const engine = await dockerEngine();
if (engine !== true) console.log(`[containers] skipped: ${engine}`);
const dir = mkdtempSync(join(tmpdir(), 'seb-containers-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(engine !== true)('container targets (Docker engine present)', () => {
  it.each(CONTAINER_TARGET_NAMES)('%s starts, is bootstrapped, and the broker can use it', async (name) => {
    const target = await startContainerTarget(name, join(dir, name), () => {});
    try {
      const platform = platformOf(name);
      expect(target.info[platform]).toBeDefined();
      const { adapters, close } = adaptersFor(target.info, { kubernetesMode: 'pooled' });
      close();
      expect(adapters.map((a) => a.name)).toEqual([platform]);
    } finally {
      await target.stop();
    }
  }, 600_000);
});
