/**
 * A fixed-size bitset over operation indices, with a Zobrist hash kept up to date in O(1) per flip so
 * the search cache never rehashes a whole set.
 *
 * @module
 */

function splitmix32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Per-index random keys for Zobrist hashing (deterministic: the same for every run). */
export function zobristKeys(size: number): Uint32Array {
  const next = splitmix32(0x5eed);
  const keys = new Uint32Array(size);
  for (let i = 0; i < size; i++) keys[i] = next();
  return keys;
}

export class Bitset {
  readonly words: Uint32Array;
  /** XOR of the Zobrist keys of the set bits. */
  hash = 0;

  constructor(
    size: number,
    private readonly keys: Uint32Array,
  ) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  /** The Zobrist key of `index`: the hash after setting it is `hash ^ keyOf(index)`. */
  keyOf(index: number): number {
    return this.keys[index] ?? 0;
  }

  set(index: number): void {
    const w = index >>> 5;
    this.words[w] = (this.words[w] ?? 0) | (1 << (index & 31));
    this.hash = (this.hash ^ (this.keys[index] ?? 0)) >>> 0;
  }

  clear(index: number): void {
    const w = index >>> 5;
    this.words[w] = (this.words[w] ?? 0) & ~(1 << (index & 31));
    this.hash = (this.hash ^ (this.keys[index] ?? 0)) >>> 0;
  }

  /** Whether this set with `extra` added equals the bitset stored in `arena` at `offset`. */
  equalsWith(extra: number, arena: Uint32Array, offset: number): boolean {
    const words = this.words;
    const ew = extra >>> 5;
    const eb = 1 << (extra & 31);
    for (let i = 0; i < words.length; i++) {
      const mine = (words[i] ?? 0) | (i === ew ? eb : 0);
      if (mine >>> 0 !== (arena[offset + i] ?? 0) >>> 0) return false;
    }
    return true;
  }

  /** Writes this set with `extra` added into `arena` at `offset`. */
  writeWith(extra: number, arena: Uint32Array, offset: number): void {
    arena.set(this.words, offset);
    const at = offset + (extra >>> 5);
    arena[at] = (arena[at] ?? 0) | (1 << (extra & 31));
  }
}
