// Differential mode through real processes: a deliberately broken verifier
// (fixtures/broken-verifier.mjs, which accepts alg "none" and ignores exp)
// is caught, and its saved counterexample replays; our own `seb verify`
// agrees on corpus cases that need its ledger, live-state and revoked files.
// Both run dist/ (CI's `make test` builds it first).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../repo-root.js';
import { writeCase } from './corpus.js';
import { checkAgainst, parseCommand } from './differential.js';
import { replayCases } from './replay.js';
import { runFuzz } from './run.js';

const BROKEN = ['node', join(REPO_ROOT, 'harness/fuzz/fixtures/broken-verifier.mjs')];
const OURS = ['node', join(REPO_ROOT, 'bin/seb.js'), 'verify'];
const tmp = mkdtempSync(join(tmpdir(), 'seb-differential-'));

beforeAll(() => {
  if (!existsSync(join(REPO_ROOT, 'dist/broker/cli/main.js'))) throw new Error('differential tests run dist/ in other processes: build it first (make build)');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('parseCommand', () => {
  it('splits words and honours quotes and escapes', () => {
    expect(parseCommand('node bin/seb.js verify')).toEqual(['node', 'bin/seb.js', 'verify']);
    expect(parseCommand(` my\\ verifier "--flag=a b" 'c "d"' `)).toEqual(['my verifier', '--flag=a b', 'c "d"']);
    expect(() => parseCommand('"open')).toThrow(/unclosed/);
    expect(() => parseCommand('  ')).toThrow(/empty/);
  });
});

describe('seb fuzz --against', () => {
  it('catches a verifier that accepts alg none, and the saved counterexample replays', { timeout: 240_000 }, async () => {
    const summary = await runFuzz({
      seed: 7,
      runs: 6,
      cli: true,
      only: ['signature.alg-none-unsigned', 'signature.alg-none-signed'],
      concurrency: 2,
      maxCounterexamples: 1,
      shrinkBudgetMs: 20_000,
      check: (c) => checkAgainst(BROKEN, c),
    });
    const [cx] = summary.counterexamples;
    expect(cx?.result.findings.map((f) => f.kind)).toEqual(['disagreement']);
    expect(cx?.fuzzCase.expected).toEqual({ decision: 'deny', reason: 'alg_not_allowed' });
    expect(cx?.result.theirs?.decision).toBe('allow');
    if (cx === undefined) return;
    const dir = join(tmp, 'found');
    writeCase(dir, cx.fuzzCase, { name: 'found', ...(cx.result.theirs ? { actual: cx.result.theirs } : {}) });
    const [again] = await replayCases(dir, BROKEN);
    expect(again).toMatchObject({ ok: false, ours: { reason: 'alg_not_allowed' }, theirs: { decision: 'allow' } });
    const [inProcess] = await replayCases(dir);
    expect(inProcess?.ok).toBe(true);
  });

  it('catches a verifier that ignores exp', { timeout: 120_000 }, async () => {
    const summary = await runFuzz({
      seed: 3,
      runs: 4,
      cli: true,
      only: ['window.after-window'],
      concurrency: 2,
      maxCounterexamples: 1,
      shrinkBudgetMs: 15_000,
      check: (c) => checkAgainst([...BROKEN, 'ignore-exp'], c),
    });
    expect(summary.counterexamples[0]?.result.findings[0]).toMatchObject({ kind: 'disagreement', actual: { decision: 'allow' } });
    expect(summary.counterexamples[0]?.fuzzCase.expected.reason).toBe('expired');
  });

  it('finds our own seb verify in agreement on the corpus cases that use its files', { timeout: 120_000 }, async () => {
    const names = ['replayed', 'ledger-unavailable', 'drift-changed', 'exp-edge'];
    const picked = (await Promise.all(names.map((n) => replayCases(join(REPO_ROOT, 'scenarios/fuzz-corpus', n), OURS)))).flat();
    expect(picked).toHaveLength(4);
    expect(picked.filter((r) => !r.ok).map((r) => `${r.stored.meta.name}: ${r.problem ?? r.theirs?.reason}`)).toEqual([]);
  });
});
