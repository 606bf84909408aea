// A scenario's events (revocations, out-of-band changes, faults), injected at
// their times from the scenario's start, each recorded on the run's clock
// with what the handler said or why it failed. Events still pending when the
// scenario ends are recorded as skipped.
import type { History } from '../metrics/history.js';
import type { Scenario, ScenarioEvent } from '../scenario/schema.js';

/** Injects one event; returns a line of detail for events.csv. The runner never interprets events itself. */
export type EventHandler = (event: ScenarioEvent, ctx: { readonly scenario: Scenario; readonly signal: AbortSignal }) => Promise<string | void>;

export function describeEvent(e: ScenarioEvent): string {
  switch (e.kind) {
    case 'revoke':
      return `revoke ${e.scope}`;
    case 'out-of-band-change':
      return `out-of-band change to ${e.mutation}`;
    case 'fault':
      return `fault ${e.fault} on ${e.on}${e.duration_s === undefined ? '' : ` for ${e.duration_s} s`}`;
  }
}

export interface ScheduledEvents {
  /** Cancel what has not fired, wait for what is firing, record the rest as skipped. */
  stop(): Promise<void>;
}

export function scheduleEvents(scenario: Scenario, history: History, handler: EventHandler | undefined, signal: AbortSignal): ScheduledEvents {
  const pending = new Map<ScenarioEvent, NodeJS.Timeout>();
  const firing = new Set<Promise<void>>();
  const origin = performance.now();
  for (const event of scenario.events) {
    const timer = setTimeout(() => {
      pending.delete(event);
      const at = history.since(performance.now());
      const p = (async () => {
        try {
          if (handler === undefined) throw new Error('no event handler');
          const detail = await handler(event, { scenario, signal });
          history.addEvent({ scenario: scenario.name, at_ms: at, kind: event.kind, detail: detail || describeEvent(event), outcome: 'ok' });
        } catch (error) {
          history.addEvent({ scenario: scenario.name, at_ms: at, kind: event.kind, detail: `${describeEvent(event)}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300), outcome: 'error' });
        }
      })();
      firing.add(p);
      void p.finally(() => firing.delete(p));
    }, Math.max(0, origin + event.at_s * 1000 - performance.now()));
    pending.set(event, timer);
  }
  return {
    async stop() {
      for (const [event, timer] of pending) {
        clearTimeout(timer);
        history.addEvent({ scenario: scenario.name, at_ms: history.since(origin) + event.at_s * 1000, kind: event.kind, detail: `${describeEvent(event)}: the scenario ended first`, outcome: 'skipped' });
      }
      pending.clear();
      await Promise.allSettled(firing);
    },
  };
}
