// How many requests each platform served over a measured block, counted by
// the platform itself, by kind of request: what a brokered mutation costs the
// platform in calls beside the direct path's one write.
// - kube-apiserver: its own counter apiserver_request_total (GET /metrics),
//   by verb and resource ("PATCH configmaps"). Only resource requests count:
//   the scrapes themselves are non-resource requests (/metrics).
// - moto: its request log, one werkzeug line per request, by method and the
//   shape of the path ("POST /", "PUT /*/*"); moto logs no action name.
// Each counts every client, the platform's own background work included (a
// lease renewal, a watch ending): that is what the platform served.
import { open } from 'node:fs/promises';
import type { PlatformName } from '../../broker/core/certificate/contract.js';
import { InvalidInputError, IoError } from '../../broker/core/errors.js';
import type { KubeClient } from '../../broker/platforms/kubernetes/client.js';

/** Requests a platform served since the counter started, by kind of request; cumulative. */
export interface RequestCounter {
  readonly platform: PlatformName;
  totals(): Promise<ReadonlyMap<string, number>>;
}

export interface RequestCount {
  readonly request: string;
  readonly count: number;
}

const APISERVER_METRIC = 'apiserver_request_total';
/** One label of a Prometheus text line: name="value", the value with \\, \" and \n escaped. */
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;

function parseLabels(text: string): Map<string, string> | undefined {
  const labels = new Map<string, string>();
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (m === null) return undefined;
    labels.set(m[1] as string, (m[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)));
  }
  return labels;
}

/** apiserver_request_total from kube-apiserver's /metrics text, summed by "VERB resource[/subresource]" over codes and groups. */
export function parseApiserverRequestTotals(text: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${APISERVER_METRIC}{`)) continue;
    const close = line.lastIndexOf('}');
    const labels = parseLabels(line.slice(APISERVER_METRIC.length + 1, close));
    const value = Number(line.slice(close + 1).trim().split(' ')[0]);
    if (labels === undefined || !Number.isSafeInteger(value) || value < 0) throw new InvalidInputError(`kube-apiserver /metrics: unreadable line ${JSON.stringify(line.slice(0, 160))}`);
    const resource = labels.get('resource') ?? '';
    if (resource === '') continue;
    const sub = labels.get('subresource') ?? '';
    const key = `${labels.get('verb') ?? '?'} ${resource}${sub === '' ? '' : `/${sub}`}`;
    totals.set(key, (totals.get(key) ?? 0) + value);
  }
  return totals;
}

/** werkzeug's request line: `127.0.0.1 - - [date] "PUT /bucket/key HTTP/1.1" 200 -`. */
const WERKZEUG_LINE = /^\S+ - - \[[^\]]*\] "([A-Z]+) (\S+) HTTP\/[0-9.]+" \d{3} /;

/** The kind of request a werkzeug log line records: its method and its path with each segment a `*`; undefined for any other line. */
export function werkzeugRequestOf(line: string): string | undefined {
  const m = WERKZEUG_LINE.exec(line);
  if (m === null) return undefined;
  const segments = (m[2] as string).split('?')[0]?.split('/').filter((s) => s !== '') ?? [];
  return `${m[1] as string} /${segments.map(() => '*').join('/')}`;
}

/** Counts the request lines a process appends to its log, reading only what was appended since the last call. */
export class LogRequestCounter implements RequestCounter {
  private offset = 0;
  private partial = '';
  private readonly counted = new Map<string, number>();

  constructor(
    readonly platform: PlatformName,
    private readonly file: string,
    private readonly requestOf: (line: string) => string | undefined,
  ) {}

  async totals(): Promise<ReadonlyMap<string, number>> {
    const handle = await open(this.file, 'r');
    try {
      const { size } = await handle.stat();
      if (size < this.offset) throw new IoError(`${this.file} shrank: its requests can no longer be counted`);
      const chunk = Buffer.alloc(size - this.offset);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, this.offset);
      this.offset += bytesRead;
      const lines = (this.partial + chunk.subarray(0, bytesRead).toString('utf8')).split('\n');
      // A line still being written is counted once it is whole.
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        const request = this.requestOf(line);
        if (request !== undefined) this.counted.set(request, (this.counted.get(request) ?? 0) + 1);
      }
      return new Map(this.counted);
    } finally {
      await handle.close();
    }
  }
}

/** kube-apiserver's own count, read through a client that may GET /metrics (the local target's admin). */
export function apiserverRequestCounter(client: KubeClient): RequestCounter {
  return {
    platform: 'kubernetes',
    async totals() {
      const res = await client.request('GET', '/metrics');
      if (res.status !== 200 || typeof res.body !== 'string') throw new IoError(`kube-apiserver /metrics answered ${res.status}`);
      return parseApiserverRequestTotals(res.body);
    },
  };
}

/** The counters that can be read now; each one that cannot is left out and said, in one line, with why (say, /metrics forbidden to this credential). */
export async function readableCounters(counters: readonly RequestCounter[], log: (line: string) => void): Promise<RequestCounter[]> {
  const readable: RequestCounter[] = [];
  for (const counter of counters) {
    try {
      await counter.totals();
      readable.push(counter);
    } catch (error) {
      log(`${counter.platform} requests per mutation are not counted (platform-requests.csv): ${(error as Error).message}`);
    }
  }
  return readable;
}

/** What the platform served between two readings, by request; undefined when a counter went backwards (a restart). */
export function requestsBetween(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): RequestCount[] | undefined {
  const out: RequestCount[] = [];
  for (const [request, n] of after) {
    const count = n - (before.get(request) ?? 0);
    if (count < 0) return undefined;
    if (count > 0) out.push({ request, count });
  }
  for (const request of before.keys()) if (!after.has(request)) return undefined;
  return out.sort((a, b) => b.count - a.count || (a.request < b.request ? -1 : 1));
}

/**
 * Reads `counter` now; the returned function reads it again and gives what
 * the platform served in between. A reading that fails, or a counter that
 * went backwards, gives undefined: the block is left out rather than guessed.
 */
export async function startRequestMeter(counter: RequestCounter): Promise<() => Promise<RequestCount[] | undefined>> {
  const read = () => counter.totals().catch(() => undefined);
  const before = await read();
  return async () => {
    const after = await read();
    return before === undefined || after === undefined ? undefined : requestsBetween(before, after);
  };
}
