// A tiny JSON client for the Kubernetes API on node:https. One keep-alive
// Agent per identity: a TLS session authenticated by a client certificate
// must never carry a bearer token's request, since the API server would then
// see two identities on one connection and pick the certificate. Tokens share
// one certificate-free Agent; impersonation rides the broker's own (it is the
// broker's request, made as someone else). No retries: the broker decides
// what a failure means, never this layer.
import type { IncomingMessage } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { createSecureContext } from 'node:tls';
import { IoError, SebError } from '../../core/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/strict-json.js';
import type { CredentialSource, StaticCredential } from './credentials.js';

/** Static credentials, or a source whose credential changes (exec plugin, token file, in-cluster): see credentials.ts. */
export type Credential = StaticCredential | { readonly kind: 'source'; readonly source: CredentialSource };

export interface Endpoint {
  /** https URL of the API server, possibly with a path prefix. */
  readonly server: string;
  /** PEM bundle to trust; without it, the system's roots. */
  readonly ca?: Buffer;
}

export interface ApiResponse {
  readonly status: number;
  /** Parsed JSON when the server says the body is JSON, otherwise the text. */
  readonly body: JsonValue | string;
}

export interface RequestOptions {
  readonly body?: JsonValue;
  /** application/json by default; patches name their own type. */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface StreamOptions {
  /** Each line of a 200 body, parsed, as it arrives; a throw ends the stream with that error. */
  readonly onLine: (value: JsonValue) => void;
  /** The server answered 200: from here on, lines follow in the server's order. */
  readonly onOpen?: () => void;
  /** The stream is cut (IoError) if the server has not ended it this long after it was sent. */
  readonly deadlineMs: number;
  readonly signal?: AbortSignal;
}

/** The API server answered, but not with what the caller needed. */
export class KubernetesApiError extends SebError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super('io', message);
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Far above any object this broker reads; a guard against a runaway body. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export class KubeClient {
  private tokenAgent: Agent | undefined;
  /** With a CredentialSource that issues client certificates: the Agent for the current one. */
  private sourceCertAgent: { readonly credential: StaticCredential; readonly agent: Agent } | undefined;

  private constructor(
    private readonly endpoint: Endpoint,
    private readonly agent: Agent,
    private readonly authorization: string | undefined,
    private readonly timeoutMs: number,
    private readonly parent: KubeClient | undefined,
    private readonly identityHeaders: Readonly<Record<string, string>> = {},
    private readonly source?: CredentialSource,
  ) {}

  static connect(endpoint: Endpoint, credential: Credential | undefined, timeoutMs = DEFAULT_TIMEOUT_MS): KubeClient {
    if (!endpoint.server.startsWith('https://')) throw new IoError(`API server ${endpoint.server}: only https is supported`);
    const agent = keepAliveAgent(endpoint, credential?.kind === 'cert' ? credential : undefined);
    const source = credential?.kind === 'source' ? credential.source : undefined;
    return new KubeClient(endpoint, agent, credential?.kind === 'token' ? `Bearer ${credential.token}` : undefined, timeoutMs, undefined, {}, source);
  }

  /** A client that speaks as `token` over the same server, sharing one certificate-free Agent. */
  withToken(token: string): KubeClient {
    const root = this.parent ?? this;
    root.tokenAgent ??= keepAliveAgent(root.endpoint, undefined);
    return new KubeClient(root.endpoint, root.tokenAgent, `Bearer ${token}`, root.timeoutMs, root);
  }

  /**
   * A client whose requests the API server authorizes as `user`, with these
   * extra attributes (its audit log records both): the broker's own
   * connection and credential, plus Impersonate-* headers. Only a client that
   * speaks as itself may impersonate.
   */
  impersonating(user: string, extra: Readonly<Record<string, string>>): KubeClient {
    if (this.parent !== undefined) throw new IoError('only the broker\'s own client may impersonate');
    const headers: Record<string, string> = { 'impersonate-user': user };
    for (const [key, value] of Object.entries(extra)) headers[`impersonate-extra-${key}`] = value;
    return new KubeClient(this.endpoint, this.agent, this.authorization, this.timeoutMs, this, headers, this.source);
  }

  get server(): string {
    return this.endpoint.server;
  }

  /** Resolves with any HTTP status; rejects (IoError) only when no answer came: network, TLS, timeout. */
  request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    return this.withCredential((agent, authorization) =>
      this.exchange(method, path, options, agent, authorization, this.timeoutMs, (res, settle) => readWhole(res, `${method} ${path}`).then(settle.resolve, settle.fail)),
    );
  }

  /**
   * A long-lived GET whose 200 body is newline-delimited JSON (a watch).
   * Resolves with undefined when the server ends the body, or with the answer
   * when it is not 200; rejects (IoError) when no answer came within the
   * client's timeout, on a network or TLS failure, a line that is not JSON,
   * the deadline, or `signal`.
   */
  stream(path: string, options: StreamOptions): Promise<ApiResponse | undefined> {
    return this.withCredential((agent, authorization) =>
      this.exchange<ApiResponse | undefined>('GET', path, { ...(options.signal === undefined ? {} : { signal: options.signal }) }, agent, authorization, options.deadlineMs, (res, settle) => {
        if (res.statusCode !== 200) return void readWhole(res, `GET ${path}`).then(settle.resolve, settle.fail);
        options.onOpen?.();
        readLines(res, options.onLine).then(() => settle.resolve(undefined), settle.fail);
      }),
    );
  }

  /**
   * With a CredentialSource, asks it for the current credential; a 401 means
   * the server never got past authentication (nothing was changed), so the
   * request is sent once more with a fresh credential, and that answer stands.
   */
  private async withCredential<T extends { readonly status: number } | undefined>(send: (agent: Agent, authorization: string | undefined) => Promise<T>): Promise<T> {
    const source = this.source;
    if (source === undefined) return send(this.agent, this.authorization);
    for (let attempt = 1; ; attempt += 1) {
      const credential = await source.current();
      const response = credential.kind === 'token' ? await send(this.agent, `Bearer ${credential.token}`) : await send(this.certAgentFor(credential), undefined);
      if (response?.status !== 401 || attempt === 2) return response;
      source.invalidate(credential);
    }
  }

  private certAgentFor(credential: StaticCredential & { kind: 'cert' }): Agent {
    if (this.sourceCertAgent?.credential !== credential) {
      this.sourceCertAgent?.agent.destroy();
      this.sourceCertAgent = { credential, agent: keepAliveAgent(this.endpoint, credential) };
    }
    return this.sourceCertAgent.agent;
  }

  /**
   * Sends one request and hands its response to `handle`. No answer within
   * the client's timeout fails it; so does an exchange still open at
   * `deadlineMs` (for a request, the same deadline: the whole exchange).
   */
  private exchange<T>(
    method: string,
    path: string,
    options: RequestOptions & { readonly signal?: AbortSignal },
    agent: Agent,
    authorization: string | undefined,
    deadlineMs: number,
    handle: (res: IncomingMessage, settle: Settle<T>) => void,
  ): Promise<T> {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...this.identityHeaders };
    if (authorization !== undefined) headers.authorization = authorization;
    if (payload !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const url = new URL(this.endpoint.server.replace(/\/$/, '') + path);
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(answerBy);
        clearTimeout(doneBy);
        options.signal?.removeEventListener('abort', abort);
      };
      const settle: Settle<T> = {
        resolve: (value) => {
          done();
          resolve(value);
        },
        fail: (error) => {
          done();
          req.destroy();
          // Our own typed errors (a stream's onLine may throw one) pass as they are.
          reject(error instanceof SebError ? error : new IoError(`${method} ${url.pathname}: ${(error as Error).message}`, { cause: error }));
        },
      };
      const req = httpsRequest(url, { method, headers, agent }, (res) => {
        clearTimeout(answerBy);
        handle(res, settle);
      });
      const cut = (why: string) => () => settle.fail(new IoError(`${method} ${url.pathname}: ${why}`));
      const abort = cut('aborted');
      // A request's deadline is the client's timeout: one timer covers its whole exchange; a stream has its answer timed apart.
      const answerBy = deadlineMs > this.timeoutMs ? setTimeout(cut(`no answer within ${this.timeoutMs} ms`), this.timeoutMs) : undefined;
      const doneBy = setTimeout(cut(answerBy === undefined ? `no answer within ${deadlineMs} ms` : `not done within ${deadlineMs} ms`), deadlineMs);
      req.on('error', settle.fail);
      if (options.signal?.aborted === true) return abort();
      options.signal?.addEventListener('abort', abort, { once: true });
      req.end(payload);
    });
  }

  /** Ends idle keep-alive connections; clients made by withToken share the root's. */
  close(): void {
    if (this.parent !== undefined) return;
    this.agent.destroy();
    this.tokenAgent?.destroy();
    this.sourceCertAgent?.agent.destroy();
  }
}

interface Settle<T> {
  resolve(value: T): void;
  fail(error: unknown): void;
}

/** The whole body, bounded; parsed when the server says it is JSON. */
function readWhole(res: IncomingMessage, what: string): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) res.destroy(new IoError(`${what}: response larger than ${MAX_RESPONSE_BYTES} bytes`));
      else chunks.push(chunk);
    });
    res.on('error', reject);
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const json = (res.headers['content-type'] ?? '').startsWith('application/json');
      try {
        resolve({ status: res.statusCode ?? 0, body: json && text !== '' ? (JSON.parse(text) as JsonValue) : text });
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Each line of the body to `onLine` as it completes; resolves at the body's end, rejects if it is cut short (the caller names the request). */
function readLines(res: IncomingMessage, onLine: (value: JsonValue) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let rest = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      try {
        const split = splitLines(rest + chunk);
        rest = split.rest;
        if (rest.length > MAX_RESPONSE_BYTES) throw new Error(`a line longer than ${MAX_RESPONSE_BYTES} bytes`);
        for (const line of split.lines) onLine(JSON.parse(line) as JsonValue);
      } catch (error) {
        res.destroy(error as Error);
      }
    });
    res.on('error', reject);
    res.on('end', () => (rest.trim() === '' ? resolve() : reject(new Error('the stream ended inside a line'))));
    // A connection lost mid-body closes the response without an end.
    res.on('close', () => reject(new Error('the stream was cut')));
  });
}

/** The complete, non-blank lines of `text`, and what follows the last newline. */
export function splitLines(text: string): { readonly lines: string[]; readonly rest: string } {
  const parts = text.split('\n');
  const rest = parts.pop() ?? '';
  return { lines: parts.filter((line) => line.trim() !== ''), rest };
}

/**
 * A keep-alive Agent with one TLS context, built once: every connection it
 * opens reuses it instead of parsing the CA, certificate and key again.
 */
function keepAliveAgent(endpoint: Endpoint, clientCert: { readonly cert: Buffer | string; readonly key: Buffer | string } | undefined): Agent {
  const secureContext = createSecureContext({ ...(endpoint.ca === undefined ? {} : { ca: endpoint.ca }), ...(clientCert === undefined ? {} : { cert: clientCert.cert, key: clientCert.key }) });
  return new Agent({ keepAlive: true, secureContext });
}

/** The Status message the API server puts in an error body, or the status line. */
export function describe(response: ApiResponse): string {
  const message = objectOf(response.body).message;
  if (typeof message === 'string') return `${response.status} ${message}`;
  return `${response.status} ${typeof response.body === 'string' ? response.body.slice(0, 200) : ''}`.trim();
}

/** The body as an object when the status is one of `ok`; otherwise a KubernetesApiError naming `what`. */
export function expectStatus(response: ApiResponse, ok: readonly number[], what: string): JsonValue | string {
  if (!ok.includes(response.status)) throw new KubernetesApiError(response.status, `${what}: ${describe(response)}`);
  return response.body;
}

/** A body or member as an object, or an empty one: for reading optional fields of API objects. */
export function objectOf(value: JsonValue | string | undefined): JsonObject {
  return typeof value === 'object' && isJsonObject(value) ? value : {};
}
