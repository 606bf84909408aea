// Claim shapes: a required claim missing, an unknown one, a value of the
// wrong type or outside its documented limits. All of them are `malformed`,
// whatever else the case holds: the claims are read before anything is
// checked. The certificate is re-signed, so only the shape is wrong.
import { MAX_JTI_LENGTH, MAX_USES } from '../../../broker/core/limits.js';
import type { JsonObject } from '../../../broker/core/strict-json.js';
import type { StyledValue } from '../json-text.js';
import type { Draft } from '../model.js';
import { setMember, type Mutation, type Slot } from './mutation.js';

type Claims = Draft['claims'];

function malformed(name: string, change: (c: Claims, p: number) => void): Mutation {
  return { name, apply: (d, p) => (change(d.claims, p), 'malformed') };
}

const set = (name: string, label: string, value: StyledValue) => malformed(`${name}-${label}`, (c) => setMember(c, name, value));
const num = (v: StyledValue | undefined): number => (typeof v === 'number' ? v : 1);

function contractEdit(name: string, change: (contract: JsonObject) => void): Mutation {
  return malformed(`contract-${name}`, (c) => {
    const contract = { ...(c.contract as JsonObject) };
    change(contract);
    c.contract = contract;
  });
}

const REQUIRED = ['iss', 'aud', 'sub', 'jti', 'iat', 'exp', 'pep', 'rep', 'cdg', 'contract'];

export const CLAIMS: Slot = {
  name: 'claims',
  emptyWeight: 6,
  mutations: [
    ...REQUIRED.map((name) => malformed(`drop-${name}`, (c) => delete c[name])),
    malformed('unknown-claim', (c, p) => setMember(c, `x${p % 100}`, 1)),
    malformed('unknown-claim-proto', (c) => setMember(c, '__proto__', {})),
    malformed('unknown-claim-upper-iss', (c) => setMember(c, 'ISS', c.iss ?? 'x')),
    malformed('iat-string', (c) => (c.iat = String(c.iat))),
    malformed('iat-fraction', (c) => (c.iat = num(c.iat) + 0.5)),
    malformed('iat-negative', (c) => (c.iat = -1)),
    malformed('exp-null', (c) => (c.exp = null)),
    malformed('exp-boolean', (c) => (c.exp = true)),
    malformed('nbf-string', (c) => (c.nbf = String(c.iat))),
    malformed('pep-negative', (c) => (c.pep = -1)),
    malformed('pep-unsafe', (c) => (c.pep = 2 ** 53)),
    malformed('rep-fraction', (c) => (c.rep = num(c.rep) + 0.25)),
    set('aud', 'empty', []),
    set('aud', 'number', 7),
    set('aud', 'number-entry', ['ok', 1]),
    set('aud', 'empty-entry', ['']),
    malformed('aud-seventeen', (c) => (c.aud = Array.from({ length: 17 }, (_, i) => `broker-${i}`))),
    set('iss', 'empty', ''),
    set('iss', 'space', 'with space'),
    set('iss', 'non-ascii', 's\u00e1b'),
    set('iss', 'too-long', 'I'.repeat(257)),
    set('sub', 'number', 42),
    set('sub', 'control', 'a\u0001b'),
    set('jti', 'empty', ''),
    set('jti', 'slash', 'a/b'),
    set('jti', 'too-long', 'J'.repeat(MAX_JTI_LENGTH + 1)),
    set('jti', 'number', 7),
    malformed('cdg-short', (c) => (c.cdg = String(c.cdg).slice(0, 42))),
    malformed('cdg-padded', (c) => (c.cdg = `${String(c.cdg)}=`)),
    set('cdg', 'number', 1),
    contractEdit('platform-unknown', (k) => (k.platform = 'gcp')),
    contractEdit('operation-missing', (k) => delete k.operation),
    contractEdit('operation-bad', (k) => (k.operation = '1scale')),
    contractEdit('extra-member', (k) => (k.extra = true)),
    contractEdit('target-array', (k) => (k.target = [])),
    contractEdit('parameters-null', (k) => (k.parameters = null)),
    set('contract', 'string', 'scale it'),
    set('uses', 'zero', 0),
    set('uses', 'over-max', MAX_USES + 1),
    malformed('uses-fraction', (c) => (c.uses = 1.5)),
    malformed('uses-string', (c) => (c.uses = '1')),
    set('pre', 'string', 'state'),
    malformed('pre-extra-member', (c) => (c.pre = { ...((c.pre as JsonObject) ?? { digest: String(c.cdg) }), extra: 1 })),
    malformed('pre-version-empty', (c) => (c.pre = { digest: String(c.cdg), version: '' })),
    malformed('pre-version-number', (c) => (c.pre = { digest: String(c.cdg), version: 3 })),
    malformed('pre-digest-short', (c) => (c.pre = { digest: 'abc' })),
    malformed('cnf-extra-member', (c) => (c.cnf = { jkt: String(c.cdg), kid: 'agent' })),
    malformed('cnf-short', (c) => (c.cnf = { jkt: 'abc' })),
    set('cnf', 'empty', {}),
    set('cnf', 'string', 'agent'),
  ],
};
