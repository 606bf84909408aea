// platform-requests.csv: per scenario, platform, path and operation, the
// requests the platform itself counted over that path's measured blocks, by
// kind of request (metrics/platform-requests.ts), the mutations those blocks
// executed, and their quotient. A block whose count could not be read is
// left out, its mutations too.
import { writeCsv } from '../csv.js';
import { groupBy } from '../group-by.js';
import type { PlatformRequestsRecord } from '../metrics/history.js';
import { keyOf } from './summary.js';

export const PLATFORM_REQUESTS_CSV = {
  run_id: 'string',
  scenario: 'string',
  platform: 'string',
  path: 'string',
  operation: 'string',
  /** "PATCH configmaps" on Kubernetes, "POST /" on moto. */
  request: 'string',
  requests: 'number',
  mutations: 'number',
  /** Empty when the blocks executed nothing. */
  requests_per_mutation: 'number?',
} as const;

export interface PlatformRequestRow {
  readonly scenario: string;
  readonly platform: string;
  readonly path: string;
  readonly operation: string;
  readonly request: string;
  readonly requests: number;
  readonly mutations: number;
  /** null when the blocks executed nothing. */
  readonly requests_per_mutation: number | null;
}

/** Most requested first within each path. */
export function platformRequestRows(records: readonly PlatformRequestsRecord[]): PlatformRequestRow[] {
  return [...groupBy(records, keyOf).values()].flatMap((blocks) => {
    const first = blocks[0] as PlatformRequestsRecord;
    const mutations = blocks.reduce((n, b) => n + b.mutations, 0);
    const requests = new Map<string, number>();
    for (const b of blocks) for (const c of b.counts) requests.set(c.request, (requests.get(c.request) ?? 0) + c.count);
    return [...requests]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .map(([request, n]) => ({
        scenario: first.scenario,
        platform: first.platform,
        path: first.path,
        operation: first.operation,
        request,
        requests: n,
        mutations,
        requests_per_mutation: mutations > 0 ? Math.round((n / mutations) * 1000) / 1000 : null,
      }));
  });
}

export function platformRequestsCsv(runId: string, rows: readonly PlatformRequestRow[]): string {
  return writeCsv(
    PLATFORM_REQUESTS_CSV,
    rows.map((r) => ({ run_id: runId, ...r })),
  );
}
