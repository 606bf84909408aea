// The broker's HTTP API as an agent calls it: POST {url}/v1/execute with
// {certificate, contract, proof?}, over keep-alive connections, and the same
// body to {url}/v1/verify (the predicates alone, nothing runs). Every answer
// becomes a RequestOutcome; a transport failure, a timeout or a body that is
// not the broker's answer is an `error`, never a throw. The one client every
// scenario's requests go through.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { PHASES, type PhaseTimings } from '../../broker/broker.js';
import type { Contract } from '../../broker/core/certificate/contract.js';
import { ConfigError } from '../../broker/core/errors.js';
import { errorReason, type RequestOutcome } from './workload.js';

export interface ExecuteRequest {
  readonly certificate: string;
  readonly contract: Contract;
  readonly proof?: string;
}

export interface BrokerClientOptions {
  readonly url: string;
  readonly timeoutMs?: number;
  /** Connections kept per broker; beyond it requests queue in the agent (and that wait is measured). */
  readonly maxSockets?: number;
  /** For https brokers with a private CA. */
  readonly ca?: Buffer;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;

/** The broker's two decision endpoints. */
export type Endpoint = 'execute' | 'verify';

export class BrokerClient {
  private readonly urls: Readonly<Record<Endpoint, URL>>;
  private readonly agent: HttpAgent;
  private readonly timeoutMs: number;
  private readonly secure: boolean;

  constructor(o: BrokerClientOptions) {
    let base: URL;
    try {
      base = new URL(o.url.endsWith('/') ? o.url : `${o.url}/`);
    } catch {
      throw new ConfigError('broker url', `not a URL: ${JSON.stringify(o.url)}`);
    }
    this.urls = { execute: new URL('v1/execute', base), verify: new URL('v1/verify', base) };
    this.secure = base.protocol === 'https:';
    if (!this.secure && base.protocol !== 'http:') throw new ConfigError('broker url', `must be http or https: ${o.url}`);
    const agentOptions = { keepAlive: true, maxSockets: o.maxSockets ?? 256, ...(o.ca === undefined ? {} : { ca: o.ca }) };
    this.agent = this.secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.timeoutMs = o.timeoutMs ?? 30_000;
  }

  /** A request, or a body sent exactly as given (a tampered certificate must not be re-serialized). */
  execute(body: ExecuteRequest | string): Promise<RequestOutcome> {
    return this.post('execute', body);
  }

  /** /v1/verify: `passed` when the broker would allow it; nothing is executed. */
  verify(body: ExecuteRequest | string): Promise<RequestOutcome> {
    return this.post('verify', body);
  }

  private post(endpoint: Endpoint, body: ExecuteRequest | string): Promise<RequestOutcome> {
    const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    return new Promise((resolve) => {
      let settled = false;
      const done = (outcome: RequestOutcome) => {
        if (!settled) {
          settled = true;
          resolve(outcome);
        }
      };
      const req = (this.secure ? httpsRequest : httpRequest)(
        this.urls[endpoint],
        { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': payload.length } },
        (res) => readAll(res).then((text) => done(toOutcome(res.statusCode ?? 0, text, endpoint)), (e: unknown) => done({ outcome: 'error', reason: errorReason(e) })),
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.once('error', (e) => done({ outcome: 'error', reason: errorReason(e) }));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) res.destroy(new Error(`answer larger than ${MAX_RESPONSE_BYTES} bytes`));
      else chunks.push(chunk);
    });
    res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.once('error', reject);
  });
}

/** Pure: an HTTP status and body from /v1/execute (or /v1/verify, where an allow is `passed`) as an outcome. */
export function toOutcome(status: number, text: string, endpoint: Endpoint = 'execute'): RequestOutcome {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { outcome: 'error', reason: `HTTP ${status}: not JSON` };
  }
  if (typeof body !== 'object' || body === null) return { outcome: 'error', reason: `HTTP ${status}: not an object` };
  const b = body as Record<string, unknown>;
  const phases = readPhases(b.phases);
  const jti = typeof b.jti === 'string' ? b.jti : null;
  const extra = { ...(phases === undefined ? {} : { phases }), jti };
  if (b.decision === 'allow' && status === 200) {
    if (endpoint === 'verify') return { outcome: 'passed', reason: null, ...extra };
    return b.outcome === 'succeeded' ? { outcome: 'executed', reason: null, ...extra } : { outcome: 'error', reason: `allowed but outcome ${String(b.outcome)}`, ...extra };
  }
  if (b.decision === 'deny' && typeof b.reason === 'string') return { outcome: 'denied', reason: b.reason, ...extra };
  const error = typeof b.error === 'string' ? b.error : 'unexpected answer';
  return { outcome: 'error', reason: `HTTP ${status}: ${error}`, ...extra };
}

function readPhases(v: unknown): PhaseTimings | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const out: PhaseTimings = {};
  for (const phase of PHASES) {
    const ms = (v as Record<string, unknown>)[phase];
    if (typeof ms === 'number' && Number.isFinite(ms)) out[phase] = ms;
  }
  return out;
}
