// JSON- and byte-level tricks on the header, payload, token and request:
// respellings that decode to the same value (must change nothing), and
// duplicates, byte-order marks, invalid UTF-8, trailing bytes, numbers out of
// range, lone surrogates, base64url that is not canonical (all `malformed`).
// Header and payload are re-signed after the trick; the token and request
// are not signed, so their tricks need no signature.
import type { Reason } from '../../../broker/core/reasons.js';
import { RawJson, type JsonStyle } from '../json-text.js';
import type { Draft, TextPlan, TokenEdit } from '../model.js';
import type { Mutation, Slot } from './mutation.js';

type Part = 'header' | 'payload' | 'request';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

// Bytes around the text accumulate, so two tricks on one part keep both effects.
const before = (t: TextPlan, bytes: string | Buffer) => (t.prefix = Buffer.concat([Buffer.from(bytes), t.prefix]));
const after = (t: TextPlan, bytes: string | Buffer) => (t.suffix = Buffer.concat([t.suffix, Buffer.from(bytes)]));

function respell(part: Part, label: string, style: JsonStyle): Mutation {
  return {
    name: `${part}-${label}`,
    apply: (d) => {
      d.text[part].style = { ...d.text[part].style, ...style };
      return null;
    },
  };
}

function bytes(part: Part, label: string, expect: Reason | null, change: (t: TextPlan) => void): Mutation {
  return { name: `${part}-${label}`, apply: (d) => (change(d.text[part]), expect) };
}

function inject(part: Part, label: string, at: string[], member: (d: Draft) => string): Mutation {
  return { name: `${part}-${label}`, apply: (d) => (d.text[part].inject.push({ at, member: member(d) }), 'malformed') };
}

function token(edit: TokenEdit): Mutation {
  return { name: `token-${edit}`, apply: (d) => (d.tokenEdits.push(edit), 'render') };
}

const STYLES: readonly (readonly [string, JsonStyle])[] = [
  ['pretty', { space: 'pretty' }],
  ['odd-whitespace', { space: 'odd' }],
  ['reversed', { order: 'reversed' }],
  ['escape-all', { strings: 'escape-all' }],
  ['escape-solidus', { strings: 'escape-solidus' }],
  ['decimal-numbers', { numbers: 'decimal' }],
  ['exponent-numbers', { numbers: 'exponent' }],
  ['negative-zero', { numbers: 'negative-zero' }],
];

const existing = (d: Draft, p: number): string => {
  const names = Object.keys(d.claims);
  return names[p % Math.max(1, names.length)] ?? 'iss';
};

function duplicateClaim(escaped: boolean): Mutation {
  return {
    name: escaped ? 'payload-duplicate-escaped-name' : 'payload-duplicate-claim',
    apply: (d, p) => {
      const name = existing(d, p);
      const spelled = escaped ? `"\\u${name.charCodeAt(0).toString(16).padStart(4, '0')}${JSON.stringify(name).slice(2)}` : JSON.stringify(name);
      d.text.payload.inject.push({ at: [], member: `${spelled}:${JSON.stringify(d.claims[name] ?? null)}` });
      return 'malformed';
    },
  };
}

const parts: Part[] = ['header', 'payload', 'request'];

export const ENCODING: Slot = {
  name: 'encoding',
  emptyWeight: 3,
  mutations: [
    ...parts.flatMap((part) => STYLES.map(([label, style]) => respell(part, label, style))),
    ...parts.map((part) => bytes(part, 'surrounding-whitespace', null, (t) => (before(t, ' \n'), after(t, '\t\r\n')))),
    ...parts.map((part) => bytes(part, 'byte-order-mark', 'malformed', (t) => before(t, BOM))),
    ...parts.map((part) => bytes(part, 'invalid-utf8', 'malformed', (t) => after(t, Buffer.from([0x20, 0xc3])))),
    ...parts.map((part) => bytes(part, 'trailing-garbage', 'malformed', (t) => after(t, ','))),
    ...parts.map((part) => bytes(part, 'wrapped-in-array', 'malformed', (t) => (before(t, '['), after(t, ']')))),
    inject('header', 'duplicate-alg', [], (d) => `"alg":${JSON.stringify(d.header.alg ?? 'EdDSA')}`),
    duplicateClaim(false),
    duplicateClaim(true),
    inject('payload', 'duplicate-in-contract', ['contract'], () => '"operation":"scale"'),
    inject('payload', 'proto-claim', [], () => '"__proto__":{}'),
    inject('payload', 'too-deep', ['contract', 'parameters'], () => `"deep":${'['.repeat(40)}${']'.repeat(40)}`),
    { name: 'payload-number-overflow', apply: (d) => ((d.claims.pep = new RawJson('1e400')), 'malformed') },
    { name: 'payload-lone-surrogate', apply: (d) => ((d.claims.sub = 'agent\ud800'), 'malformed') },
    { name: 'payload-raw-control-character', apply: (d) => ((d.claims.sub = new RawJson('"a\u0001b"')), 'malformed') },
    { name: 'payload-leading-zero', apply: (d) => ((d.claims.rep = new RawJson(`0${String(d.claims.rep)}`)), 'malformed') },
    inject('request', 'duplicate-certificate', [], () => '"certificate":"x.y.z"'),
    inject('request', 'unknown-member', [], () => '"extra":1'),
    inject('request', 'proto-member', [], () => '"__proto__":{}'),
    inject('request', 'proof-null', [], () => '"proof":null'),
    inject('request', 'certificate-number', [], () => '"certificate":1'),
    token('trailing-bits'),
    token('padding'),
    token('std-alphabet'),
    token('extra-segment'),
    token('drop-signature'),
    token('whitespace'),
  ],
};
