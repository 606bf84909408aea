// The command line under odd input, one table: each case is a usage or input
// error that must end in exit 2 and one line on stderr (never a hang, a stack
// trace, exit 70 or a partial write), and must leave the file system as it was.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runSeb } from '../../harness/fixtures/run-seb.js';
import { SEB_COMMANDS } from '../../harness/cli/commands.js';

let dir: string;
const path = (name: string) => join(dir, name);
const VICTIM = 'victim: not to be overwritten\n';

// Opening a FIFO for reading blocks until a writer opens it, and a blocked
// open stops this thread, so no test timeout could fire. A writer that opens
// and closes at once is the guard: should the command open the FIFO, it reads
// end-of-file and the assertion on the message fails instead of hanging.
let writers: ChildProcess[] = [];
function fifoWithGuard(name: string): string {
  const fifo = path(name);
  execFileSync('mkfifo', [fifo]);
  writers.push(spawn('sh', ['-c', ': > "$1"', 'sh', fifo], { stdio: 'ignore' }));
  return fifo;
}
afterEach(() => {
  for (const w of writers) if (w.exitCode === null) w.kill();
  writers = [];
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-odd-input-'));
  const contract = { platform: 'aws', target: { arn: 'arn:aws:s3:::b' }, operation: 's3:PutBucketTagging', parameters: { tags: { a: '1' } } };
  writeFileSync(path('contract.json'), JSON.stringify(contract));
  writeFileSync(path('state.json'), '{}');
  writeFileSync(path('victim'), VICTIM);
  mkdirSync(path('a-directory'));
  expect((await runSeb('sab', 'keygen', '--kid', 'k1', '--out', path('sab'))).code).toBe(0);
  const issued = await runSeb('sab', 'issue', '--key', path('sab/private.jwk.json'), '--issuer', 'sab', '--audience', 'seb', '--subject', 'agent', '--contract', path('contract.json'), '--now', '1800000000');
  writeFileSync(path('req.json'), JSON.stringify({ certificate: issued.out.trim(), contract }));
  const logged = await runSeb(...verifyArgs('--log', path('log.db'), '--broker-key', path('sab/private.jwk.json')));
  expect(logged.code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function verifyArgs(...extra: string[]): string[] {
  const request = extra.includes('--request') ? [] : ['--request', path('req.json')];
  return ['verify', '--keys', path('sab/jwks.json'), '--issuer', 'sab', '--audience', 'seb', ...request, '--now', '1800000010', ...extra];
}
const issueArgs = (...extra: string[]) => ['sab', 'issue', '--key', path('sab/private.jwk.json'), '--issuer', 'sab', '--audience', 'seb', '--subject', 'agent', '--contract', path('contract.json'), ...extra];

interface Case {
  readonly name: string;
  /** Builds what the case needs and returns the command line. */
  readonly argv: () => string[];
  readonly message: RegExp;
  /** What must still hold afterwards. */
  readonly after?: () => void;
}

const noTempFiles = () => expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);

const cases: Case[] = [
  // Flags, in the shared parser.
  { name: 'a flag given twice', argv: () => verifyArgs('--audience', 'other'), message: /--audience given 2 times/ },
  { name: 'a boolean flag given twice', argv: () => ['sab', 'keygen', '--kid', 'k', '--out', path('twice'), '--force', '--force'], message: /--force given 2 times/ },
  { name: '--now -5', argv: () => issueArgs('--now', '-5'), message: /--now needs a value; to give one that starts with "-", write --now=-5/ },
  { name: '--now=-5', argv: () => issueArgs('--now=-5'), message: /--now: must be at least 0, got -5/ },
  { name: '--pre-version without --pre-state', argv: () => issueArgs('--pre-version', '7'), message: /--pre-version needs --pre-state/ },
  { name: '--log without --broker-key', argv: () => verifyArgs('--log', path('log.db')), message: /--log needs --broker-key/ },
  // Keys.
  {
    name: 'keygen over an existing key',
    argv: () => ['sab', 'keygen', '--kid', 'k2', '--out', path('sab')],
    message: /private\.jwk\.json already exists; pass --force/,
    after: () => expect(JSON.parse(readFileSync(path('sab/private.jwk.json'), 'utf8')).kid).toBe('k1'),
  },
  { name: 'a kid the verifier refuses', argv: () => ['sab', 'keygen', '--kid', 'bad kid', '--out', path('bad-kid')], message: /--kid must match/ },
  { name: 'keygen --out an existing file', argv: () => ['sab', 'keygen', '--kid', 'k', '--out', path('victim')], message: /cannot write .*victim/, after: () => expect(readFileSync(path('victim'), 'utf8')).toBe(VICTIM) },
  // Special files read as input: refused before they are opened for reading.
  { name: '--request a FIFO', argv: () => verifyArgs('--request', fifoWithGuard('request.fifo')), message: /request: .* is a FIFO, not a regular file/ },
  { name: '--revoked a FIFO', argv: () => verifyArgs('--revoked', fifoWithGuard('revoked.fifo')), message: /revoked list: .* is a FIFO, not a regular file/ },
  { name: 'audit verify --log a FIFO', argv: () => ['audit', 'verify', '--log', fifoWithGuard('log.fifo')], message: /record log: .* is a FIFO, not a regular file/ },
  { name: 'verify --log a FIFO', argv: () => verifyArgs('--log', fifoWithGuard('vlog.fifo'), '--broker-key', path('sab/private.jwk.json')), message: /record log: .* is a FIFO/ },
  { name: 'execute --config a FIFO', argv: () => ['execute', '--config', fifoWithGuard('config.fifo'), '--request', path('req.json')], message: /config: .* is a FIFO, not a regular file/ },
  { name: 'bench compare a FIFO', argv: () => ['bench', 'compare', fifoWithGuard('summary.fifo'), path('a-directory')], message: /summary: .* is a FIFO, not a regular file/ },
  { name: '--ledger a directory', argv: () => verifyArgs('--ledger', path('a-directory')), message: /ledger: .* is a directory/ },
  { name: '--request a device (read only)', argv: () => verifyArgs('--request', '/dev/null'), message: /request: \/dev\/null is a device/ },
  // Special files as --out: never replaced, no temporary file left.
  {
    name: '--out a FIFO',
    argv: () => (execFileSync('mkfifo', [path('out.fifo')]), ['audit', 'export', '--log', path('log.db'), '--out', path('out.fifo')]),
    message: /cannot write .*out\.fifo: it is a FIFO/,
    after: () => {
      expect(lstatSync(path('out.fifo')).isFIFO()).toBe(true);
      noTempFiles();
    },
  },
  {
    name: '--out a directory',
    argv: () => ['audit', 'export', '--log', path('log.db'), '--out', path('a-directory')],
    message: /cannot write .*a-directory: it is a directory/,
    after: noTempFiles,
  },
  {
    name: '--out a symbolic link',
    argv: () => (symlinkSync(path('victim'), path('out.link')), ['audit', 'export', '--log', path('log.db'), '--out', path('out.link')]),
    message: /it is a symbolic link/,
    after: () => {
      expect(lstatSync(path('out.link')).isSymbolicLink()).toBe(true);
      expect(readFileSync(path('victim'), 'utf8')).toBe(VICTIM);
    },
  },
  {
    name: 'a symbolic link planted at the temporary name',
    argv: () => {
      mkdirSync(path('planted'));
      symlinkSync(path('victim'), path(`planted/private.jwk.json.tmp-${process.pid}`));
      return ['sab', 'keygen', '--kid', 'k', '--out', path('planted')];
    },
    message: /cannot write .*private\.jwk\.json: .*tmp-\d+ already exists/,
    after: () => {
      expect(readFileSync(path('victim'), 'utf8')).toBe(VICTIM);
      expect(readdirSync(path('planted'))).toEqual([`private.jwk.json.tmp-${process.pid}`]);
    },
  },
];

describe('odd input on the command line', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: exit 2, one line on stderr', async (_, c) => {
    const r = await runSeb(...c.argv());
    expect(r.err).toMatch(c.message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(/internal error/);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    c.after?.();
  });

  it('keygen --force replaces a key; --out to a new path works', async () => {
    expect((await runSeb('sab', 'keygen', '--kid', 'k3', '--out', path('sab'), '--force')).code).toBe(0);
    expect(JSON.parse(readFileSync(path('sab/private.jwk.json'), 'utf8')).kid).toBe('k3');
    expect((await runSeb('audit', 'export', '--log', path('log.db'), '--out', path('export.jsonl'))).code).toBe(0);
    const lines = readFileSync(path('export.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l)).filter((r) => r.kind === 'decision').map((r) => r.decision)).toEqual(['allow']);
  });

  it('every flag that requires another names a flag of the same command', async () => {
    for (const entry of SEB_COMMANDS) {
      const command = await entry.load();
      for (const [name, spec] of Object.entries(command.flags)) {
        if (spec.requires !== undefined) expect(Object.keys(command.flags), `${entry.words.join(' ')} --${name}`).toContain(spec.requires);
      }
    }
  });
});
