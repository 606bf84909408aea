import { describe, expect, it } from 'vitest';
import { updateItemInput } from './dynamodb-update.js';
import { planAws } from './operations.js';

const plan = planAws(
  {
    platform: 'aws',
    target: { service: 'dynamodb', arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/seb-target' },
    operation: 'dynamodb:UpdateItem',
    parameters: { key: { id: 'config' }, set: { mode: 'on', replicas: 3, enabled: false } },
  },
  { partition: 'aws', region: 'us-east-1', accountId: '123456789012' },
);
if (plan.action !== 'dynamodb:UpdateItem') throw new Error('fixture plans an UpdateItem');

describe('updateItemInput', () => {
  it('conditions on the observed version and moves it on, names only as placeholders', () => {
    expect(updateItemInput(plan, '41')).toEqual({
      TableName: 'seb-target',
      Key: { id: { S: 'config' } },
      UpdateExpression: 'SET #a0 = :a0, #a1 = :a1, #a2 = :a2, #ver = :next',
      ConditionExpression: '#ver = :expected',
      ExpressionAttributeNames: { '#ver': 'version', '#a0': 'mode', '#a1': 'replicas', '#a2': 'enabled' },
      ExpressionAttributeValues: { ':a0': { S: 'on' }, ':a1': { N: '3' }, ':a2': { BOOL: false }, ':expected': { N: '41' }, ':next': { N: '42' } },
      ReturnValues: 'NONE',
    });
  });

  it('without a version, requires there still to be none and starts at 1', () => {
    const input = updateItemInput(plan, undefined);
    expect(input.ConditionExpression).toBe('attribute_not_exists(#ver)');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':next': { N: '1' } });
    expect(input.ExpressionAttributeValues).not.toHaveProperty(':expected');
  });
});
