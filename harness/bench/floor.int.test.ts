// `bench floor` end to end on the real local target, with tiny counts: both
// paths of each kind run against kube-apiserver and moto, every floor write
// is accepted by the platform as the minted identity (a write that is not
// fails the run), and floor.csv has each measure of each path.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../csv.js';
import { FLOOR_CSV } from '../results/floor.js';
import { floorRatios, runFloor } from './floor.js';

const dir = mkdtempSync(join(tmpdir(), 'seb-bench-floor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench floor on the local target', () => {
  it('measures direct and the floor side by side for a Kubernetes and an AWS kind', async () => {
    const { run, rows } = await runFloor({ kinds: ['configmap-data', 'ssm-put-parameter'], count: 5, workers: 2, durationMs: 1000, resultsRoot: join(dir, 'results'), log: () => undefined });
    for (const operation of ['configmap-data', 'ssm-put-parameter']) {
      for (const path of ['direct', 'floor']) {
        const of = (measure: string) => rows.filter((r) => r.operation === operation && r.path === path && r.measure === measure);
        expect(of('p50_ms').map((r) => r.mutations), `${operation} ${path}`).toEqual([10]);
        expect(of('p50_ms')[0]?.value).toBeGreaterThan(0);
        expect(of('throughput_rps')[0]?.mutations).toBeGreaterThan(0);
        // The platform's processes did work for every write.
        expect(of('platform_cpu_ms')[0]?.value).toBeGreaterThan(0);
      }
    }
    expect(floorRatios(rows)).toHaveLength(2 * 3);
    const csv = parseCsv(readFileSync(join(run.path, 'floor.csv'), 'utf8'), 'floor.csv');
    expect(csv.columns).toEqual(Object.keys(FLOOR_CSV));
    expect(csv.rows).toHaveLength(rows.length);
  });
});
