// Prometheus metrics: decisions by reason, time per phase of Execute, and how
// the drift check's reads were answered (the platform's cache or a request).
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Broker, ExecutionResult } from '../broker.js';
import type { Decision } from '../core/reasons.js';

const BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class BrokerMetrics {
  readonly registry = new Registry();
  private readonly decisions = new Counter({ name: 'seb_decisions_total', help: 'Decisions by outcome and reason', labelNames: ['endpoint', 'decision', 'reason'], registers: [this.registry] });
  private readonly phases = new Histogram({ name: 'seb_phase_seconds', help: 'Time per phase of Execute', labelNames: ['phase'], buckets: BUCKETS_S, registers: [this.registry] });
  private readonly requests = new Histogram({ name: 'seb_request_seconds', help: 'Time per HTTP request', labelNames: ['route', 'status'], buckets: BUCKETS_S, registers: [this.registry] });

  /** `broker`: where the drift reads' cache counts come from; read at each scrape. */
  constructor(broker?: Pick<Broker, 'cachedReads'>) {
    collectDefaultMetrics({ register: this.registry });
    if (broker === undefined) return;
    new Counter({
      name: 'seb_cached_reads_total',
      help: "Drift-check reads of the live state by how they were answered: from the broker's watch cache (cache) or by a request to the platform (fallback); confirmed: reads the broker then confirmed by a request before deciding",
      labelNames: ['platform', 'answered'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { platform, reads } of broker.cachedReads()) {
          this.inc({ platform, answered: 'cache' }, reads.cache);
          this.inc({ platform, answered: 'fallback' }, reads.fallback);
          this.inc({ platform, answered: 'confirmed' }, reads.confirmed);
        }
      },
    });
  }

  decided(endpoint: string, decision: Decision): void {
    this.decisions.inc({ endpoint, decision: decision.decision, reason: decision.reason ?? 'none' });
  }

  executed(result: ExecutionResult): void {
    this.decided('execute', result.decision);
    for (const [phase, ms] of Object.entries(result.phases)) this.phases.observe({ phase }, ms / 1000);
  }

  request(route: string, status: number, seconds: number): void {
    this.requests.observe({ route, status: String(status) }, seconds);
  }
}
