import { defineConfig } from 'vitest/config';

// Two groups: unit tests need nothing but Node; integration tests need the
// real local target (kube-apiserver, etcd, moto, Toxiproxy) that `make test`
// installs and the tests start themselves.
export default defineConfig({
  test: {
    setupFiles: ['./vitest.setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['broker/**/*.test.ts', 'harness/**/*.test.ts', 'faults/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**', 'dist/**'],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**', 'dist/**'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
