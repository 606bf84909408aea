import { describe, expect, it } from 'vitest';
import { importsOf, loadedAtStart } from '../../harness/fixtures/import-graph.js';

describe('assembleBroker loading', () => {
  it('a broker without etcd in its settings loads no etcd client: the shared state is imported only when configured', () => {
    const etcd = [...loadedAtStart('broker/cli/serve.ts')].filter((m) => m === 'etcd3' || m.startsWith('@grpc/'));
    expect(etcd).toEqual([]);
    expect(importsOf('broker/config/assemble.ts').filter((i) => i.dynamic).map((i) => i.target)).toEqual(['broker/stores/etcd/shared-state.ts']);
  });
});
