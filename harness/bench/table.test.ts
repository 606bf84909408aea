import { describe, expect, it } from 'vitest';
import { requestCostRows } from '../report/platform-request-table.js';
import type { PlatformRequestRow } from '../report/run-data.js';
import { formatBenchTable } from './table.js';

describe('the bench table\'s platform requests', () => {
  it('prints requests per mutation for each path, by request, leaving background requests to the CSV', () => {
    const row = (path: string, request: string, requests: number): PlatformRequestRow => ({ run: 'r', run_id: 'r', scenario: 'lat', platform: 'kubernetes', operation: 'configmap-data', path, request, requests, mutations: 400, requests_per_mutation: requests / 400 });
    const requests = requestCostRows(
      [row('seb', 'PATCH configmaps', 400), row('seb', 'GET configmaps', 404), row('seb', 'PUT leases', 1), row('direct', 'PATCH configmaps', 400)],
      [{ scenario: 'lat', platform: 'kubernetes', operation: 'configmap-data' }, { scenario: 'absent', platform: 'aws', operation: 's3-put-object' }],
    );
    expect(requests).toEqual([
      {
        scenario: 'lat',
        platform: 'kubernetes',
        operation: 'configmap-data',
        seb: { mutations: 400, total: 2.01, by_request: [{ request: 'GET configmaps', per_mutation: 1.01 }, { request: 'PATCH configmaps', per_mutation: 1 }, { request: 'PUT leases', per_mutation: 0 }] },
        direct: { mutations: 400, total: 1, by_request: [{ request: 'PATCH configmaps', per_mutation: 1 }] },
      },
    ]);
    const text = formatBenchTable({ platforms: [], operations: [], throughput: [], drift: [], storm: [], cost: [], requests });
    const line = text.split('\n').find((l) => l.startsWith('lat kubernetes/configmap-data')) ?? '';
    expect(line.split(/\s{2,}/)).toEqual(['lat kubernetes/configmap-data', '2.01', '1.00', 'GET configmaps 1.01, PATCH configmaps 1.00', 'PATCH configmaps 1.00']);
  });
});
