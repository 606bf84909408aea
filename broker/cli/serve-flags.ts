// How node runs `seb serve`:
// `node --max-semi-space-size=2 --heap-growing-percent=50 bin/seb.js serve`.
// V8 keeps its young generation at 2 MiB per semi-space (instead of growing
// it to 16) and lets its old generation grow by half of what is live before
// the next full collection (instead of up to 4 times), which holds the
// broker's RSS under 150 MiB through the paper's scenarios, for less CPU
// than --optimize-for-size, which also trims the optimizing compiler.
// Measured side by side (`seb bench paper` on the latency-aws scenario and a
// sweep at 40, 60, 300 and 360 rps, 2 cores): broker RSS at most 143.5 MiB
// (--optimize-for-size: 134; the semi-space flag alone: 183 to 191); broker
// CPU per Kubernetes mutation 1.40 to 1.56 ms (--optimize-for-size: 1.87 to
// 1.89), and SEB reached 327 rps at the 360 step where --optimize-for-size
// reached 275.
// Node refuses --heap-growing-percent in NODE_OPTIONS, so both go on its
// command line; the harness starts every broker with them
// (harness/bench/broker-process.ts).
export const SERVE_NODE_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=50'] as const;
