// floor.csv (`seb bench floor`): per mutation kind, path and measure, the
// value measured on the direct path and on the floor path (an execution's
// platform calls with no broker around them, harness/bench/floor.ts).
export const FLOOR_CSV = {
  run_id: 'string',
  platform: 'string',
  operation: 'string',
  /** direct or floor. */
  path: 'string',
  /** p50_ms: one request at a time; throughput_rps: `workers` at a time; platform_cpu_ms: the platform's processes' CPU per mutation over the throughput blocks. */
  measure: 'string',
  value: 'number',
  /** The mutations the value is over. */
  mutations: 'number',
} as const;
