// The fleet scenarios' model and schema: revocation propagation and the fault
// matrix, each run against N brokers sharing one etcd cluster
// (harness/bench/fleet.ts). Same schema language and loader as the paper's
// scenarios (check.ts, load.ts): every error names file, line and field.
import { list, num, obj, oneOf, str, tagged, type Issue } from './check.js';
import { REVOKE_SCOPES } from './schema.js';

export const FLEET_KINDS = ['revocation', 'faults'] as const;
export type FleetKind = (typeof FLEET_KINDS)[number];

/** The faults faults/from-event.ts carries out, and what each may be `on`. */
export const FAULT_NAMES = [
  'network-latency',
  'network-timeout',
  'network-reset-peer',
  'network-bandwidth',
  'network-down',
  'process-kill',
  'process-kill-mid-execution',
  'clock-skew',
  'records-unwritable',
  'revocation-source-down',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/** etcd members of the fleet's state cluster (harness/targets/local/etcd-cluster.ts starts three). */
export const ETCD_MEMBERS = 3;

export interface RevocationLoad {
  /** Each round runs every revoke event once, in order. */
  readonly rounds: number;
  /** Workers per broker sending outstanding certificates. */
  readonly workers: number;
  readonly pace_ms: number;
  /** When, after the first outstanding request, the revocation is published. */
  readonly revoke_after_ms: number;
  /** How long outstanding requests keep coming: well past revocation + bound. */
  readonly span_ms: number;
}

export type FleetEvent =
  | { readonly kind: 'revoke'; readonly scope: (typeof REVOKE_SCOPES)[number] }
  | { readonly kind: 'fault'; readonly fault: FaultName; readonly on: string; readonly hold_s?: number; readonly offset_s?: number };

export interface FleetScenario {
  readonly name: string;
  readonly description: string;
  readonly kind: FleetKind;
  readonly brokers: number;
  /** revocation.maxAgeMs of every broker: the staleness bound. */
  readonly max_age_ms: number;
  /** How long each fault is held, unless its event says (faults). */
  readonly hold_s?: number;
  readonly load?: RevocationLoad;
  readonly events: readonly FleetEvent[];
}

export const FLEET_QUICK_FIELDS = ['load', 'events', 'hold_s'] as const;

const count = num({ integer: true, positive: true });
const positive = num({ positive: true });

const event = tagged('kind', {
  revoke: obj({ kind: oneOf(['revoke']), scope: oneOf(REVOKE_SCOPES) }),
  fault: obj({ kind: oneOf(['fault']), fault: oneOf(FAULT_NAMES), on: str() }, { hold_s: positive, offset_s: num() }),
});

const structure = obj(
  {
    name: str({ pattern: /^[a-z0-9][a-z0-9-]*$/, describe: 'lower case letters, digits and -', maxLength: 64 }),
    description: str(),
    kind: oneOf(FLEET_KINDS),
    brokers: num({ integer: true, min: 1, max: 16 }),
    max_age_ms: count,
    events: list(event, { min: 1 }),
  },
  {
    hold_s: positive,
    load: obj({ rounds: count, workers: count, pace_ms: count, revoke_after_ms: count, span_ms: count }),
  },
);

type Structure = NonNullable<ReturnType<typeof structure>>;

/** What a fault may be `on`, in a fleet of `brokers` brokers. */
export function faultTargets(fault: FaultName, brokers: number): readonly string[] {
  const members = Array.from({ length: ETCD_MEMBERS }, (_, i) => `etcd-member-${i + 1}`);
  const ids = Array.from({ length: brokers }, (_, i) => `seb-${i + 1}`);
  if (fault.startsWith('network-')) return ['kube-apiserver', 'etcd'];
  if (fault === 'process-kill') return ['kube-apiserver', ...members];
  if (fault === 'revocation-source-down') return ['etcd'];
  return ids;
}

function crossCheck(s: Structure, issues: Issue[]): void {
  const wanted = s.kind === 'revocation' ? 'revoke' : 'fault';
  s.events.forEach((e, i) => {
    if (e.kind !== wanted) return void issues.push({ path: ['events', i, 'kind'], message: `${s.kind} scenarios take ${wanted} events only` });
    if (e.kind !== 'fault') return;
    const targets = faultTargets(e.fault, s.brokers);
    if (!targets.includes(e.on)) issues.push({ path: ['events', i, 'on'], message: `${e.fault} can be on ${targets.join(', ')}` });
    if ((e.fault === 'clock-skew') !== (e.offset_s !== undefined)) {
      issues.push({ path: ['events', i, e.fault === 'clock-skew' ? 'fault' : 'offset_s'], message: e.fault === 'clock-skew' ? 'clock-skew needs offset_s' : `is used by clock-skew only` });
    }
  });
  if (s.kind === 'revocation' && s.load === undefined) issues.push({ path: ['load'], message: 'is required for revocation scenarios' });
  if (s.kind === 'faults' && s.load !== undefined) issues.push({ path: ['load'], message: 'is not used by faults scenarios (the load is the fleet worker loop)', atKey: true });
  if (s.kind === 'revocation' && s.hold_s !== undefined) issues.push({ path: ['hold_s'], message: 'is used by faults scenarios only', atKey: true });
  if (s.kind === 'faults' && s.hold_s === undefined) issues.push({ path: ['hold_s'], message: 'is required for faults scenarios' });
  if (s.load !== undefined && s.load.span_ms <= s.load.revoke_after_ms + s.max_age_ms) {
    issues.push({ path: ['load', 'span_ms'], message: 'must be past revoke_after_ms + max_age_ms (requests keep coming past the bound)' });
  }
}

/** Check a fleet scenario's plain value; either a scenario or at least one issue. */
export function checkFleetScenario(value: unknown): { scenario?: FleetScenario; issues: Issue[] } {
  const issues: Issue[] = [];
  const s = structure(value, [], issues);
  if (s === undefined) return { issues };
  crossCheck(s, issues);
  return issues.length > 0 ? { issues } : { scenario: s as FleetScenario, issues };
}
