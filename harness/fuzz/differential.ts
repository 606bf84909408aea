// Differential mode: any verifier that speaks the `seb verify` command-line
// contract (flags; one JSON line {"decision","reason","jti"}; exit 0 allow,
// 1 deny, 2 usage) is run on the same case, in its own process, and every
// difference from the expected decision is a finding.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../broker/core/errors.js';
import { isReason, type Decision } from '../../broker/core/reasons.js';
import { sameOutcome, showOutcome, type FuzzCase } from './case.js';
import { verifyArgs, writeCase } from './corpus.js';
import { checkInProcess, type CheckResult, type Finding } from './execute.js';
import { writeLedgerFile } from './ledger.js';

const TIMEOUT_MS = 30_000;

export interface VerifierRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The decision it printed, when it printed one that reads as the contract says. */
  readonly decision?: Decision;
  /** Why the output breaks the contract. */
  readonly problem?: string;
}

/** Split a command line into words: whitespace separates, quotes group, backslash escapes. */
export function parseCommand(command: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) word += command[++i] as string;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < command.length) {
      word = (word ?? '') + (command[++i] as string);
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote !== null) throw new UsageError(`--against: unclosed ${quote} in ${JSON.stringify(command)}`);
  if (word !== null) words.push(word);
  if (words.length === 0) throw new UsageError('--against: empty command');
  return words;
}

/** Write the case to a temporary folder and run the verifier on it. */
export async function runVerifier(command: readonly string[], c: FuzzCase): Promise<VerifierRun> {
  const dir = mkdtempSync(join(tmpdir(), 'seb-fuzz-'));
  try {
    writeCase(dir, c, { name: 'differential' });
    let ledgerPath: string | undefined;
    if (c.ledger !== null) {
      ledgerPath = join(dir, 'ledger.sqlite');
      await writeLedgerFile(c.ledger, ledgerPath);
    }
    const run = await spawnCollect(command, verifyArgs(dir, c, ledgerPath));
    return { ...run, ...readContract(run.exitCode, run.stdout) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function spawnCollect(command: readonly string[], args: string[]): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [file, ...pre] = command as [string, ...string[]];
    const child = spawn(file, [...pre, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('error', (error) => resolve({ exitCode: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => resolve({ exitCode: code, stdout, stderr }));
  });
}

function readContract(exitCode: number | null, stdout: string): { decision?: Decision; problem?: string } {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { problem: `exit ${exitCode}, no JSON decision line${line ? `: ${line.slice(0, 120)}` : ''}` };
  }
  const o = v as { decision?: unknown; reason?: unknown; jti?: unknown };
  const jti = typeof o.jti === 'string' ? o.jti : null;
  let decision: Decision;
  if (o.decision === 'allow' && o.reason === null) decision = { decision: 'allow', reason: null, jti: jti ?? '' };
  else if (o.decision === 'deny' && isReason(o.reason)) decision = { decision: 'deny', reason: o.reason, jti };
  else return { problem: `exit ${exitCode}, not a decision: ${line.slice(0, 120)}` };
  const wantExit = decision.decision === 'allow' ? 0 : 1;
  return exitCode === wantExit ? { decision } : { decision, problem: `exit ${exitCode} with decision ${decision.decision}` };
}

/** Ours in process (checked as usual), theirs through the command line. */
export async function checkAgainst(command: readonly string[], c: FuzzCase): Promise<CheckResult> {
  const ours = await checkInProcess(c);
  const run = await runVerifier(command, c);
  const findings: Finding[] = [...ours.findings];
  if (run.problem !== undefined) {
    findings.push({ kind: 'protocol', detail: `${run.problem}${run.stderr ? ` (stderr: ${run.stderr.trim().split('\n')[0]?.slice(0, 160)})` : ''}`, ...(run.decision ? { actual: run.decision } : {}) });
  } else if (run.decision !== undefined && !sameOutcome(run.decision, c.expected)) {
    findings.push({ kind: 'disagreement', detail: `expected ${showOutcome(c.expected)} (ours: ${showOutcome(ours.decision)}), theirs: ${showOutcome(run.decision)}`, actual: run.decision });
  }
  return { decision: ours.decision, findings, ...(run.decision ? { theirs: run.decision } : {}) };
}
