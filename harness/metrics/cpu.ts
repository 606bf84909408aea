// What a block cost, not only how long it took: CPU time (user + system) and
// resident memory of each process the run involves (kube-apiserver, etcd,
// moto, the broker, this load generator), read from /proc at the start and
// the end of each measured block. Linux only; a process that is gone or not
// readable is left out rather than guessed.
import { readFileSync } from 'node:fs';
import type { PlatformName } from '../../broker/core/certificate/contract.js';

/** A process whose cost is measured; with `platform`, only over that platform's blocks. */
export interface WatchedProcess {
  readonly name: string;
  readonly pid: number;
  readonly platform?: PlatformName;
}

export interface ProcessSample {
  /** utime + stime since the process started. */
  readonly cpuMs: number;
  readonly rssKib: number;
}

/** /proc reports CPU times in USER_HZ, which Linux fixes at 100 for user space on every architecture it supports. */
const USER_HZ = 100;

/** utime + stime (ticks) from the text of /proc/<pid>/stat; the command name may hold spaces and parentheses. */
export function parseProcStat(text: string): number | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") " come fields 3 (state) onward: utime is field 14, stime field 15.
  const fields = text.slice(close + 2).trim().split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (![utime, stime].every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined;
  return utime + stime;
}

/** VmRSS (kB) from the text of /proc/<pid>/status. */
export function parseVmRss(text: string): number | undefined {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(text);
  return m === null ? undefined : Number(m[1]);
}

export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const ticks = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const rssKib = parseVmRss(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return ticks === undefined || rssKib === undefined ? undefined : { cpuMs: (ticks * 1000) / USER_HZ, rssKib };
  } catch {
    return undefined;
  }
}

/** The processes that take part in a block of `platform`. */
export function processesFor(all: readonly WatchedProcess[], platform: PlatformName): WatchedProcess[] {
  return all.filter((p) => p.platform === undefined || p.platform === platform);
}

export interface CpuDelta {
  readonly process: string;
  readonly cpuMs: number;
  /** At the end of the block. */
  readonly rssKib: number;
}

/** Samples now; the returned function samples again and gives each process's CPU over the interval. */
export function startCpuMeter(processes: readonly WatchedProcess[], sample = sampleProcess): () => CpuDelta[] {
  const before = processes.map((p) => ({ p, s: sample(p.pid) }));
  return () =>
    before.flatMap(({ p, s }) => {
      const after = sample(p.pid);
      if (s === undefined || after === undefined || after.cpuMs < s.cpuMs) return [];
      return [{ process: p.name, cpuMs: after.cpuMs - s.cpuMs, rssKib: after.rssKib }];
    });
}
