// The DynamoDB UpdateItem a plan sends, conditioned on the item's version as
// the drift check saw it, and moving the version on. Pure. Attribute names go
// through ExpressionAttributeNames, so no name can be read as expression
// syntax or collide with a reserved word.
import type { AttributeValue, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { VERSION_ATTRIBUTE, type AwsPlan, type ScalarValue } from './operations.js';

type ItemPlan = Extract<AwsPlan, { action: 'dynamodb:UpdateItem' }>;

/** The typed form of a scalar: what UpdateItem sends and what the item projection shows. */
export function attributeValue(v: ScalarValue): { S: string } | { N: string } | { BOOL: boolean } {
  if (typeof v === 'string') return { S: v };
  if (typeof v === 'number') return { N: String(v) };
  return { BOOL: v };
}

export function itemKey(plan: ItemPlan): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(plan.key).map(([name, v]) => [name, attributeValue(v)]));
}

/** Every attribute the plan's read and write name: the key, the set attributes and the version (what the session policies allow). */
export function itemAttributes(plan: ItemPlan): string[] {
  return [...new Set([...Object.keys(plan.key), ...Object.keys(plan.set), VERSION_ATTRIBUTE])].sort();
}

/** The GetItem projection of the drift check: only the attributes the plan names, so the read session needs no others. */
export function itemProjection(plan: ItemPlan): { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> } {
  const names = itemAttributes(plan);
  return { ProjectionExpression: names.map((_, i) => `#p${i}`).join(', '), ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#p${i}`, name])) };
}

/**
 * `version` is the item's version at the drift check, or undefined when the
 * item (or its version attribute) did not exist: then the write requires it
 * still not to, and starts the version at 1.
 */
export function updateItemInput(plan: ItemPlan, version: string | undefined): UpdateItemCommandInput {
  const names: Record<string, string> = { '#ver': VERSION_ATTRIBUTE };
  const values: Record<string, AttributeValue> = {};
  const sets: string[] = [];
  Object.entries(plan.set).forEach(([name, v], i) => {
    names[`#a${i}`] = name;
    values[`:a${i}`] = attributeValue(v);
    sets.push(`#a${i} = :a${i}`);
  });
  sets.push('#ver = :next');
  if (version === undefined) {
    values[':next'] = { N: '1' };
  } else {
    values[':expected'] = { N: version };
    values[':next'] = { N: (BigInt(version) + 1n).toString() };
  }
  return {
    TableName: plan.table,
    Key: itemKey(plan),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: version === undefined ? 'attribute_not_exists(#ver)' : '#ver = :expected',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValues: 'NONE',
  };
}
