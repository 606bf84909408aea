// The broker as an HTTP service: POST /v1/execute and /v1/verify, the record
// log for auditors, /healthz, /metrics and /openapi.json. A bad request gets
// a 4xx with a reason; no request can crash or stall the server (bodies are
// capped, slow clients are timed out).
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Broker, ExecutionResult } from '../broker.js';
import { InvalidInputError } from '../core/errors.js';
import { MAX_REQUEST_BYTES } from '../core/limits.js';
import type { RecordLog } from '../core/ports/record-log.js';
import { deny } from '../core/reasons.js';
import { BodyTooLarge, readBody } from './body.js';
import type { Logger } from './logger.js';
import type { BrokerMetrics } from './metrics.js';
import { OPENAPI } from './openapi.js';
import type { ClientRateLimiter } from './rate-limit.js';
import { statusFor } from './status.js';

export interface TlsOptions {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** When set, clients must present a certificate signed by this CA. */
  readonly clientCa?: Buffer;
}

export interface ServerDeps {
  readonly broker: Broker;
  readonly log: RecordLog;
  readonly metrics: BrokerMetrics;
  readonly logger: Logger;
  readonly tls?: TlsOptions;
  /** Limits each client's requests to /v1/ (execute, verify, the log); absent, no limit. */
  readonly rateLimiter?: ClientRateLimiter;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Bookkeeping (metrics, the log line) for once the answer is written: off its way, and before the next request is read. */
  readonly after?: () => void;
}

const json = (status: number, body: unknown): Answer => ({ status, body });
const problem = (status: number, error: string, message: string): Answer => json(status, { error, message });

export function createBrokerServer(deps: ServerDeps): Server {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handle(deps, req, res).catch((error: unknown) => {
      // Only writing the answer can get here (the client is gone): nothing to tell it.
      deps.logger.error('answer failed', { error: errorMessage(error) });
      res.destroy();
    });
  };
  deps.broker.onLogFailure((error) => deps.logger.error('record log append failed; the broker is unhealthy until restarted', { error: error.message }));
  const server = deps.tls
    ? createHttpsServer({ cert: deps.tls.cert, key: deps.tls.key, ...(deps.tls.clientCa ? { ca: deps.tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, handler)
    : createHttpServer(handler);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 30_000;
  return server;
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const t0 = performance.now();
  // Node's parser takes targets that the URL parser refuses (`//[`, `http://x:99999/`): parse here, where a failure is an answer.
  const url = requestUrl(req.url);
  let answer: Answer;
  try {
    answer = url === undefined ? problem(400, 'bad_request', 'the request target is not a valid URL') : (limited(deps, req, url) ?? (await route(deps, req, url)));
  } catch (error) {
    deps.logger.error('request failed', { route: routeLabel(url), error: errorMessage(error) });
    answer = problem(500, 'internal', 'the broker could not answer; nothing was executed for this request');
  }
  const payload = answer.contentType === undefined ? JSON.stringify(answer.body) : String(answer.body);
  res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json', 'cache-control': 'no-store', ...answer.headers });
  res.end(payload);
  answer.after?.();
  deps.metrics.request(routeLabel(url), answer.status, (performance.now() - t0) / 1000);
}

/** A 429 when the client has used up its requests for now; health, metrics and the API document are never limited. */
function limited(deps: ServerDeps, req: IncomingMessage, url: URL): Answer | undefined {
  if (deps.rateLimiter === undefined || !url.pathname.startsWith('/v1/')) return undefined;
  const admission = deps.rateLimiter.admit(clientOf(req));
  if (admission.ok) return undefined;
  return { ...problem(429, 'too_many_requests', `too many requests from this client; retry in ${admission.retryAfterS} s`), headers: { 'retry-after': String(admission.retryAfterS) } };
}

/** Who is asking: the client certificate's fingerprint under mTLS, else the peer address. */
function clientOf(req: IncomingMessage): string {
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.authorized === true && typeof socket.getPeerCertificate === 'function') {
    const fingerprint = socket.getPeerCertificate().fingerprint256;
    if (typeof fingerprint === 'string' && fingerprint !== '') return `cert:${fingerprint}`;
  }
  return `addr:${req.socket.remoteAddress ?? 'unknown'}`;
}

function requestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://broker');
  } catch {
    return undefined;
  }
}

/** The metrics label of a request: one of the routes, never the raw path, so clients cannot grow the label set. */
function routeLabel(url: URL | undefined): string {
  return url !== undefined && KNOWN_PATHS.has(url.pathname) ? url.pathname : 'unmatched';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function route(deps: ServerDeps, req: IncomingMessage, url: URL): Promise<Answer> {
  const key = `${req.method} ${url.pathname}`;
  switch (key) {
    case 'POST /v1/execute':
      return withRequestBody(req, async (bytes) => {
        const result = await deps.broker.execute(bytes);
        return {
          ...json(statusFor(result.decision.reason), executionBody(result)),
          after: () => {
            deps.metrics.executed(result);
            deps.logger.info('execute', { decision: result.decision.decision, reason: result.decision.reason, jti: result.decision.jti, outcome: result.outcome });
          },
        };
      });
    case 'POST /v1/verify':
      return withRequestBody(req, async (bytes) => {
        const decision = deps.broker.verify(bytes);
        return { ...json(statusFor(decision.reason), decision), after: () => deps.metrics.decided('verify', decision) };
      });
    case 'GET /v1/log/tree-head':
      return json(200, await deps.log.treeHead());
    case 'GET /v1/log/inclusion-proof':
      return withInteger(url, 'seq', async (seq) => json(200, await deps.log.inclusionProof(seq)));
    case 'GET /v1/log/consistency-proof':
      return withInteger(url, 'from', async (from) => json(200, await deps.log.consistencyProof(from)));
    case 'GET /healthz': {
      // A record that could not be appended leaves an allow unfinished: unhealthy until a restart reconciles it.
      const health = deps.broker.health();
      return health.ok ? json(200, { status: 'ok', broker: deps.broker.id }) : json(503, { status: 'unhealthy', broker: deps.broker.id, reason: health.reason });
    }
    case 'GET /metrics':
      return { status: 200, body: await deps.metrics.registry.metrics(), contentType: deps.metrics.registry.contentType };
    case 'GET /openapi.json':
      return json(200, OPENAPI);
    default:
      return KNOWN_PATHS.has(url.pathname) ? problem(405, 'method_not_allowed', `${req.method} is not allowed on ${url.pathname}`) : problem(404, 'not_found', `no route ${url.pathname}`);
  }
}

const KNOWN_PATHS = new Set(['/v1/execute', '/v1/verify', '/v1/log/tree-head', '/v1/log/inclusion-proof', '/v1/log/consistency-proof', '/healthz', '/metrics', '/openapi.json']);

async function withRequestBody(req: IncomingMessage, run: (bytes: Buffer) => Promise<Answer>): Promise<Answer> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return problem(415, 'unsupported_media_type', 'send the request as application/json');
  let bytes: Buffer;
  try {
    bytes = await readBody(req, MAX_REQUEST_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLarge) return json(413, { ...deny('malformed'), message: `request larger than ${MAX_REQUEST_BYTES} bytes` });
    throw error;
  }
  return run(bytes);
}

async function withInteger(url: URL, name: string, run: (n: number) => Promise<Answer>): Promise<Answer> {
  const raw = url.searchParams.get(name);
  if (raw === null || !/^[0-9]{1,15}$/.test(raw)) return problem(400, 'bad_parameter', `${name} must be a non-negative integer`);
  try {
    return await run(Number(raw));
  } catch (error) {
    if (error instanceof InvalidInputError) return problem(400, 'bad_parameter', error.message);
    throw error;
  }
}

function executionBody(result: ExecutionResult) {
  const { decision, reason, jti } = result.decision;
  return { decision, reason, jti, outcome: result.outcome ?? null, detail: result.detail ?? null, phases: result.phases, decisionSeq: result.decisionSeq ?? null };
}
