import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpuRows } from '../results/cpu.js';
import { parseProcStat, parseVmRss, processesFor, sampleProcess, startCpuMeter, type ProcessSample } from './cpu.js';

const stat = (comm: string, utime: number, stime: number) =>
  `4242 (${comm}) S 1 4242 4242 0 -1 4194560 1000 0 0 0 ${utime} ${stime} 0 0 20 0 9 0 12345 1048576 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n`;

describe('CPU accounting from /proc', () => {
  it('reads utime + stime whatever the command name holds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 15 }), fc.nat(1e9), fc.nat(1e9), (comm, u, s) => {
        expect(parseProcStat(stat(comm, u, s))).toBe(u + s);
      }),
    );
    expect(parseProcStat('garbage')).toBeUndefined();
    expect(parseProcStat('1 (x) S 1')).toBeUndefined();
  });

  it('reads VmRSS in kB', () => {
    expect(parseVmRss('Name:\tnode\nVmRSS:\t   81234 kB\nThreads: 7\n')).toBe(81234);
    expect(parseVmRss('Name:\tzombie\n')).toBeUndefined();
  });

  it('samples this process, and nothing for a pid that does not exist', () => {
    const own = sampleProcess(process.pid);
    expect(own?.rssKib).toBeGreaterThan(0);
    expect(own?.cpuMs).toBeGreaterThan(0);
    expect(sampleProcess(2 ** 30)).toBeUndefined();
  });

  it('gives each process the CPU it spent between the two samples, leaving out one that vanished', () => {
    const readings = new Map<number, ProcessSample[]>([
      [1, [{ cpuMs: 100, rssKib: 10 }, { cpuMs: 350, rssKib: 20 }]],
      [2, [{ cpuMs: 50, rssKib: 5 }]],
    ]);
    const sample = (pid: number) => readings.get(pid)?.shift();
    const stop = startCpuMeter([{ name: 'a', pid: 1 }, { name: 'b', pid: 2 }], sample);
    expect(stop()).toEqual([{ process: 'a', cpuMs: 250, rssKib: 20 }]);
  });

  it('measures a platform process only over its own platform', () => {
    const all = [{ name: 'etcd', pid: 1, platform: 'kubernetes' as const }, { name: 'moto', pid: 2, platform: 'aws' as const }, { name: 'broker', pid: 3 }];
    expect(processesFor(all, 'aws').map((p) => p.name)).toEqual(['moto', 'broker']);
  });

  it('cpu.csv rows: CPU over a path\'s blocks divided by the mutations they executed', () => {
    const base = { scenario: 's', platform: 'kubernetes' as const, operation: 'op' };
    const rows = cpuRows([
      { ...base, path: 'seb', process: 'broker', cpu_ms: 30, rss_kib: 102400, mutations: 10 },
      { ...base, path: 'seb', process: 'broker', cpu_ms: 50, rss_kib: 51200, mutations: 30 },
      { ...base, path: 'direct', process: 'broker', cpu_ms: 5, rss_kib: 51200, mutations: 0 },
    ]);
    expect(rows).toEqual([
      { ...base, path: 'seb', process: 'broker', mutations: 40, cpu_ms: 80, cpu_ms_per_mutation: 2, rss_mib: 100 },
      { ...base, path: 'direct', process: 'broker', mutations: 0, cpu_ms: 5, cpu_ms_per_mutation: null, rss_mib: 50 },
    ]);
  });
});
