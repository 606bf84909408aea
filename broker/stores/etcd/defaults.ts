// What a broker's settings default to for etcd, apart from the client so
// that reading settings loads no gRPC stack.

/** Deadline of each etcd call (ms); a call past it is an error whose effect is unknown. */
export const DEFAULT_ETCD_TIMEOUT_MS = 1000;
