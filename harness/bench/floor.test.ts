import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Claims } from '../../broker/core/certificate/claims.js';
import type { Contract } from '../../broker/core/certificate/contract.js';
import { jcsDigest } from '../../broker/core/digest.js';
import { IoError, UsageError } from '../../broker/core/errors.js';
import type { JsonObject } from '../../broker/core/strict-json.js';
import type { InvokeResult, MutationPlan, PlatformAdapter, Reservation } from '../../broker/core/ports/platform.js';
import { floorTable } from '../cli/bench-floor.js';
import { wholeNumberFlag } from '../cli/whole-number-flag.js';
import { runSeb } from '../fixtures/run-seb.js';
import { floorRatios, platformCallsOf, type FloorRow } from './floor.js';

const contract: Contract = { platform: 'kubernetes', target: { namespace: 'prod', kind: 'ConfigMap', name: 'cm-0' }, operation: 'set-data', parameters: { data: { mode: 'on' } } };
const claims = { jti: 'j-1', sub: 'agent', pre: { digest: jcsDigest({}), version: 'v1' } } as Claims;

/** An adapter that logs when each call starts and ends; reads and mints settle only when the test lets them. */
function loggingAdapter(o: { reserve?: Reservation; cached?: boolean; cachedVersion?: string; state?: JsonObject; invoke?: InvokeResult }) {
  const log: string[] = [];
  const release: Record<string, () => void> = {};
  const held = (name: string, value: unknown) => {
    log.push(`${name} start`);
    return new Promise<never>((resolve) => {
      release[name] = () => {
        log.push(`${name} end`);
        resolve(value as never);
      };
    });
  };
  const adapter: PlatformAdapter = {
    name: 'kubernetes',
    plan: (c) => ({ platform: 'kubernetes', shape: 's', contract: c }) satisfies MutationPlan,
    readLiveState: () => held('read', { state: o.state ?? {}, version: 'v1' }),
    ...(o.cached ? { readCachedLiveState: () => held('cached read', { state: {}, version: o.cachedVersion ?? 'v1' }) } : {}),
    ...(o.reserve === undefined ? {} : { reserve: () => o.reserve }),
    mint: (_plan, _claims, reservation) => {
      log.push(`mint with ${JSON.stringify(reservation ?? null)}`);
      return held('mint', { platform: 'kubernetes', principal: 'executor', expiresAt: 0, handle: null });
    },
    invoke: async (_plan, _identity, live) => {
      log.push(`invoke at ${live.version}`);
      return o.invoke ?? { status: 'succeeded' };
    },
    retire: async () => void log.push('retire'),
  };
  return { adapter, log, release };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the floor path (platformCallsOf)', () => {
  it('mints beside the drift read when the mint creates nothing, then writes at the version read, then retires', async () => {
    const { adapter, log, release } = loggingAdapter({});
    const done = platformCallsOf(adapter, contract, claims);
    await tick();
    expect(log).toEqual(['read start', 'mint with null', 'mint start']);
    release.mint?.();
    await tick();
    release.read?.();
    await done;
    expect(log.slice(3)).toEqual(['mint end', 'read end', 'invoke at v1', 'retire']);
  });

  it('reads from the adapter\'s cache where it has one, as the broker does', async () => {
    const { adapter, log, release } = loggingAdapter({ cached: true });
    const done = platformCallsOf(adapter, contract, claims);
    await tick();
    release['cached read']?.();
    release.mint?.();
    await done;
    expect(log.filter((l) => l.includes('read'))).toEqual(['cached read start', 'cached read end']);
  });

  it('confirms a cached read from the platform when it shows another version than the certified one, as decide.ts does', async () => {
    const { adapter, log, release } = loggingAdapter({ cached: true, cachedVersion: 'v0' });
    const done = platformCallsOf(adapter, contract, claims);
    await tick();
    release['cached read']?.();
    await tick();
    release.read?.();
    release.mint?.();
    await done;
    expect(log.filter((l) => l.includes('read') || l.startsWith('invoke'))).toEqual(['cached read start', 'cached read end', 'read start', 'read end', 'invoke at v1']);
  });

  it('fails on drift: a live state the certificate did not expect, and retires the identity minted beside the read unused', async () => {
    const { adapter, log, release } = loggingAdapter({ state: { moved: true } });
    const failed = expect(platformCallsOf(adapter, contract, claims)).rejects.toThrow('on the floor path: drift');
    await tick();
    release.read?.();
    release.mint?.();
    await failed;
    expect(log.filter((l) => l.startsWith('invoke') || l === 'retire')).toEqual(['retire']);
  });

  it('fails when the live state cannot be read', async () => {
    const { adapter, log, release } = loggingAdapter({});
    adapter.readLiveState = () => Promise.reject(new IoError('connection refused'));
    const failed = expect(platformCallsOf(adapter, contract, claims)).rejects.toThrow('on the floor path: the live state could not be read');
    await tick();
    expect(log).toEqual(['mint with null', 'mint start']);
    release.mint?.();
    await failed;
    // The identity minted beside the read is retired unused.
    expect(log.slice(2)).toEqual(['mint end', 'retire']);
  });

  it('mints only after the read, with its reservation, when the mint creates objects', async () => {
    const { adapter, log, release } = loggingAdapter({ reserve: { serviceAccount: 'seb-exec-1' } });
    const done = platformCallsOf(adapter, contract, claims);
    await tick();
    expect(log).toEqual(['read start']);
    release.read?.();
    await tick();
    expect(log).toEqual(['read start', 'read end', 'mint with {"serviceAccount":"seb-exec-1"}', 'mint start']);
    release.mint?.();
    await done;
    expect(log.slice(-2)).toEqual(['invoke at v1', 'retire']);
  });

  it.each([
    { status: 'precondition_failed', detail: 'moved' },
    { status: 'failed', detail: 'forbidden' },
  ] as const)('fails when the write did not succeed ($status), after retiring', async (invoke) => {
    const { adapter, log, release } = loggingAdapter({ invoke });
    const done = platformCallsOf(adapter, contract, claims);
    await tick();
    release.read?.();
    release.mint?.();
    await expect(done).rejects.toThrow(IoError);
    await expect(done).rejects.toThrow(invoke.detail);
    expect(log.at(-1)).toBe('retire');
  });
});

const measures = ['p50_ms', 'throughput_rps', 'platform_cpu_ms'] as const;
const kindRows = fc.record({
  operation: fc.constantFrom('configmap-data', 'ssm-put-parameter', 'dynamodb-update-item'),
  measure: fc.constantFrom(...measures),
  direct: fc.double({ min: 0, max: 1e4, noNaN: true }),
  floor: fc.double({ min: 0, max: 1e4, noNaN: true }),
});

describe('floorRatios', () => {
  it('pairs each floor value with direct\'s of the same kind and measure, as floor/direct to two places', () => {
    fc.assert(
      fc.property(fc.uniqueArray(kindRows, { selector: (r) => `${r.operation} ${r.measure}` }), (kinds) => {
        const rows: FloorRow[] = kinds.flatMap((k) => [
          { platform: 'p', operation: k.operation, path: 'direct', measure: k.measure, value: k.direct, mutations: 1 },
          { platform: 'p', operation: k.operation, path: 'floor', measure: k.measure, value: k.floor, mutations: 1 },
        ]);
        expect(floorRatios(rows)).toEqual(
          kinds.map((k) => ({ platform: 'p', operation: k.operation, measure: k.measure, direct: k.direct, floor: k.floor, ratio: k.direct === 0 ? null : Math.round((k.floor / k.direct) * 100) / 100 })),
        );
      }),
    );
  });

  it('leaves out a floor value that direct has no counterpart for', () => {
    const rows: FloorRow[] = [
      { platform: 'aws', operation: 'ssm-put-parameter', path: 'floor', measure: 'p50_ms', value: 9, mutations: 400 },
      { platform: 'aws', operation: 'ssm-put-parameter', path: 'direct', measure: 'throughput_rps', value: 300, mutations: 3000 },
    ];
    expect(floorRatios(rows)).toEqual([]);
  });

  it('prints one line per kind and measure', () => {
    const text = floorTable([{ platform: 'aws', operation: 'ssm-put-parameter', measure: 'throughput_rps', direct: 300, floor: 75.5, ratio: 0.25 }]);
    const line = text.split('\n').find((l) => l.startsWith('aws/ssm-put-parameter')) ?? '';
    expect(line.split(/\s{2,}/)).toEqual(['aws/ssm-put-parameter', 'throughput (rps)', '300.00', '75.50', '0.25x']);
  });
});

describe('wholeNumberFlag', () => {
  it('takes a whole number in its range and refuses anything else with a usage error', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 200 }), (max, n) => {
        const call = () => wholeNumberFlag('--n', String(n), 1, max);
        if (n >= 1 && n <= max) expect(call()).toBe(n);
        else expect(call).toThrow(UsageError);
      }),
    );
    for (const bad of ['', '1.5', '-1', '1e3', ' 2', '0x10', '99999999999']) expect(() => wholeNumberFlag('--n', bad, 0, 1e12)).toThrow(UsageError);
  });
});

describe('seb bench floor', () => {
  it.each([
    [['--kinds', 'configmap-data,nope'], '--kinds: unknown kind nope'],
    [['--count', '0'], '--count: expected 1 to 100000, got 0'],
    [['--workers', 'many'], '--workers: expected 1 to 256, got many'],
    [['--kubernetes-mode', 'root'], '--kubernetes-mode: must be one of impersonation, pooled, ephemeral'],
  ])('refuses %j with one line and exit 2, before starting anything', async (argv, message) => {
    const r = await runSeb('bench', 'floor', ...argv);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(message);
  });
});
