// How the harness knows a process it started is ready: a probe that answers
// (an HTTP health endpoint, etcd's /health over mutual TLS) or a line in the
// process's own output (`seb serve` prints `listening URL`). Never a sleep.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { KubeClient, type ApiResponse } from '../../../broker/platforms/kubernetes/client.js';

export type WaitStrategy =
  /** Ready once `ready()` resolves true; false or a rejection means not yet. */
  | { readonly kind: 'probe'; readonly ready: () => Promise<boolean> }
  /** Ready once a line of the log written since the start matches `line`. */
  | { readonly kind: 'log'; readonly line: RegExp };

export const waitFor = {
  probe: (ready: () => Promise<boolean>): WaitStrategy => ({ kind: 'probe', ready }),
  /** A plain GET that answers 2xx. */
  http: (url: string): WaitStrategy => ({ kind: 'probe', ready: async () => (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok }),
  /** A GET over mutual TLS (etcd, kube-apiserver) on a connection of its own, closed after each probe. */
  mtls: (url: string, tls: { readonly ca: string; readonly cert: string; readonly key: string }, answers: (r: ApiResponse) => boolean): WaitStrategy => ({
    kind: 'probe',
    async ready() {
      const { origin, pathname } = new URL(url);
      const client = KubeClient.connect({ server: origin, ca: readFileSync(tls.ca) }, { kind: 'cert', cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, 2000);
      try {
        return answers(await client.request('GET', pathname));
      } finally {
        client.close();
      }
    },
  }),
  logLine: (line: RegExp): WaitStrategy => ({ kind: 'log', line }),
};

/** Reads a log file's new lines from a byte offset on, one poll at a time; a partial last line waits for its end. */
export class LogTail {
  private partial = Buffer.alloc(0);

  constructor(
    private readonly file: string,
    private offset: number,
  ) {}

  /** The first complete new line matching `pattern`, or undefined. */
  find(pattern: RegExp): RegExpExecArray | undefined {
    for (const line of this.newLines()) {
      const match = pattern.exec(line);
      if (match !== null) return match;
    }
    return undefined;
  }

  private newLines(): string[] {
    const fd = openSync(this.file, 'r');
    const chunks: Buffer[] = [];
    try {
      const buffer = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, this.offset);
        if (n === 0) break;
        chunks.push(Buffer.from(buffer.subarray(0, n)));
        this.offset += n;
      }
    } finally {
      closeSync(fd);
    }
    const bytes = Buffer.concat([this.partial, ...chunks]);
    const end = bytes.lastIndexOf(0x0a) + 1;
    this.partial = bytes.subarray(end);
    return end === 0 ? [] : bytes.subarray(0, end - 1).toString('utf8').split('\n');
  }
}
