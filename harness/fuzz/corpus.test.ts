// The regression corpus, replayed: every case under scenarios/fuzz-corpus
// (cases fuzzing found, and one per bug fixed in the predicates) must still
// be decided as its case.json expects. And a case survives the trip to disk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../repo-root.js';
import { caseDirs, readCase, verifyArgs, writeCase } from './corpus.js';
import { decideCase } from './execute.js';
import { inputWith } from './fixture-inputs.js';
import { buildCase } from './oracle.js';
import { replayCases } from './replay.js';

const CORPUS = join(REPO_ROOT, 'scenarios', 'fuzz-corpus');
const tmp = mkdtempSync(join(tmpdir(), 'seb-corpus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('scenarios/fuzz-corpus', () => {
  it('holds the hand-named regression cases', () => {
    const names = caseDirs(CORPUS).map((d) => readCase(d).meta.name);
    for (const name of ['alg-none', 'jwk-in-header', 'duplicate-claim', 'exp-edge', 'noncanonical-base64']) expect(names).toContain(name);
  });

  it('replays every case as expected', async () => {
    const rows = await replayCases(CORPUS);
    const wrong = rows.filter((r) => !r.ok).map((r) => `${r.stored.meta.name}: expected ${r.stored.fuzzCase.expected.reason ?? 'allow'}, got ${r.ours.reason ?? 'allow'}`);
    expect(wrong).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(20);
  });
});

describe('a case on disk', () => {
  it('reads back as written and decides the same', async () => {
    const c = buildCase(inputWith([['revocation.jti-listed', 0], ['drift.live-respelled', 0], ['ledger.one-use-left', 0]]));
    const dir = join(tmp, 'case');
    writeCase(dir, c, { name: 'case', note: 'round trip' });
    const back = readCase(dir);
    expect(back.meta).toMatchObject({ name: 'case', note: 'round trip' });
    expect({ ...back.fuzzCase, request: back.fuzzCase.request.toString() }).toEqual({ ...c, request: c.request.toString() });
    expect(await decideCase(back.fuzzCase)).toEqual(await decideCase(c));
  });

  it('names its files in the seb verify flags, and attaches values that start with a dash', () => {
    const c = buildCase(inputWith([['revocation.jti-listed', 0]]));
    const args = verifyArgs('/d', { ...c, verify: { ...c.verify, audience: '-aud' } }, '/d/ledger.sqlite');
    expect(args).toContain('--audience=-aud');
    expect(args.slice(args.indexOf('--revoked'), args.indexOf('--revoked') + 2)).toEqual(['--revoked', '/d/revoked.json']);
    expect(args.slice(-2)).toEqual(['--ledger', '/d/ledger.sqlite']);
  });
});
