import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError, IoError } from '../../broker/core/errors.js';
import { platformRequestRows } from '../results/platform-requests.js';
import { LogRequestCounter, parseApiserverRequestTotals, readableCounters, requestsBetween, startRequestMeter, werkzeugRequestOf, type RequestCounter } from './platform-requests.js';

const dir = mkdtempSync(join(tmpdir(), 'seb-platform-requests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A label value as Prometheus writes it: backslash, quote and newline escaped. */
const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

const series = fc.record({
  verb: fc.constantFrom('GET', 'PATCH', 'LIST', 'WATCH', 'POST'),
  resource: fc.constantFrom('', 'configmaps', 'leases', 'serviceaccounts'),
  subresource: fc.constantFrom('', 'token', '/readyz'),
  code: fc.constantFrom('200', '409', '403'),
  // Any text: quotes, commas, braces and backslashes must not confuse the parser.
  group: fc.string({ maxLength: 12 }),
  value: fc.nat(1e9),
});

describe('kube-apiserver\'s request count', () => {
  it('sums apiserver_request_total by verb and resource over codes and groups, leaving out non-resource requests and other metrics', () => {
    fc.assert(
      fc.property(fc.array(series, { maxLength: 30 }), (all) => {
        const lines = ['# HELP apiserver_request_total Counter of apiserver requests', '# TYPE apiserver_request_total counter'];
        const expected = new Map<string, number>();
        for (const s of all) {
          lines.push(`apiserver_request_total{code="${s.code}",component="apiserver",group="${escape(s.group)}",resource="${s.resource}",subresource="${escape(s.subresource)}",verb="${s.verb}",version="v1"} ${s.value}`);
          lines.push(`apiserver_request_duration_seconds_count{resource="${s.resource}",verb="${s.verb}"} 7`);
          if (s.resource === '') continue;
          const key = `${s.verb} ${s.resource}${s.subresource === '' ? '' : `/${s.subresource}`}`;
          expected.set(key, (expected.get(key) ?? 0) + s.value);
        }
        expect(parseApiserverRequestTotals(`${lines.join('\n')}\n`)).toEqual(expected);
      }),
    );
  });

  it('refuses a line of the counter it cannot read, rather than count it as nothing', () => {
    for (const line of ['apiserver_request_total{verb="GET",resource="pods"} many', 'apiserver_request_total{verb="GET" resource="pods"} 3', 'apiserver_request_total{verb="GET",resource="pods} 3', 'apiserver_request_total{verb="GET"} -1']) {
      expect(() => parseApiserverRequestTotals(line), line).toThrow(InvalidInputError);
    }
  });
});

describe('moto\'s request log', () => {
  it('reads werkzeug\'s request line as its method and the shape of its path', () => {
    expect(werkzeugRequestOf('127.0.0.1 - - [01/Dec/2026 13:48:51] "POST / HTTP/1.1" 200 -')).toBe('POST /');
    expect(werkzeugRequestOf('127.0.0.1 - - [01/Dec/2026 13:48:51] "PUT /bucket/a/b.txt?x-id=PutObject HTTP/1.1" 200 -')).toBe('PUT /*/*/*');
    expect(werkzeugRequestOf('127.0.0.1 - - [01/Dec/2026 13:48:51] "GET /?Action=GetCallerIdentity HTTP/1.1" 403 -')).toBe('GET /');
    for (const other of ['', ' * Running on http://127.0.0.1:5000', 'Traceback (most recent call last):', '127.0.0.1 - - [01/Dec/2026] "POST /"']) expect(werkzeugRequestOf(other)).toBeUndefined();
  });

  it('counts whole request lines appended since the last reading, cumulatively', async () => {
    const file = join(dir, 'moto.log');
    writeFileSync(file, ' * Running on http://127.0.0.1:5000\n');
    const counter = new LogRequestCounter('aws', file, werkzeugRequestOf);
    const line = (method: string) => `127.0.0.1 - - [01/Dec/2026 13:48:51] "${method} / HTTP/1.1" 200 -\n`;
    expect(await counter.totals()).toEqual(new Map());
    appendFileSync(file, line('POST') + line('POST') + line('GET').slice(0, 20));
    // The GET is still being written: counted once its line ends.
    expect(await counter.totals()).toEqual(new Map([['POST /', 2]]));
    appendFileSync(file, `${line('GET').slice(20)}some warning\n`);
    expect(await counter.totals()).toEqual(new Map([['POST /', 2], ['GET /', 1]]));
    truncateSync(file, 10);
    await expect(counter.totals()).rejects.toThrow(IoError);
  });
});

describe('requests over a block', () => {
  it('gives what was served between two readings, most first, and nothing when a counter went backwards', () => {
    const counts = fc.dictionary(fc.constantFrom('GET a', 'PATCH a', 'POST /', 'PUT leases'), fc.nat(1000));
    fc.assert(
      fc.property(counts, counts, (base, added) => {
        const before = new Map(Object.entries(base));
        const after = new Map(before);
        for (const [k, n] of Object.entries(added)) after.set(k, (after.get(k) ?? 0) + n);
        const got = requestsBetween(before, after) ?? [];
        expect(new Map(got.map((c) => [c.request, c.count]))).toEqual(new Map(Object.entries(added).filter(([, n]) => n > 0)));
        for (let i = 1; i < got.length; i++) expect((got[i - 1] as { count: number }).count).toBeGreaterThanOrEqual((got[i] as { count: number }).count);
      }),
    );
    expect(requestsBetween(new Map([['GET a', 5]]), new Map([['GET a', 4]]))).toBeUndefined();
    expect(requestsBetween(new Map([['GET a', 5]]), new Map())).toBeUndefined();
  });

  it('leaves a block out when a reading fails, either side', async () => {
    const readings: (Map<string, number> | Error)[] = [new Map([['GET a', 1]]), new Map([['GET a', 4]]), new IoError('down'), new Map(), new Map(), new IoError('down')];
    const counter: RequestCounter = {
      platform: 'kubernetes',
      totals: async () => {
        const r = readings.shift();
        if (r instanceof Error || r === undefined) throw r ?? new IoError('no reading');
        return r;
      },
    };
    expect(await (await startRequestMeter(counter))()).toEqual([{ request: 'GET a', count: 3 }]);
    expect(await (await startRequestMeter(counter))()).toBeUndefined();
    expect(await (await startRequestMeter(counter))()).toBeUndefined();
  });

  it('leaves out a counter that cannot be read at the start, saying why in one line', async () => {
    const readable: RequestCounter = { platform: 'aws', totals: async () => new Map() };
    const forbidden: RequestCounter = { platform: 'kubernetes', totals: () => Promise.reject(new IoError('kube-apiserver /metrics answered 403')) };
    const lines: string[] = [];
    expect(await readableCounters([forbidden, readable], (l) => lines.push(l))).toEqual([readable]);
    expect(lines).toEqual(['kubernetes requests per mutation are not counted (platform-requests.csv): kube-apiserver /metrics answered 403']);
  });

  it('platform-requests.csv: a path\'s requests over all its counted blocks, divided by every mutation those blocks executed', () => {
    const base = { scenario: 's', platform: 'kubernetes' as const, operation: 'op' };
    const rows = platformRequestRows([
      { ...base, path: 'seb', mutations: 10, counts: [{ request: 'PATCH cm', count: 10 }, { request: 'GET cm', count: 10 }] },
      { ...base, path: 'seb', mutations: 30, counts: [{ request: 'PATCH cm', count: 30 }, { request: 'GET cm', count: 31 }, { request: 'PUT leases', count: 1 }] },
      { ...base, path: 'direct', mutations: 0, counts: [{ request: 'PUT leases', count: 1 }] },
    ]);
    expect(rows.map((r) => [r.path, r.request, r.requests, r.mutations, r.requests_per_mutation])).toEqual([
      ['seb', 'GET cm', 41, 40, 1.025],
      ['seb', 'PATCH cm', 40, 40, 1],
      ['seb', 'PUT leases', 1, 40, 0.025],
      ['direct', 'PUT leases', 1, 0, null],
    ]);
  });
});
