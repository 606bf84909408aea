// The columns that open every per-group results file (requests, summary,
// sweep, drift): which run, and which scenario, target, platform, path and
// operation a row describes. One place, so the files cannot drift apart.
export const GROUP_CSV = {
  run_id: 'string',
  scenario: 'string',
  target: 'string',
  platform: 'string',
  path: 'string',
  operation: 'string',
} as const;
