// The Merkle tree of RFC 9162 section 2.1 (Certificate Transparency v2), over
// leaf hashes. The tree shape is the RFC's: split at the largest power of two
// below n, so roots, inclusion and consistency proofs interoperate with any
// CT verifier. Pure: the callers own storage.
import { MERKLE_LEAF_PREFIX, MERKLE_NODE_PREFIX } from '../crypto-params.js';
import { sha256 } from '../digest.js';
import { InvalidInputError } from '../errors.js';

const LEAF = Buffer.of(MERKLE_LEAF_PREFIX);
const NODE = Buffer.of(MERKLE_NODE_PREFIX);

/** MTH({}) = SHA-256() (RFC 9162 2.1.1). */
export const EMPTY_ROOT: Buffer = sha256(Buffer.alloc(0));

export function leafHash(data: Uint8Array): Buffer {
  return sha256(Buffer.concat([LEAF, data]));
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(Buffer.concat([NODE, left, right]));
}

/** Largest power of two strictly below n (n >= 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// Arithmetic, not bitwise, throughout: JavaScript's bit operators truncate to 32 bits.
function isPowerOfTwo(n: number): boolean {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
}

/** MTH over leaf hashes leaves[start, end). */
export function rootOf(leaves: readonly Buffer[], start = 0, end = leaves.length): Buffer {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[start]!;
  const k = split(n);
  return nodeHash(rootOf(leaves, start, start + k), rootOf(leaves, start + k, end));
}

/** A perfect subtree: the 2^level leaves from index * 2^level. Level 0 is a leaf. */
export interface Subtree {
  readonly level: number;
  readonly index: number;
  readonly hash: Buffer;
}

/** Where a store keeps every perfect subtree it has completed, looked up by (level, index). */
export type SubtreeHashes = (level: number, index: number) => Buffer;

/**
 * The right edge of a tree: one perfect-subtree root per set bit of its size,
 * largest first. Appending merges equal-sized subtrees like a binary counter,
 * so it costs O(log n) hashes, and the root folds the edge right to left,
 * which is exactly MTH for the RFC's left-balanced shape. Immutable, so a
 * failed write can simply keep the previous frontier.
 */
export class Frontier {
  private constructor(
    readonly size: number,
    private readonly edge: readonly Buffer[],
  ) {}

  static readonly EMPTY = new Frontier(0, []);

  static of(leaves: readonly Buffer[]): Frontier {
    let f = Frontier.EMPTY;
    for (const leaf of leaves) f = f.append(leaf);
    return f;
  }

  /** The frontier of a tree of `size` from its stored perfect subtrees: one lookup per set bit of size. */
  static fromSubtrees(size: number, hashes: SubtreeHashes): Frontier {
    return new Frontier(
      size,
      edgeOf(size).map((piece) => hashes(piece.level, piece.start / 2 ** piece.level)),
    );
  }

  append(leaf: Buffer): Frontier {
    return this.appendReporting(leaf).frontier;
  }

  /** Append, and name every perfect subtree the leaf completes (the leaf itself at level 0 first), for a store to keep. */
  appendReporting(leaf: Buffer): { frontier: Frontier; completed: Subtree[] } {
    const edge = [...this.edge];
    let hash = leaf;
    let index = this.size;
    const completed: Subtree[] = [{ level: 0, index, hash }];
    // Each trailing one bit of the old size is a subtree the new leaf completes.
    for (let s = this.size; s % 2 === 1; s = Math.floor(s / 2)) {
      hash = nodeHash(edge.pop()!, hash);
      index = Math.floor(index / 2);
      completed.push({ level: completed.length, index, hash });
    }
    edge.push(hash);
    return { frontier: new Frontier(this.size + 1, edge), completed };
  }

  root(): Buffer {
    return this.rootFrom(0);
  }

  /** MTH of leaves [start, size) where start is where a piece of the edge begins: folds that piece and those after it. */
  rootFrom(start: number): Buffer {
    if (this.size === 0 && start === 0) return EMPTY_ROOT;
    const first = edgeOf(this.size).findIndex((piece) => piece.start === start);
    if (first === -1) throw new InvalidInputError(`Merkle tree: ${start} does not start a subtree of the right edge of a tree of ${this.size}`);
    let hash = this.edge[this.edge.length - 1]!;
    for (let i = this.edge.length - 2; i >= first; i--) hash = nodeHash(this.edge[i]!, hash);
    return hash;
  }
}

/** The perfect subtrees of the right edge of a tree of `size`, largest first. */
function edgeOf(size: number): { level: number; start: number }[] {
  const pieces: { level: number; start: number }[] = [];
  let start = 0;
  for (let level = Math.floor(Math.log2(Math.max(size, 1))) + 1; level >= 0; level--) {
    const width = 2 ** level;
    if (start + width <= size) {
      pieces.push({ level, start });
      start += width;
    }
  }
  return pieces;
}

/**
 * MTH of leaves [start, end) in the tree of `frontier`, for the ranges the
 * RFC's recursion asks about: each is either a perfect subtree (one lookup)
 * or ends at the tree's end and is folded from the frontier (no lookup).
 */
function storedRange(frontier: Frontier, hashes: SubtreeHashes): (start: number, end: number) => Buffer {
  return (start, end) => {
    const width = end - start;
    if (isPowerOfTwo(width) && start % width === 0) return hashes(Math.round(Math.log2(width)), start / width);
    if (end === frontier.size) return frontier.rootFrom(start);
    throw new InvalidInputError(`Merkle tree: [${start}, ${end}) is not a subtree of a tree of ${frontier.size}`);
  };
}

/** PATH(m, D[n]) from stored perfect subtrees: one lookup per proof node. */
export function storedInclusionProof(index: number, frontier: Frontier, hashes: SubtreeHashes): Buffer[] {
  return inclusionPath(index, frontier.size, storedRange(frontier, hashes));
}

/** PROOF(m, D[n]) from stored perfect subtrees: one lookup per proof node. */
export function storedConsistencyProof(m: number, frontier: Frontier, hashes: SubtreeHashes): Buffer[] {
  return consistencyPath(m, frontier.size, storedRange(frontier, hashes));
}

/** PATH(m, D[n]) of RFC 9162 2.1.3.1: the audit path of leaf `index` in the tree over `leaves`. */
export function inclusionProof(index: number, leaves: readonly Buffer[]): Buffer[] {
  return inclusionPath(index, leaves.length, (start, end) => rootOf(leaves, start, end));
}

/** The RFC's recursion for PATH, over a function giving the MTH of a range of leaves. */
function inclusionPath(index: number, size: number, range: (start: number, end: number) => Buffer): Buffer[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new InvalidInputError(`Merkle tree: leaf ${index} is not in a tree of ${size}`);
  const proof: Buffer[] = [];
  const path = (m: number, start: number, end: number): void => {
    if (end - start === 1) return;
    const k = split(end - start);
    if (m < k) {
      path(m, start, start + k);
      proof.push(range(start + k, end));
    } else {
      path(m - k, start + k, end);
      proof.push(range(start, start + k));
    }
  };
  path(index, 0, size);
  return proof;
}

/** RFC 9162 2.1.3.2: does `proof` place `leaf` at `index` in the tree of `size` with `root`? */
export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && Buffer.from(r).equals(root);
}

/** PROOF(m, D[n]) of RFC 9162 2.1.4.1: that the first m leaves are a prefix of all of them. */
export function consistencyProof(m: number, leaves: readonly Buffer[]): Buffer[] {
  return consistencyPath(m, leaves.length, (start, end) => rootOf(leaves, start, end));
}

/** The RFC's recursion for PROOF, over a function giving the MTH of a range of leaves. */
function consistencyPath(m: number, n: number, range: (start: number, end: number) => Buffer): Buffer[] {
  if (!Number.isSafeInteger(m) || m < 0 || m > n) throw new InvalidInputError(`Merkle tree: size ${m} is not within a tree of ${n}`);
  const proof: Buffer[] = [];
  // A tree of size 0 is a prefix of everything; its proof is empty.
  if (m === 0) return proof;
  const sub = (m: number, start: number, end: number, whole: boolean): void => {
    if (m === end - start) {
      if (!whole) proof.push(range(start, end));
      return;
    }
    const k = split(end - start);
    if (m <= k) {
      sub(m, start, start + k, whole);
      proof.push(range(start + k, end));
    } else {
      sub(m - k, start + k, end, false);
      proof.push(range(start, start + k));
    }
  };
  sub(m, 0, n, true);
  return proof;
}

/** RFC 9162 2.1.4.2: is the tree (first, firstRoot) a prefix of (second, secondRoot)? */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) return false;
  if (first === 0) return proof.length === 0 && Buffer.from(firstRoot).equals(EMPTY_ROOT);
  if (first === second) return proof.length === 0 && Buffer.from(firstRoot).equals(secondRoot);
  if (proof.length === 0) return false;
  // When the old tree is a perfect subtree it is its own first proof node.
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : proof;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && Buffer.from(fr).equals(firstRoot) && Buffer.from(sr).equals(secondRoot);
}
