// The scenario model and its schema. A scenario file is one YAML mapping;
// this module checks the plain value (structure, then the rules that span
// fields) and fills in defaults. The loader (load.ts) adds file and line.
import { PLATFORMS, type PlatformName } from '../../broker/core/certificate/contract.js';
import { ALL_MUTATION_KIND_NAMES, platformOfMutation, type MutationKindName } from '../workload/mutation.js';
import { bool, list, num, obj, oneOf, str, tagged, type Issue } from './check.js';

export const SCENARIO_KINDS = ['latency', 'throughput', 'drift', 'replay-storm'] as const;
export const TARGETS = ['local', 'external', 'kind', 'k3s', 'localstack'] as const;
export const ARRIVALS = ['poisson', 'fixed'] as const;
export const REVOKE_SCOPES = ['outstanding', 'epoch'] as const;

export type ScenarioKind = (typeof SCENARIO_KINDS)[number];
export type TargetName = (typeof TARGETS)[number];

export interface ClosedLoad {
  readonly mode: 'closed';
  readonly workers: number;
  /** Measured requests per path; exactly one of count and duration_s. */
  readonly count?: number;
  /** Measured seconds per path. */
  readonly duration_s?: number;
  /** Unrecorded requests per path before measuring. */
  readonly warmup: number;
  /** Measured blocks per path, run SEB, direct, direct, SEB, ... */
  readonly blocks: number;
}

export interface SaturationCriteria {
  /** Saturated when achieved / offered falls below this. */
  readonly min_achieved_ratio: number;
  readonly max_error_ratio: number;
  readonly max_p99_ms?: number;
}

export interface OpenLoad {
  readonly mode: 'open';
  /** One rate, or a sweep of rising rates (one step per rate); exactly one of the two. */
  readonly rate_rps?: number;
  readonly rates_rps?: readonly number[];
  /** Measured seconds per path (per step in a sweep). */
  readonly duration_s: number;
  readonly warmup_s: number;
  readonly arrivals: (typeof ARRIVALS)[number];
  /** Measured blocks per path at one rate; a sweep runs one block per step and path. */
  readonly blocks: number;
  /** Arrivals wait (and their wait is counted in their latency) beyond this many requests in flight. */
  readonly max_in_flight: number;
  readonly saturation: SaturationCriteria;
}

export type Load = ClosedLoad | OpenLoad;

export type ScenarioEvent =
  | { readonly at_s: number; readonly kind: 'revoke'; readonly scope: (typeof REVOKE_SCOPES)[number] }
  | { readonly at_s: number; readonly kind: 'out-of-band-change'; readonly mutation: MutationKindName }
  | { readonly at_s: number; readonly kind: 'fault'; readonly fault: string; readonly on: string; readonly duration_s?: number };

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly kind: ScenarioKind;
  readonly target: TargetName;
  readonly platforms: readonly PlatformName[];
  readonly mutations: readonly MutationKindName[];
  readonly seed: number;
  /** Run the same mutations directly with a standing credential, in the same run. */
  readonly direct: boolean;
  readonly load?: Load;
  readonly events: readonly ScenarioEvent[];
  readonly drift?: { readonly probability: number };
  readonly storm?: { readonly certificates: number; readonly copies: number; readonly concurrency: number };
}

/** Top-level fields a `quick:` block may override (deep-merged; lists replace). */
export const QUICK_FIELDS = ['load', 'drift', 'storm', 'events'] as const;

const positive = num({ positive: true });
const count = num({ integer: true, positive: true });
const nonNegative = num({ min: 0 });

const closedLoad = obj(
  { mode: oneOf(['closed']), workers: count },
  { count, duration_s: positive, warmup: num({ integer: true, min: 0 }), blocks: count },
);

const openLoad = obj(
  { mode: oneOf(['open']), duration_s: positive },
  {
    rate_rps: positive,
    rates_rps: list(positive, { min: 1 }),
    warmup_s: nonNegative,
    arrivals: oneOf(ARRIVALS),
    blocks: count,
    max_in_flight: count,
    saturation: obj({}, { min_achieved_ratio: num({ positive: true, max: 1 }), max_error_ratio: num({ min: 0, max: 1 }), max_p99_ms: positive }),
  },
);

const event = tagged('kind', {
  revoke: obj({ at_s: nonNegative, kind: oneOf(['revoke']), scope: oneOf(REVOKE_SCOPES) }),
  'out-of-band-change': obj({ at_s: nonNegative, kind: oneOf(['out-of-band-change']), mutation: oneOf(ALL_MUTATION_KIND_NAMES) }),
  fault: obj({ at_s: nonNegative, kind: oneOf(['fault']), fault: str({ pattern: /^[a-z][a-z0-9-]*$/, describe: 'a fault name (lower case, digits, -)' }), on: str() }, { duration_s: positive }),
});

const structure = obj(
  {
    name: str({ pattern: /^[a-z0-9][a-z0-9-]*$/, describe: 'lower case letters, digits and -', maxLength: 64 }),
    description: str(),
    kind: oneOf(SCENARIO_KINDS),
    target: oneOf(TARGETS),
    platforms: list(oneOf(PLATFORMS), { min: 1, unique: true }),
    mutations: list(oneOf(ALL_MUTATION_KIND_NAMES), { min: 1, unique: true }),
    seed: num({ integer: true, min: 0, max: 2 ** 32 - 1 }),
  },
  {
    direct: bool(),
    load: tagged('mode', { closed: closedLoad, open: openLoad }),
    events: list(event),
    drift: obj({ probability: num({ min: 0, max: 1 }) }),
    storm: obj({ certificates: count, copies: num({ integer: true, min: 2 }), concurrency: count }),
  },
);

type Structure = NonNullable<ReturnType<typeof structure>>;

const TARGET_PLATFORMS: Partial<Record<TargetName, readonly PlatformName[]>> = { kind: ['kubernetes'], k3s: ['kubernetes'], localstack: ['aws'] };

/** The rules that span fields; each issue names the field to fix. */
function crossCheck(s: Structure, issues: Issue[]): void {
  s.mutations.forEach((m, i) => {
    const platform = platformOfMutation(m);
    if (platform !== undefined && !s.platforms.includes(platform)) issues.push({ path: ['mutations', i], message: `${m} is a ${platform} mutation, and ${platform} is not in platforms` });
  });
  s.platforms.forEach((p, i) => {
    if (!s.mutations.some((m) => platformOfMutation(m) === p)) issues.push({ path: ['platforms', i], message: `no mutation in mutations is a ${p} mutation` });
  });
  const allowed = TARGET_PLATFORMS[s.target];
  if (allowed !== undefined) {
    const off = s.platforms.find((p) => !allowed.includes(p));
    if (off !== undefined) issues.push({ path: ['target'], message: `${s.target} serves ${allowed.join(', ')} only, not ${off}` });
  }
  const load = s.load;
  if (load?.mode === 'closed' && (load.count === undefined) === (load.duration_s === undefined)) issues.push({ path: ['load'], message: 'needs exactly one of count, duration_s' });
  if (load?.mode === 'open') {
    if ((load.rate_rps === undefined) === (load.rates_rps === undefined)) issues.push({ path: ['load'], message: 'needs exactly one of rate_rps, rates_rps' });
    load.rates_rps?.forEach((r, i) => {
      const prev = load.rates_rps?.[i - 1];
      if (prev !== undefined && r <= prev) issues.push({ path: ['load', 'rates_rps', i], message: 'must be greater than the rate before it (a sweep rises)' });
    });
  }
  const needs = (field: 'load' | 'drift' | 'storm', yes: boolean, why: string) => {
    if (yes && s[field] === undefined) issues.push({ path: [field], message: `is required for ${why}` });
    if (!yes && s[field] !== undefined) issues.push({ path: [field], message: `is not used by ${s.kind} scenarios`, atKey: true });
  };
  needs('load', s.kind !== 'replay-storm', `${s.kind} scenarios`);
  needs('drift', s.kind === 'drift', 'drift scenarios');
  needs('storm', s.kind === 'replay-storm', 'replay-storm scenarios');
  if (s.kind === 'latency' && s.direct === false) issues.push({ path: ['direct'], message: 'latency scenarios always run the direct baseline; remove this or set true' });
  if (s.kind === 'replay-storm' && s.direct === true) issues.push({ path: ['direct'], message: 'replay-storm scenarios have no direct path' });
  if (s.kind !== 'throughput' && load?.mode === 'open' && load.rates_rps !== undefined) issues.push({ path: ['load', 'rates_rps'], message: 'a rate sweep belongs to throughput scenarios; use rate_rps' });
  s.events?.forEach((e, i) => {
    if (e?.kind === 'out-of-band-change' && !s.mutations.includes(e.mutation)) issues.push({ path: ['events', i, 'mutation'], message: `${e.mutation} is not in mutations` });
  });
}

function withDefaults(s: Structure): Scenario {
  const direct = s.direct ?? (s.kind === 'latency' || s.kind === 'throughput');
  let load: Load | undefined;
  if (s.load?.mode === 'closed') {
    load = { ...s.load, warmup: s.load.warmup ?? 0, blocks: s.load.blocks ?? 2 };
  } else if (s.load?.mode === 'open') {
    const sat = s.load.saturation ?? {};
    load = {
      ...s.load,
      warmup_s: s.load.warmup_s ?? 0,
      arrivals: s.load.arrivals ?? 'poisson',
      blocks: s.load.blocks ?? 2,
      max_in_flight: s.load.max_in_flight ?? 1024,
      saturation: { min_achieved_ratio: sat.min_achieved_ratio ?? 0.9, max_error_ratio: sat.max_error_ratio ?? 0.01, ...(sat.max_p99_ms === undefined ? {} : { max_p99_ms: sat.max_p99_ms }) },
    };
  }
  const { load: _l, events, direct: _d, ...rest } = s;
  return { ...rest, direct, events: (events ?? []) as ScenarioEvent[], ...(load === undefined ? {} : { load }) };
}

/** Check a scenario's plain value; either a scenario or at least one issue. */
export function checkScenario(value: unknown): { scenario?: Scenario; issues: Issue[] } {
  const issues: Issue[] = [];
  const s = structure(value, [], issues);
  if (s === undefined) return { issues };
  crossCheck(s, issues);
  return issues.length > 0 ? { issues } : { scenario: withDefaults(s), issues };
}
