// The broker's HTTP API as OpenAPI 3.1, served at /openapi.json. Schemas are
// kept to what a client needs; the predicates themselves are the contract.
import { PHASES } from '../broker.js';
import { REASONS } from '../core/reasons.js';

const executionRequest = {
  type: 'object',
  additionalProperties: false,
  required: ['certificate', 'contract'],
  properties: {
    certificate: { type: 'string', description: 'compact JWS, typ seb-cert+jwt' },
    contract: {
      type: 'object',
      additionalProperties: false,
      required: ['platform', 'target', 'operation', 'parameters'],
      properties: { platform: { enum: ['kubernetes', 'aws'] }, target: { type: 'object' }, operation: { type: 'string' }, parameters: { type: 'object' } },
    },
    proof: { type: 'string', description: 'compact JWS, typ seb-pop+jwt; required when the certificate has cnf' },
  },
};

const decision = {
  type: 'object',
  required: ['decision', 'reason', 'jti'],
  properties: {
    decision: { enum: ['allow', 'deny'] },
    reason: { enum: [...REASONS, null] },
    jti: { type: ['string', 'null'] },
  },
};

const execution = {
  allOf: [
    decision,
    {
      type: 'object',
      properties: {
        outcome: { enum: ['succeeded', 'failed', 'unknown', null] },
        detail: { type: ['string', 'null'] },
        decisionSeq: { type: ['integer', 'null'] },
        phases: { type: 'object', properties: Object.fromEntries(PHASES.map((p) => [p, { type: 'number', description: 'milliseconds' }])) },
      },
    },
  ],
};

const jsonBody = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });
const problem = { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' } } };

export const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'Sovereign Execution Broker', version: '0.1.0', description: 'Executes one certified mutation per certificate use, with signed decision and outcome records.' },
  paths: {
    '/v1/execute': {
      post: {
        summary: 'Verify the request against its certificate and, when every predicate holds, perform the mutation',
        requestBody: { required: true, content: { 'application/json': { schema: executionRequest } } },
        responses: {
          '200': jsonBody(execution, 'allowed and executed'),
          '400': jsonBody(execution, 'malformed request'),
          '403': jsonBody(execution, 'denied by a predicate'),
          '409': jsonBody(execution, 'the platform refused: the target changed after the drift check'),
          '413': jsonBody(decision, 'request too large'),
          '415': jsonBody(problem, 'not application/json'),
          '429': jsonBody(problem, 'this client sent too many requests (rateLimit); Retry-After says when to retry'),
          '502': jsonBody(execution, 'the mutation failed at the platform'),
          '503': jsonBody(execution, 'a dependency of the broker (ledger, record log, minting) failed; nothing executed'),
        },
      },
    },
    '/v1/verify': {
      post: {
        summary: 'Evaluate predicates 1 to 8 only: no use is consumed, nothing executes or is recorded',
        requestBody: { required: true, content: { 'application/json': { schema: executionRequest } } },
        responses: { '200': jsonBody(decision, 'allowed'), '400': jsonBody(decision, 'malformed'), '403': jsonBody(decision, 'denied'), '413': jsonBody(decision, 'too large'), '415': jsonBody(problem, 'not JSON'), '429': jsonBody(problem, 'too many requests from this client; see Retry-After') },
      },
    },
    '/v1/log/tree-head': { get: { summary: 'The latest signed tree head of the record log', responses: { '200': jsonBody({ type: 'object' }, 'signed tree head') } } },
    '/v1/log/inclusion-proof': {
      get: {
        summary: 'RFC 9162 inclusion proof of one record in the latest tree',
        parameters: [{ name: 'seq', in: 'query', required: true, schema: { type: 'integer', minimum: 0 } }],
        responses: { '200': jsonBody({ type: 'object' }, 'inclusion proof'), '400': jsonBody(problem, 'no such record') },
      },
    },
    '/v1/log/consistency-proof': {
      get: {
        summary: 'RFC 9162 consistency proof from an earlier tree size to the latest tree',
        parameters: [{ name: 'from', in: 'query', required: true, schema: { type: 'integer', minimum: 0 } }],
        responses: { '200': jsonBody({ type: 'object' }, 'consistency proof'), '400': jsonBody(problem, 'size out of range') },
      },
    },
    '/healthz': { get: { summary: 'Liveness', responses: { '200': jsonBody({ type: 'object' }, 'up'), '503': jsonBody({ type: 'object' }, 'a record could not be appended; restart to reconcile') } } },
    '/metrics': { get: { summary: 'Prometheus metrics: decisions by reason, phase latencies, how drift reads were answered', responses: { '200': { description: 'text exposition format' } } } },
    '/openapi.json': { get: { summary: 'This document', responses: { '200': jsonBody({ type: 'object' }, 'OpenAPI 3.1') } } },
  },
} as const;
