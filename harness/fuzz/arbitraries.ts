// fast-check arbitraries: a valid case's parameters (BaseParams) and the
// mutations to apply to it, one optional choice per slot plus up to three
// encoding tricks. Most slots are empty most of the time, so a run holds
// valid cases, single faults and a few combinations; shrinking empties slots.
import fc from 'fast-check';
import { MAX_SKEW_S } from '../../broker/core/predicates/context.js';
import type { JsonObject, JsonValue } from '../../broker/core/strict-json.js';
import { AGENT_POOL_SIZE, ISSUER_POOL_SIZE } from './keys.js';
import type { BaseParams } from './model.js';
import { ENCODING_SLOT, SLOTS } from './mutations/index.js';
import type { Slot } from './mutations/mutation.js';

export interface Choice {
  readonly name: string;
  /** A free parameter the mutation folds into its own range. */
  readonly p: number;
}

export interface FuzzInput {
  readonly cli: boolean;
  readonly base: BaseParams;
  /** One optional choice per entry of SLOTS, in order. */
  readonly slots: readonly (Choice | null)[];
  readonly encoding: readonly Choice[];
}

const identifier = fc.oneof(
  { arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,24}$/), weight: 8 },
  { arbitrary: fc.constantFrom('sab.example', 'https://sab.example/', 'a', '\\"quoted\\"'), weight: 2 },
  { arbitrary: fc.constant('I'.repeat(256)), weight: 1 },
);

const jti = fc.oneof(
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/), weight: 8 },
  { arbitrary: fc.constant('J'.repeat(128)), weight: 1 },
);

const json = fc.jsonValue({ maxDepth: 2, stringUnit: 'grapheme' }) as fc.Arbitrary<JsonValue>;
const parameters = fc.dictionary(fc.string({ maxLength: 8, unit: 'grapheme' }), json, { maxKeys: 4 }) as fc.Arbitrary<JsonObject>;

const contract: fc.Arbitrary<JsonObject> = fc.oneof(
  fc.record({
    platform: fc.constant('kubernetes'),
    target: fc.record({ namespace: fc.constantFrom('prod', 'staging', 'kube-system'), kind: fc.constantFrom('Deployment', 'ConfigMap', 'Service'), name: fc.stringMatching(/^[a-z0-9-]{1,20}$/) }),
    operation: fc.constantFrom('scale', 'patch', 'rollout.restart'),
    parameters,
  }),
  fc.record({
    platform: fc.constant('aws'),
    target: fc.record({ arn: fc.stringMatching(/^arn:aws:[a-z0-9]{2,8}:[a-z0-9-]{0,12}:[0-9]{0,12}:[A-Za-z0-9/_-]{1,20}$/) }),
    operation: fc.constantFrom('ssm:PutParameter', 'ec2:AuthorizeSecurityGroupIngress', 's3:PutBucketTagging'),
    parameters,
  }),
);

function baseParams(cli: boolean): fc.Arbitrary<BaseParams> {
  return fc.record({
    nowS: fc.oneof({ arbitrary: fc.integer({ min: 1_600_000_000, max: 2_100_000_000 }), weight: 9 }, { arbitrary: fc.integer({ min: 0, max: 100_000 }), weight: 1 }),
    nowMsPart: fc.integer({ min: 0, max: 999 }),
    // Up to the cap a broker accepts (seb verify refuses more as a usage error).
    skewS: fc.oneof(fc.constantFrom(0, 1, 30, MAX_SKEW_S), fc.integer({ min: 0, max: MAX_SKEW_S })),
    maxLifetimeS: fc.oneof(fc.constantFrom(1, 60, 300, 3600), fc.integer({ min: 1, max: 86_400 })),
    lifetimeDraw: fc.nat(),
    ageDraw: fc.nat(),
    nbfDraw: fc.option(fc.nat(), { freq: 2 }),
    iss: identifier,
    sub: identifier,
    audience: identifier,
    audOthers: fc.array(identifier, { maxLength: 3 }),
    audAsString: fc.boolean(),
    jti,
    pep: fc.oneof(fc.constantFrom(0, 1, 7), fc.nat()),
    rep: fc.oneof(fc.constantFrom(0, 1, 7), fc.nat()),
    floorBelow: fc.oneof(fc.constant(0), fc.nat()),
    revokedOthers: fc.array(jti, { maxLength: 3 }),
    revocationAgeDraw: fc.nat(),
    revocationMaxAgeMs: fc.constantFrom(0, 2000, 60_000),
    contract,
    uses: fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: fc.constantFrom(1, 2, 3), weight: 4 }, { arbitrary: fc.constant(1000), weight: 1 }),
    pre: fc.option(fc.record({ state: json, version: fc.option(fc.stringMatching(/^[0-9a-f]{1,12}$/)) })),
    live: fc.boolean(),
    agent: fc.option(fc.nat({ max: AGENT_POOL_SIZE - 1 })),
    proofIatDraw: fc.nat(),
    trusted: fc.uniqueArray(fc.nat({ max: ISSUER_POOL_SIZE - 1 }), { minLength: 1, maxLength: ISSUER_POOL_SIZE }),
    signerDraw: fc.nat(),
    ledger: fc.boolean(),
  }).map((b) => (cli ? { ...b, nowMsPart: 0 } : b));
}

export interface InputOptions {
  /** Only cases `seb verify` flags can express. */
  readonly cli: boolean;
  /** Focus: only these mutations ("slot.name", or a whole "slot"); every other slot stays empty. */
  readonly only?: readonly string[];
}

function names(slot: Slot, o: InputOptions): string[] {
  return slot.mutations
    .filter((m) => !(o.cli && m.inProcessOnly))
    .map((m) => m.name)
    .filter((name) => o.only === undefined || o.only.includes(slot.name) || o.only.includes(`${slot.name}.${name}`));
}

function choice(slot: Slot, o: InputOptions): fc.Arbitrary<Choice> | null {
  const allowed = names(slot, o);
  return allowed.length === 0 ? null : fc.record({ name: fc.constantFrom(...allowed), p: fc.nat({ max: 1_000_000 }) });
}

/** Empty most of the time (half the time when focused); shrinks to empty. */
function maybe<T>(arb: fc.Arbitrary<T> | null, emptyWeight: number): fc.Arbitrary<T | null> {
  if (arb === null) return fc.constant(null);
  return fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(null), weight: emptyWeight }, { arbitrary: arb, weight: 1 });
}

/** Every mutation name, as "slot.name". */
export function mutationNames(): string[] {
  return [...SLOTS, ENCODING_SLOT].flatMap((slot) => slot.mutations.map((m) => `${slot.name}.${m.name}`));
}

export function fuzzInput(o: InputOptions): fc.Arbitrary<FuzzInput> {
  const focused = o.only !== undefined;
  const encoding = choice(ENCODING_SLOT, o);
  return fc.record({
    cli: fc.constant(o.cli),
    base: baseParams(o.cli),
    slots: fc.tuple(...SLOTS.map((slot) => maybe(choice(slot, o), focused ? 1 : slot.emptyWeight))),
    encoding:
      encoding === null
        ? fc.constant([] as Choice[])
        : fc.oneof(
            { withCrossShrink: true },
            { arbitrary: fc.constant([] as Choice[]), weight: focused ? 1 : 3 },
            { arbitrary: fc.array(encoding, { minLength: 1, maxLength: 3 }), weight: 1 },
          ),
  });
}
