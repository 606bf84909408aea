// A scenario's events (revocations, out-of-band changes, faults), injected at
// their times from the scenario's start, each recorded on the run's clock
// with what the handler said or why it failed. Events still pending when the
// scenario ends are recorded as skipped. An event the handler cannot carry
// out fails the run: before it starts when the handler says so up front,
// after the scenario when it throws; a failed event is never just a row.
import { ConfigError, SebError } from '../../broker/core/errors.js';
import type { History } from '../metrics/history.js';
import type { Scenario, ScenarioEvent } from '../scenario/schema.js';

/** Injects one event; returns a line of detail for events.csv. The runner never interprets events itself. */
export interface EventHandler {
  (event: ScenarioEvent, ctx: { readonly scenario: Scenario; readonly signal: AbortSignal }): Promise<string | void>;
  /** Why this handler cannot carry out `event` at all (checked before the run starts), or undefined. */
  readonly cannotCarryOut?: (event: ScenarioEvent) => string | undefined;
}

/** One or more of a scenario's events failed: the run fails, naming each. */
export class EventFailedError extends SebError {
  constructor(scenario: string, failures: readonly string[]) {
    super('io', `scenario ${scenario}: ${failures.length} event(s) could not be carried out: ${failures.join('; ')}`);
  }
}

/** Refuses, before anything runs, a scenario whose events the handler cannot carry out (or that has events and no handler). */
export function checkEvents(scenario: Scenario, file: string, handler: EventHandler | undefined): void {
  if (scenario.events.length === 0) return;
  if (handler === undefined) throw new ConfigError('events', `${file}: scenario ${scenario.name} has events, and no event handler was given`);
  for (const event of scenario.events) {
    const why = handler.cannotCarryOut?.(event);
    if (why !== undefined) throw new ConfigError('events', `${file}: scenario ${scenario.name}: ${describeEvent(event)} at ${event.at_s} s cannot be carried out: ${why}`);
  }
}

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
  /** Cancel what has not fired, wait for what is firing, record the rest as skipped; throws EventFailedError if any event failed. */
  stop(): Promise<void>;
}

export function scheduleEvents(scenario: Scenario, history: History, handler: EventHandler | undefined, signal: AbortSignal): ScheduledEvents {
  const pending = new Map<ScenarioEvent, NodeJS.Timeout>();
  const firing = new Set<Promise<void>>();
  const failures: string[] = [];
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
          const detail = `${describeEvent(event)} at ${event.at_s} s: ${error instanceof Error ? error.message : String(error)}`;
          failures.push(detail);
          history.addEvent({ scenario: scenario.name, at_ms: at, kind: event.kind, detail: detail.slice(0, 300), outcome: 'error' });
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
      if (failures.length > 0) throw new EventFailedError(scenario.name, failures);
    },
  };
}
