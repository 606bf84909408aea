// The scenario format: every paper scenario loads in both profiles, and every
// error in a bad file names the file, the line and the field, one per line.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../broker/core/errors.js';
import { REPO_ROOT } from '../repo-root.js';
import { deepMerge, loadScenarioFile, parseScenario } from './load.js';

const paper = join(REPO_ROOT, 'scenarios/paper');
const fixture = (name: string) => join(REPO_ROOT, 'harness/scenario/fixtures', name);

function errorsOf(file: string): string[] {
  try {
    loadScenarioFile(file);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message.split('\n');
  }
  throw new Error(`${file} loaded`);
}

describe('paper scenarios', () => {
  const files = readdirSync(paper).filter((f) => f.endsWith('.yaml'));

  it('are the five the paper needs', () => {
    expect(files.sort()).toEqual(['drift-detection.yaml', 'latency-aws.yaml', 'latency-kubernetes.yaml', 'replay-storm.yaml', 'throughput-sweep.yaml']);
  });

  it.each(files)('%s loads in both profiles, and quick is smaller', (file) => {
    const full = loadScenarioFile(join(paper, file), 'full');
    const quick = loadScenarioFile(join(paper, file), 'quick');
    expect(full.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(quick.sha256).toBe(full.sha256);
    expect(full.scenario.name).toBe(file.replace('.yaml', ''));
    const size = (s: typeof full.scenario) =>
      s.storm !== undefined ? s.storm.certificates * s.storm.copies : s.load?.mode === 'closed' ? (s.load.count ?? 0) : (s.load?.duration_s ?? 0) * (s.load?.rates_rps?.length ?? 1);
    expect(size(quick.scenario)).toBeLessThan(size(full.scenario));
    if (full.scenario.kind === 'latency') expect(full.scenario.direct).toBe(true);
  });
});

describe('scenario defaults and the quick profile', () => {
  it('fills defaults, and quick deep-merges (lists replace)', () => {
    const full = loadScenarioFile(fixture('good-events.yaml'), 'full').scenario;
    expect(full.direct).toBe(true);
    expect(full.load).toEqual({
      mode: 'open',
      rate_rps: 50,
      duration_s: 30,
      warmup_s: 0,
      arrivals: 'poisson',
      blocks: 2,
      max_in_flight: 1024,
      saturation: { min_achieved_ratio: 0.9, max_error_ratio: 0.01 },
    });
    expect(full.events).toHaveLength(3);
    const quick = loadScenarioFile(fixture('good-events.yaml'), 'quick').scenario;
    expect(quick.load?.duration_s).toBe(3);
    expect(quick.load?.mode === 'open' && quick.load.rate_rps).toBe(50);
    expect(quick.events).toEqual([]);
  });

  it('lets quick drop a field with null', () => {
    const text = 'name: a\ndescription: d\nkind: latency\ntarget: local\nplatforms: [aws]\nmutations: [s3-put-object]\nseed: 1\nload: {mode: closed, workers: 1, count: 100}\nquick:\n  load: {count: ~, duration_s: 2}\n';
    expect(parseScenario(text, 'inline.yaml', 'quick').load).toMatchObject({ duration_s: 2 });
    expect(parseScenario(text, 'inline.yaml', 'quick').load).not.toHaveProperty('count');
  });

  it('merges mappings key by key', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: 2 })).toEqual({ a: { b: 1, c: [3] }, d: 1, e: 2 });
  });
});

describe('bad scenario files', () => {
  it('names an unknown field by its line, at any depth', () => {
    expect(errorsOf(fixture('unknown-field.yaml'))).toEqual([
      'harness/scenario/fixtures/unknown-field.yaml:12: load.wokers: unknown field (expected one of mode, workers, count, duration_s, warmup, blocks)',
      'harness/scenario/fixtures/unknown-field.yaml:13: color: unknown field (expected one of name, description, kind, target, platforms, mutations, seed, direct, load, events, drift, storm)',
    ]);
  });

  it('names each value of the wrong type', () => {
    expect(errorsOf(fixture('wrong-type.yaml'))).toEqual([
      'harness/scenario/fixtures/wrong-type.yaml:7: seed: must be a non-negative integer <= 4294967295',
      'harness/scenario/fixtures/wrong-type.yaml:10: load.rate_rps: must be a positive number',
      'harness/scenario/fixtures/wrong-type.yaml:11: load.duration_s: must be a positive number',
      'harness/scenario/fixtures/wrong-type.yaml:12: direct: must be true or false',
    ]);
  });

  it('names each missing required field at its parent', () => {
    expect(errorsOf(fixture('missing-required.yaml'))).toEqual([
      'harness/scenario/fixtures/missing-required.yaml:1: description: is required',
      'harness/scenario/fixtures/missing-required.yaml:1: target: is required',
      'harness/scenario/fixtures/missing-required.yaml:7: load.workers: is required',
    ]);
  });

  it('checks the rules that span fields', () => {
    expect(errorsOf(fixture('cross-field.yaml'))).toEqual([
      'harness/scenario/fixtures/cross-field.yaml:6: mutations[2]: must be one of deployment-scale, configmap-data, networkpolicy-ingress, ssm-put-parameter, s3-put-object, ec2-authorize-ingress, dynamodb-update-item',
    ]);
    const text = (extra: string) => `name: x\ndescription: d\nkind: drift\ntarget: kind\nplatforms: [kubernetes, aws]\nmutations: [configmap-data, s3-put-object]\nseed: 3\n${extra}`;
    const messages = (t: string) => {
      try {
        parseScenario(t, 'x.yaml');
        return [];
      } catch (error) {
        return (error as Error).message.split('\n');
      }
    };
    expect(messages(text('load: {mode: closed, workers: 2, count: 10, duration_s: 5}\nstorm: {certificates: 1, copies: 2, concurrency: 1}\n'))).toEqual([
      'x.yaml:1: drift: is required for drift scenarios',
      'x.yaml:4: target: kind serves kubernetes only, not aws',
      'x.yaml:8: load: needs exactly one of count, duration_s',
      'x.yaml:9: storm: is not used by drift scenarios',
    ]);
    expect(messages('name: x\ndescription: d\nkind: latency\ntarget: local\nplatforms: [kubernetes, aws]\nmutations: [configmap-data]\nseed: 3\ndirect: false\nload: {mode: open, rates_rps: [10, 5], duration_s: 1}\n')).toEqual([
      'x.yaml:5: platforms[1]: no mutation in mutations is a aws mutation',
      'x.yaml:8: direct: latency scenarios always run the direct baseline; remove this or set true',
      'x.yaml:9: load.rates_rps[1]: must be greater than the rate before it (a sweep rises)',
      'x.yaml:9: load.rates_rps: a rate sweep belongs to throughput scenarios; use rate_rps',
    ]);
  });

  it('reports errors in the quick block against the quick block', () => {
    expect(errorsOf(fixture('bad-quick.yaml'))).toEqual([
      'harness/scenario/fixtures/bad-quick.yaml:13: quick.seed: cannot be overridden in quick (only load, drift, storm, events)',
    ]);
    const text = 'name: a\ndescription: d\nkind: latency\ntarget: local\nplatforms: [aws]\nmutations: [s3-put-object]\nseed: 1\nload: {mode: closed, workers: 1, count: 100}\nquick:\n  load:\n    duration_s: 5\n';
    expect(() => parseScenario(text, 'q.yaml')).toThrow(/^q\.yaml:11: quick\.load: needs exactly one of count, duration_s$/);
  });

  it('reports YAML errors with their line', () => {
    expect(errorsOf(fixture('duplicate-key.yaml'))).toEqual(['harness/scenario/fixtures/duplicate-key.yaml:4: Map keys must be unique']);
    expect(() => parseScenario('- a\n- b\n', 'list.yaml')).toThrow(/^list\.yaml:1: \(top level\): must be a mapping$/);
  });

  it('names a file it cannot read', () => {
    expect(() => loadScenarioFile(fixture('absent.yaml'))).toThrow(/harness\/scenario\/fixtures\/absent\.yaml: cannot read scenario: ENOENT/);
  });
});
