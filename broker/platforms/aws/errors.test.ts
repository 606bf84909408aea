import { describe, expect, it } from 'vitest';
import { errorCode, refusal } from './errors.js';

function serviceError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $fault: status < 500 ? 'client' : 'server', $metadata: { httpStatusCode: status } });
}

describe('refusal', () => {
  it.each(['PreconditionFailed', 'ConditionalRequestConflict', 'ConditionalCheckFailedException', 'ParameterAlreadyExists'])('%s is the native precondition', (name) => {
    expect(refusal(serviceError(name, 412))).toMatchObject({ status: 'precondition_failed', detail: expect.stringContaining(name) });
  });

  it('any other answered 4xx is a refusal: nothing was mutated', () => {
    expect(refusal(serviceError('AccessDenied', 403))).toMatchObject({ status: 'failed', detail: 'AccessDenied: AccessDenied happened' });
    expect(refusal(serviceError('InvalidPermission.Duplicate', 400))).toMatchObject({ status: 'failed' });
  });

  it('a 4xx whose body the SDK could not parse is still an answer (moto on JSON protocols)', () => {
    const e = Object.assign(new SyntaxError('Unexpected token <\n  Deserialization error: ...'), { $metadata: { httpStatusCode: 403 } });
    expect(refusal(e)).toEqual({ status: 'failed', detail: 'HTTP403: Unexpected token <' });
    expect(errorCode(e)).toBe('HTTP403');
  });

  it('no answer, or a 5xx, leaves the outcome unknown: rethrown', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(() => refusal(reset)).toThrow(reset);
    expect(() => refusal(serviceError('InternalError', 500))).toThrow('InternalError happened');
    expect(() => refusal('not even an error')).toThrow();
    expect(errorCode(reset)).toBeUndefined();
  });
});
