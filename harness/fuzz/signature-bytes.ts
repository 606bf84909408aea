// The certificate's signature bytes as a case plans them: by the signer,
// another key, nobody or an HMAC keyed with the public key; then changed.
import { createHmac } from 'node:crypto';
import { signBytes } from '../../broker/core/jws.js';
import { issuerKey } from './keys.js';
import type { Draft } from './model.js';

/** Order of the P-256 group. */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

export function signatureBytes(d: Draft, signingInput: Buffer): Buffer {
  const by = d.signature.by;
  switch (by.kind) {
    case 'signer':
      return signBytes(issuerKey(d.signer).signing, signingInput);
    case 'pool':
      return signBytes(issuerKey(by.index).signing, signingInput);
    case 'none':
      return Buffer.alloc(0);
    case 'hmac':
      return createHmac('sha256', JSON.stringify(issuerKey(d.signer).publicJwk)).update(signingInput).digest();
  }
}

export function tampered(d: Draft, signature: Buffer): Buffer {
  const { tamper, at } = d.signature;
  const es256 = issuerKey(d.signer).alg === 'ES256' && signature.length === 64;
  switch (tamper) {
    case 'flip': {
      if (signature.length === 0) return Buffer.from([1]);
      const out = Buffer.from(signature);
      const i = at % out.length;
      out[i] = (out[i] as number) ^ (1 << (Math.floor(at / 97) % 8));
      return out;
    }
    case 'truncate':
      return signature.length === 0 ? Buffer.from([0]) : signature.subarray(0, signature.length - 1);
    case 'extend':
      return Buffer.concat([signature, Buffer.from([0])]);
    case 'empty':
      return Buffer.alloc(0);
    case 'der':
      return es256 ? toDer(signature) : tampered({ ...d, signature: { ...d.signature, tamper: 'flip' } }, signature);
    case 'malleate':
      return es256 ? Buffer.concat([signature.subarray(0, 32), toBytes32(P256_N - BigInt(`0x${signature.subarray(32).toString('hex')}`))]) : signature;
    default:
      return signature;
  }
}

function toBytes32(n: bigint): Buffer {
  return Buffer.from(n.toString(16).padStart(64, '0'), 'hex');
}

/** ECDSA r||s as the DER SEQUENCE of two INTEGERs that other JOSE stacks mistakenly send. */
function toDer(p1363: Buffer): Buffer {
  const integer = (bytes: Buffer) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    let body = bytes.subarray(i);
    if (((body[0] as number) & 0x80) !== 0) body = Buffer.concat([Buffer.from([0]), body]);
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const seq = Buffer.concat([integer(p1363.subarray(0, 32)), integer(p1363.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, seq.length]), seq]);
}
