// The fleet scenarios (revocation propagation, the fault matrix) as files:
// the shipped ones load in both profiles, every fault event maps to a fault
// module, and a bad file gets one line per error naming file, line and field.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../broker/core/errors.js';
import { REPO_ROOT } from '../repo-root.js';
import { FAULT_NAMES, faultTargets } from './fleet-schema.js';
import { loadFleetScenarioFile, parseFleetScenario } from './load.js';

const dir = (name: string) => join(REPO_ROOT, 'scenarios', name);

function errorsOf(text: string): string[] {
  try {
    parseFleetScenario(text, 'scenarios/faults/x.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message.split('\n');
  }
  throw new Error('loaded');
}

const faults = (events: string, extra = '') => `name: m
description: d
kind: faults
brokers: 3
max_age_ms: 2000
hold_s: 4
${extra}events:
${events}
`;

describe('shipped fleet scenarios', () => {
  it('revocation: five rounds of revoking by jti then by floor; quick is one round', () => {
    const file = join(dir('revocation'), 'propagation.yaml');
    const full = loadFleetScenarioFile(file, 'full').scenario;
    const quick = loadFleetScenarioFile(file, 'quick').scenario;
    expect(full.kind).toBe('revocation');
    expect(full.events).toEqual([
      { kind: 'revoke', scope: 'outstanding' },
      { kind: 'revoke', scope: 'epoch' },
    ]);
    expect([full.load?.rounds, quick.load?.rounds]).toEqual([5, 1]);
    expect(quick.load?.workers).toBe(full.load?.workers);
  });

  it('faults: every fault name at least once in full; quick is a shorter list of the same kinds of step', () => {
    const file = join(dir('faults'), 'matrix.yaml');
    const full = loadFleetScenarioFile(file, 'full').scenario;
    const quick = loadFleetScenarioFile(file, 'quick').scenario;
    const names = (s: typeof full) => s.events.map((e) => (e.kind === 'fault' ? e.fault : e.kind));
    expect(new Set(names(full))).toEqual(new Set(FAULT_NAMES));
    expect(quick.events.length).toBe(8);
    expect(quick.events.length).toBeLessThan(full.events.length);
    expect(new Set(names(quick)).size).toBeLessThanOrEqual(new Set(names(full)).size);
  });

  it('are the only files in their folders', () => {
    expect(readdirSync(dir('revocation'))).toEqual(['propagation.yaml']);
    expect(readdirSync(dir('faults'))).toEqual(['matrix.yaml']);
  });
});

describe('bad fleet scenario files', () => {
  it('names an unknown fault by its line, with the faults there are', () => {
    const errors = errorsOf(faults('  - { kind: fault, fault: network-jitter, on: etcd }'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^scenarios\/faults\/x\.yaml:8: events\[0\]\.fault: must be one of network-latency, /);
  });

  it('refuses a fault on something it cannot reach, naming what it can', () => {
    const errors = errorsOf(faults('  - { kind: fault, fault: network-down, on: etcd }\n  - { kind: fault, fault: records-unwritable, on: seb-4 }'));
    expect(errors).toEqual(['scenarios/faults/x.yaml:9: events[1].on: records-unwritable can be on seb-1, seb-2, seb-3']);
  });

  it('refuses a revoke event in a faults scenario, and clock-skew without its offset', () => {
    const errors = errorsOf(faults('  - { kind: revoke, scope: outstanding }\n  - { kind: fault, fault: clock-skew, on: seb-2 }'));
    expect(errors).toEqual([
      'scenarios/faults/x.yaml:8: events[0].kind: faults scenarios take fault events only',
      'scenarios/faults/x.yaml:9: events[1].fault: clock-skew needs offset_s',
    ]);
  });

  it('refuses a load in a faults scenario at its key, and a quick block field it cannot override', () => {
    const errors = errorsOf(`${faults('  - { kind: fault, fault: network-down, on: etcd }', 'load: { rounds: 1, workers: 1, pace_ms: 1, revoke_after_ms: 1, span_ms: 9999 }\n')}quick:\n  brokers: 2\n`);
    expect(errors).toEqual([
      'scenarios/faults/x.yaml:7: load: is not used by faults scenarios (the load is the fleet worker loop)',
      'scenarios/faults/x.yaml:11: quick.brokers: cannot be overridden in quick (only load, events, hold_s)',
    ]);
  });

  it('refuses a revocation span that ends before the staleness bound', () => {
    const text = `name: r
description: d
kind: revocation
brokers: 3
max_age_ms: 2000
load: { rounds: 1, workers: 1, pace_ms: 300, revoke_after_ms: 1500, span_ms: 3000 }
events:
  - { kind: revoke, scope: epoch }
`;
    expect(() => parseFleetScenario(text, 'r.yaml')).toThrow(/^r\.yaml:6: load\.span_ms: must be past revoke_after_ms \+ max_age_ms/);
  });

  it('reports a YAML syntax error with its line, one line', () => {
    const errors = errorsOf('name: m\nkind: [faults\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^scenarios\/faults\/x\.yaml:\d+: /);
  });
});

describe('faultTargets', () => {
  it('network faults reach the proxied platforms; broker faults the fleet\'s brokers; process kills kube-apiserver or an etcd member', () => {
    expect(faultTargets('network-timeout', 3)).toEqual(['kube-apiserver', 'etcd']);
    expect(faultTargets('clock-skew', 2)).toEqual(['seb-1', 'seb-2']);
    expect(faultTargets('process-kill', 3)).toEqual(['kube-apiserver', 'etcd-member-1', 'etcd-member-2', 'etcd-member-3']);
    expect(faultTargets('revocation-source-down', 3)).toEqual(['etcd']);
  });
});
