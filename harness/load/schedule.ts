// Open-loop arrival times: pure and seeded, so the same scenario offers the
// same arrivals on every run. Poisson arrivals have exponential gaps with
// mean 1/rate; fixed arrivals are evenly spaced. Times are ms from the start.
import { seededRng } from './rng.js';

export interface ArrivalOptions {
  readonly rateRps: number;
  readonly arrivals: 'poisson' | 'fixed';
  readonly seed: number;
  /** Arrivals strictly before this; at least one of durationMs and count bounds the schedule. */
  readonly durationMs?: number;
  readonly count?: number;
}

export function* arrivalTimes(o: ArrivalOptions): Generator<number, void, undefined> {
  if (!(o.rateRps > 0)) throw new RangeError('rateRps must be positive');
  if (o.durationMs === undefined && o.count === undefined) throw new RangeError('an arrival schedule needs a duration or a count');
  const gapMs = 1000 / o.rateRps;
  const rng = seededRng(o.seed);
  let t = o.arrivals === 'fixed' ? 0 : -Math.log(1 - rng()) * gapMs;
  for (let i = 0; o.count === undefined || i < o.count; i++) {
    if (o.durationMs !== undefined && t >= o.durationMs) return;
    yield t;
    t += o.arrivals === 'fixed' ? gapMs : -Math.log(1 - rng()) * gapMs;
  }
}

export function arrivalSchedule(o: ArrivalOptions): number[] {
  return [...arrivalTimes(o)];
}
