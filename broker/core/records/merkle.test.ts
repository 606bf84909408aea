import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import {
  EMPTY_ROOT,
  Frontier,
  consistencyProof,
  inclusionProof,
  leafHash,
  rootOf,
  storedConsistencyProof,
  storedInclusionProof,
  verifyConsistency,
  verifyInclusion,
  type SubtreeHashes,
} from './merkle.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// The eight leaves of the Certificate Transparency reference tests (RFC 6962
// implementations: certificate-transparency-go/merkle, transparency-dev/merkle).
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) =>
  leafHash(Buffer.from(h, 'hex')),
);
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('known answers', () => {
  it('the empty tree root is SHA-256 of no bytes', () => {
    expect(hex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(rootOf([])).toEqual(EMPTY_ROOT);
    expect(Frontier.EMPTY.root()).toEqual(EMPTY_ROOT);
  });

  it('matches the CT reference roots for 1..8 leaves, both ways', () => {
    for (let n = 1; n <= 8; n++) {
      expect(hex(rootOf(CT_LEAVES.slice(0, n)))).toBe(CT_ROOTS[n - 1]);
      expect(hex(Frontier.of(CT_LEAVES.slice(0, n)).root())).toBe(CT_ROOTS[n - 1]);
    }
  });

  it('matches the CT reference audit path of leaf 0 in 8, which is also the 1 -> 8 consistency proof', () => {
    const expected = [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ];
    expect(inclusionProof(0, CT_LEAVES).map(hex)).toEqual(expected);
    // PROOF(1, D[8]) omits the old root itself: it is a perfect subtree, prepended by the verifier.
    expect(consistencyProof(1, CT_LEAVES).map(hex)).toEqual(expected);
  });
});

// Leaves are made distinct (index first): with two equal leaves, swapping their indices is no forgery.
const leavesArb = fc
  .array(fc.uint8Array({ maxLength: 6 }), { minLength: 1, maxLength: 70 })
  .map((data) => data.map((d, i) => leafHash(Buffer.concat([Buffer.of(i), d]))));

function flipByte(b: Uint8Array, at: number): Buffer {
  const out = Buffer.from(b);
  out[at % out.length]! ^= 1 + (at % 255);
  return out;
}

describe('frontier', () => {
  it('gives MTH after every append', () => {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        let f = Frontier.EMPTY;
        for (let n = 1; n <= leaves.length; n++) {
          f = f.append(leaves[n - 1]!);
          expect(f.size).toBe(n);
          expect(f.root()).toEqual(rootOf(leaves.slice(0, n)));
        }
      }),
    );
  });
});

describe('inclusion proofs', () => {
  it('verify for every leaf, and fail for an altered proof, leaf, root or index', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), fc.nat(), (leaves, pick, at) => {
        const n = leaves.length;
        const root = rootOf(leaves);
        const i = pick % n;
        const proof = inclusionProof(i, leaves);
        expect(verifyInclusion(i, n, leaves[i]!, proof, root)).toBe(true);
        expect(verifyInclusion(i, n, flipByte(leaves[i]!, at), proof, root)).toBe(false);
        expect(verifyInclusion(i, n, leaves[i]!, proof, flipByte(root, at))).toBe(false);
        // The proof does not bind the size by itself (its shape for 3 and 4 leaves can coincide); the
        // signed tree head binds size to root. A grown tree's root does not accept the old proof.
        const grown = rootOf([...leaves, leafHash(Buffer.from('extra'))]);
        expect(verifyInclusion(i, n + 1, leaves[i]!, proof, grown)).toBe(false);
        expect(verifyInclusion(n, n, leaves[i]!, proof, root)).toBe(false);
        expect(verifyInclusion(i, n, leaves[i]!, [...proof, root], root)).toBe(false);
        if (proof.length > 0) {
          const k = at % proof.length;
          const altered = proof.map((p, j) => (j === k ? flipByte(p, at) : p));
          expect(verifyInclusion(i, n, leaves[i]!, altered, root)).toBe(false);
          expect(verifyInclusion(i, n, leaves[i]!, proof.slice(1), root)).toBe(false);
          expect(verifyInclusion((i + 1 + (at % (n - 1))) % n, n, leaves[i]!, proof, root)).toBe(false);
        }
      }),
    );
  });
});

describe('consistency proofs', () => {
  it('verify for every 0 < m <= n', () => {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        const n = leaves.length;
        const root = rootOf(leaves);
        for (let m = 1; m <= n; m++) {
          expect(verifyConsistency(m, n, rootOf(leaves.slice(0, m)), root, consistencyProof(m, leaves))).toBe(true);
        }
      }),
    );
  });

  it('fail for a forked old tree, an altered proof, or other sizes', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), fc.nat(), (leaves, pick, at) => {
        const n = leaves.length;
        const m = 1 + (pick % n);
        const root = rootOf(leaves);
        const proof = consistencyProof(m, leaves);
        // The other copy agrees with this one except for one of its first m leaves.
        const forked = leaves.slice(0, m).map((l, j) => (j === at % m ? flipByte(l, at) : l));
        expect(verifyConsistency(m, n, rootOf(forked), root, proof)).toBe(false);
        if (proof.length > 0) {
          const k = at % proof.length;
          expect(verifyConsistency(m, n, rootOf(leaves.slice(0, m)), root, proof.map((p, j) => (j === k ? flipByte(p, at) : p)))).toBe(false);
          expect(verifyConsistency(m, n, rootOf(leaves.slice(0, m)), flipByte(root, at), proof)).toBe(false);
          const grown = rootOf([...leaves, leafHash(Buffer.from('extra'))]);
          expect(verifyConsistency(m, n + 1, rootOf(leaves.slice(0, m)), grown, proof)).toBe(false);
        }
        expect(verifyConsistency(m + 1, n, rootOf(leaves.slice(0, m)), root, proof)).toBe(false);
      }),
    );
  });

  it('treats the empty tree as a prefix of every tree, with an empty proof', () => {
    expect(consistencyProof(0, CT_LEAVES)).toEqual([]);
    expect(verifyConsistency(0, 8, EMPTY_ROOT, Buffer.from(CT_ROOTS[7]!, 'hex'), [])).toBe(true);
    expect(verifyConsistency(0, 8, CT_LEAVES[0]!, Buffer.from(CT_ROOTS[7]!, 'hex'), [])).toBe(false);
  });

  it('refuses sizes outside the tree', () => {
    expect(() => consistencyProof(9, CT_LEAVES)).toThrow(InvalidInputError);
    expect(() => inclusionProof(8, CT_LEAVES)).toThrow(InvalidInputError);
  });
});

/** The perfect subtrees a store would keep, as appendReporting names them, and a lookup that counts its reads. */
function storedTree(leaves: readonly Buffer[]): { frontier: Frontier; hashes: SubtreeHashes; reads: () => number } {
  const kept = new Map<string, Buffer>();
  let frontier = Frontier.EMPTY;
  for (const leaf of leaves) {
    const appended = frontier.appendReporting(leaf);
    for (const t of appended.completed) kept.set(`${t.level}/${t.index}`, t.hash);
    frontier = appended.frontier;
  }
  let reads = 0;
  const hashes: SubtreeHashes = (level, index) => {
    reads++;
    const hash = kept.get(`${level}/${index}`);
    if (hash === undefined) throw new Error(`no subtree ${level}/${index}`);
    return hash;
  };
  return { frontier, hashes, reads: () => reads };
}

describe('proofs from stored perfect subtrees', () => {
  const sized = fc.integer({ min: 1, max: 600 }).map((n) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(String(i)))));

  it('equal the RFC 9162 proofs over all leaves, for random sizes and indexes', () => {
    fc.assert(
      fc.property(sized, fc.nat(), fc.nat(), (leaves, pick, at) => {
        const { frontier, hashes } = storedTree(leaves);
        const index = pick % leaves.length;
        const m = at % (leaves.length + 1);
        expect(storedInclusionProof(index, frontier, hashes)).toEqual(inclusionProof(index, leaves));
        expect(storedConsistencyProof(m, frontier, hashes)).toEqual(consistencyProof(m, leaves));
        const restored = Frontier.fromSubtrees(leaves.length, hashes);
        expect(restored.root()).toEqual(rootOf(leaves));
        expect(restored.appendReporting(leaves[0]!).frontier.root()).toEqual(rootOf([...leaves, leaves[0]!]));
      }),
      { numRuns: 150 },
    );
  });

  it('read one stored subtree per proof node, never every leaf', () => {
    const n = 5000;
    const { frontier, hashes, reads } = storedTree(Array.from({ length: n }, (_, i) => leafHash(Buffer.from(String(i)))));
    const bound = Math.ceil(Math.log2(n)) + 1;
    for (const index of [0, 1, 2047, 4095, 4096, n - 1]) {
      const before = reads();
      const proof = storedInclusionProof(index, frontier, hashes);
      expect(reads() - before).toBeLessThanOrEqual(proof.length);
      expect(proof.length).toBeLessThanOrEqual(bound);
    }
    for (const m of [1, 3, 1000, 4096, n - 1]) {
      const before = reads();
      const proof = storedConsistencyProof(m, frontier, hashes);
      expect(reads() - before).toBeLessThanOrEqual(proof.length);
    }
    const before = reads();
    Frontier.fromSubtrees(n, hashes);
    // One read per set bit of the size.
    expect(reads() - before).toBe(n.toString(2).replace(/0/g, '').length);
  });

  it('refuses a range that is neither a perfect subtree nor on the right edge', () => {
    const { frontier } = storedTree([leafHash(Buffer.of(1)), leafHash(Buffer.of(2)), leafHash(Buffer.of(3))]);
    expect(() => frontier.rootFrom(1)).toThrow(InvalidInputError);
    expect(frontier.rootFrom(2)).toEqual(leafHash(Buffer.of(3)));
  });
});
