// What a mutation costs the platform in requests, brokered beside direct,
// from platform-requests.csv, for the same scenarios as the CPU table
// (cost-table.ts): the platform's own count of every request it served over
// a path's measured blocks, divided by the mutations they executed.
import { round } from './figures/common.js';
import type { PlatformRequestRow } from './run-data.js';

export interface PathRequests {
  readonly mutations: number;
  /** Every request, per executed mutation. */
  readonly total: number;
  /** Most requested first. */
  readonly by_request: readonly { readonly request: string; readonly per_mutation: number }[];
}

export interface RequestCostRow {
  readonly scenario: string;
  readonly platform: string;
  readonly operation: string;
  readonly seb: PathRequests | null;
  readonly direct: PathRequests | null;
}

function pathRequests(rows: readonly PlatformRequestRow[]): PathRequests | null {
  const mutations = Math.max(0, ...rows.map((r) => r.mutations));
  if (mutations === 0) return null;
  const by = [...rows].sort((a, b) => b.requests - a.requests).map((r) => ({ request: r.request, per_mutation: round(r.requests / mutations, 2) }));
  return { mutations, total: round(rows.reduce((n, r) => n + r.requests, 0) / mutations, 2), by_request: by };
}

export function requestCostRows(rows: readonly PlatformRequestRow[], scenarios: readonly { scenario: string; platform: string; operation: string }[]): RequestCostRow[] {
  return scenarios.flatMap((s) => {
    const mine = rows.filter((r) => r.scenario === s.scenario && r.platform === s.platform && r.operation === s.operation);
    if (mine.length === 0) return [];
    return [{ ...s, seb: pathRequests(mine.filter((r) => r.path === 'seb')), direct: pathRequests(mine.filter((r) => r.path === 'direct')) }];
  });
}
