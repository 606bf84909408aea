// What a failed AWS call means for the outcome. A refusal the service
// answered for sure (4xx) did not mutate: `failed`, or `precondition_failed`
// when it was the native precondition. Anything else (no answer, a reset, a
// timeout, a 5xx) leaves the write's fate unknown, so it is rethrown and the
// broker records the outcome as unknown.
import type { InvokeResult } from '../../core/ports/platform.js';

const PRECONDITION = new Set([
  'PreconditionFailed', // S3 If-Match / If-None-Match (412)
  'ConditionalRequestConflict', // S3: a concurrent conditional write to the same key (409)
  'ConditionalCheckFailedException', // DynamoDB ConditionExpression
  'ParameterAlreadyExists', // SSM Overwrite=false: the parameter appeared after the drift check
]);

interface Answer {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

// The SDK attaches the HTTP status to every error that had a response. When
// it could not parse the error body (moto answers authorization failures of
// JSON-protocol services, SSM and DynamoDB, in XML without an error-type
// header) the error is a plain SyntaxError and the status is all that is
// known: the service answered, and it refused.
function answerOf(e: unknown): Answer | undefined {
  if (!(e instanceof Error)) return undefined;
  const status = (e as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  if (typeof status !== 'number') return undefined;
  if ('$fault' in e) return { code: e.name, status, message: e.message };
  return { code: `HTTP${status}`, status, message: e.message.split('\n')[0] ?? '' };
}

/** The service's error code, or undefined when the service did not answer. */
export function errorCode(e: unknown): string | undefined {
  return answerOf(e)?.code;
}

export function refusal(e: unknown): Exclude<InvokeResult, { status: 'succeeded' }> {
  const answer = answerOf(e);
  if (answer === undefined || answer.status < 400 || answer.status >= 500) throw e;
  const detail = `${answer.code}: ${answer.message}`.slice(0, 500);
  return PRECONDITION.has(answer.code) ? { status: 'precondition_failed', detail } : { status: 'failed', detail };
}
