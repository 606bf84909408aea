// How node runs `seb serve`: `node --optimize-for-size bin/seb.js serve`.
// V8 then keeps a smaller young generation and grows the heap in smaller
// steps. Measured with `seb bench paper --quick` on 2 cores: broker RSS at
// saturation about 140 MiB instead of 175 to 210 MiB, for 0.1 to 0.2 ms more
// broker CPU per Kubernetes mutation and no change in throughput or p50.
// Node refuses it in NODE_OPTIONS, so it goes on the command line; the
// harness starts every broker with it (harness/bench/broker-process.ts).
export const SERVE_NODE_FLAGS = ['--optimize-for-size'] as const;
