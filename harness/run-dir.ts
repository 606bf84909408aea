// Each run writes results/<run-id>/ and points results/latest at it, so that
// every number on disk belongs to one run with one meta.json.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, symlinkSync, rmSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../broker/files.js';

export interface RunDir {
  readonly id: string;
  readonly path: string;
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export function createRunDir(resultsRoot: string, id = newRunId()): RunDir {
  const path = resolve(resultsRoot, id);
  mkdirSync(path, { recursive: true });
  return { id, path };
}

/** Point results/latest at this run, replacing the link atomically. */
export function markLatest(resultsRoot: string, run: RunDir): void {
  const tmp = join(resultsRoot, `.latest-${process.pid}`);
  rmSync(tmp, { force: true });
  symlinkSync(run.id, tmp);
  renameSync(tmp, join(resultsRoot, 'latest'));
}

export function writeRunFile(run: RunDir, name: string, content: string): string {
  const path = join(run.path, name);
  writeFileAtomic(path, content);
  return path;
}

export interface MachineInfo {
  readonly node: string;
  readonly platform: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpu: list[0]?.model ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}

/** The commit this run measured, with a mark when the tree had changes. */
export function gitCommit(cwd = process.cwd()): string {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${commit}+dirty` : commit;
  } catch {
    return 'unknown';
  }
}
