// The shape every fault module shares: inject and remove, each awaited, so
// the bench can record both instants against its one start time and bracket
// them with its own health checks (etcd robustness style). A fault knows
// nothing of load or validation; the bench drives those.
export interface Fault {
  /** Row label in faults.csv, e.g. `network-latency`. */
  readonly name: string;
  /** What it hits, e.g. `etcd`, `kube-apiserver`, `seb-2`. */
  readonly target: string;
  inject(): Promise<void>;
  remove(): Promise<void>;
}

/** A broker process the harness started, as a fault sees it (the fleet's brokers are these). */
export interface BrokerUnderTest {
  readonly id: string;
  readonly recordLog: string;
  /** SIGKILL: a crash, whatever it was doing. */
  kill(): Promise<void>;
  stop(): Promise<void>;
  /** Start again with the same settings and record log; `env` adds variables for this process only. */
  restart(env?: Readonly<Record<string, string>>): Promise<void>;
}

/** A fault that could not be injected or removed: the run stops and keeps its artifacts. */
export class FaultError extends Error {
  readonly code = 'fault_failed';
  constructor(fault: string, message: string, options?: ErrorOptions) {
    super(`fault ${fault}: ${message}`, options);
    this.name = 'FaultError';
  }
}
