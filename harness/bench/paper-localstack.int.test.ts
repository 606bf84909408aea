// `bench paper --target localstack`: the tiny scenarios against the local
// Kubernetes with LocalStack (a plain process) as the AWS side. The kinds it
// cannot serve are left out and said so, results are written, the replay
// storm holds, and meta.json reports the bypass check as not applicable.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../repo-root.js';
import { LOCALSTACK_BYPASS_NOT_APPLICABLE } from '../targets/localstack/localstack.js';
import { runPaper } from './paper.js';

const dir = mkdtempSync(join(tmpdir(), 'seb-bench-localstack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench paper --target localstack', () => {
  it('runs the tiny scenarios and writes results that say what LocalStack does not enforce', async () => {
    expect(existsSync(join(REPO_ROOT, 'dist/broker/cli/main.js')), 'seb serve runs from dist/: make build first').toBe(true);
    const fixtures = ['tiny-latency', 'tiny-drift', 'tiny-storm'].map((f) => join(REPO_ROOT, 'harness/bench/fixtures', `${f}.yaml`));
    const lines: string[] = [];
    const result = await runPaper({ profile: 'quick', target: { kind: 'localstack' }, scenarios: fixtures, resultsRoot: join(dir, 'results'), workDir: join(dir, 'work'), progress: null, log: (l) => lines.push(l) });
    expect(result.report.aborted).toBe(false);
    expect(result.report.stormViolations).toBe(0);
    expect(lines.some((l) => /does not serve dynamodb-update-item/.test(l))).toBe(true);
    const meta = JSON.parse(readFileSync(join(result.report.run.path, 'meta.json'), 'utf8'));
    expect(meta.enforcement.bypass_check).toBe(LOCALSTACK_BYPASS_NOT_APPLICABLE);
    const requests = readFileSync(join(result.report.run.path, 'requests.csv'), 'utf8');
    expect(requests).toContain('ssm-put-parameter');
    expect(requests).not.toContain('dynamodb-update-item');
  }, 600_000);
});
