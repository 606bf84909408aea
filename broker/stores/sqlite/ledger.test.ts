// Single use under concurrency: however consumes interleave, within one
// process or across threads on one file, each use is granted exactly once.
import fc from 'fast-check';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IoError } from '../../core/errors.js';
import { SqliteLedger } from './ledger.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seb-ledger-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const claim = (jti: string, uses = 1, retainUntilMs = 10_000) => ({ issuer: 'sab', jti, uses, retainUntilMs });

describe('SqliteLedger', () => {
  it('grants exactly `uses` consumes, however they interleave across connections', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 3 }), async (s, uses, attempts, connections) => {
        const path = join(dir, `l${round++}.db`);
        const ledgers = Array.from({ length: connections }, () => new SqliteLedger(path));
        try {
          const results = Promise.all(
            Array.from({ length: attempts }, (_, i) => s.schedule(Promise.resolve(i)).then(() => (ledgers[i % connections] as SqliteLedger).consume(claim('one', uses)))),
          );
          await s.waitAll();
          const granted = (await results).filter((r) => r === 'consumed').length;
          expect(granted).toBe(Math.min(uses, attempts));
        } finally {
          await Promise.all(ledgers.map((l) => l.close()));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('keys uses by issuer and jti', async () => {
    const ledger = new SqliteLedger(join(dir, 'l.db'));
    expect(await ledger.consume(claim('a'))).toBe('consumed');
    expect(await ledger.consume({ ...claim('a'), issuer: 'other' })).toBe('consumed');
    expect(await ledger.consume(claim('a'))).toBe('exhausted');
    await ledger.close();
  });

  it('works in memory (the fuzzer\'s ledger), where there is no write-ahead log file to flush', async () => {
    const ledger = new SqliteLedger(':memory:');
    expect(await ledger.consume(claim('m', 2))).toBe('consumed');
    expect(await ledger.consume(claim('m', 2))).toBe('consumed');
    expect(await ledger.consume(claim('m', 2))).toBe('exhausted');
    await ledger.close();
  });

  it('survives reopening, and prunes only what outlived its retention', async () => {
    const path = join(dir, 'l.db');
    const first = new SqliteLedger(path);
    await first.consume(claim('old', 1, 1000));
    await first.consume(claim('new', 1, 5000));
    await first.close();
    const second = new SqliteLedger(path);
    expect(await second.consume(claim('old', 1, 1000))).toBe('exhausted');
    expect(await second.prune(2000)).toBe(1);
    expect(await second.consume(claim('new', 1, 5000))).toBe('exhausted');
    await second.close();
  });

  it('fails with a typed error when the file cannot be opened', () => {
    expect(() => new SqliteLedger(join(dir, 'missing', 'dir', 'l.db'))).toThrow(IoError);
  });

  it('grants each use once across threads racing on one file', async () => {
    const compiled = resolve('dist/broker/stores/sqlite/ledger.js');
    expect(existsSync(compiled), 'run `make build` first: this test races compiled code in worker threads').toBe(true);
    const path = join(dir, 'race.db');
    new SqliteLedger(path).close();
    const source = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.compiled).then(async ({ SqliteLedger }) => {
        const ledger = new SqliteLedger(workerData.path);
        let won = 0;
        for (let i = 0; i < workerData.jtis; i++) {
          if ((await ledger.consume({ issuer: 'sab', jti: 'j' + i, uses: 2, retainUntilMs: 1e13 })) === 'consumed') won++;
        }
        await ledger.close();
        parentPort.postMessage(won);
      });`;
    const jtis = 200;
    const threads = 4;
    const wins = await Promise.all(
      Array.from({ length: threads }, () => new Promise<number>((done, fail) => {
        const w = new Worker(source, { eval: true, workerData: { compiled, path, jtis } });
        w.once('message', done);
        w.once('error', fail);
      })),
    );
    expect(wins.reduce((a, b) => a + b, 0)).toBe(jtis * 2);
  });
});
