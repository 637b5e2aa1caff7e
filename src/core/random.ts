/**
 * Seeded randomness. Engines never call `Math.random`: they take a {@link Random}, so a simulation
 * replays bit for bit from its seed.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counter), which passes PractRand and
 * BigCrush, seeded through splitmix32 so that nearby seeds give unrelated streams.
 *
 * @module
 */
import { describeValue } from "./describe.js";
import { ValidationError } from "./errors.js";

/** A seed: any integer, or a string (hashed). */
export type Seed = number | string;

/** Serializable generator state, for snapshots and replay. */
export interface RandomState {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

function hashString(text: string): number {
  // FNV-1a, 32-bit: only used to turn a string seed into a number.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function seedNumber(seed: Seed): number {
  if (typeof seed === "string") return hashString(seed);
  if (!Number.isFinite(seed)) {
    throw ValidationError.of("seed", `seed must be a finite number or a string, got ${describeValue(seed)}`);
  }
  // Mix the high bits in so seeds above 2^32 do not collide with their low 32 bits.
  return (Math.trunc(seed) ^ Math.trunc(seed / 0x1_0000_0000)) >>> 0;
}

/**
 * A seeded pseudo-random generator.
 *
 * @example
 * ```ts
 * const random = new Random(42);
 * random.int(1, 6);          // a die roll, the same on every run with seed 42
 * random.pick(["a", "b"]);   // one element
 * const child = random.fork("network"); // independent stream for a sub-component
 * ```
 */
export class Random {
  /** The seed this generator was created from (forks report the derived seed). */
  readonly seed: number;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: Seed = 0) {
    this.seed = seedNumber(seed);
    const sm = { s: this.seed };
    this.a = splitmix32(sm);
    this.b = splitmix32(sm);
    this.c = splitmix32(sm);
    this.d = splitmix32(sm);
    // Discard the first outputs: sfc32 mixes its state over the first few rounds.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Restores a generator from {@link Random.state}. */
  static fromState(state: RandomState, seed = 0): Random {
    const random = new Random(seed);
    random.a = state.a >>> 0;
    random.b = state.b >>> 0;
    random.c = state.c >>> 0;
    random.d = state.d >>> 0;
    return random;
  }

  /** The generator's current state; {@link Random.fromState} continues the same stream. */
  state(): RandomState {
    return { a: this.a, b: this.b, c: this.c, d: this.d };
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1) with 53 bits of randomness. */
  float(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A float in [min, max). */
  uniform(min: number, max: number): number {
    if (!(max >= min)) throw ValidationError.of("max", `max (${max}) must be >= min (${min})`);
    return min + (max - min) * this.float();
  }

  /** An integer in [min, max], both inclusive, without modulo bias. */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max)) {
      throw ValidationError.of("min", `int bounds must be safe integers, got [${min}, ${max}]`);
    }
    if (max < min) throw ValidationError.of("max", `max (${max}) must be >= min (${min})`);
    const span = max - min + 1;
    if (span <= 0x1_0000_0000) {
      // Rejection sampling on 32 bits.
      const limit = 0x1_0000_0000 - (0x1_0000_0000 % span);
      for (;;) {
        const x = this.nextUint32();
        if (x < limit) return min + (x % span);
      }
    }
    return min + Math.floor(this.float() * span);
  }

  /** `true` with probability `p`. */
  bool(p = 0.5): boolean {
    if (!(p >= 0 && p <= 1)) throw ValidationError.of("p", `probability must be in [0, 1], got ${p}`);
    return this.float() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw ValidationError.of("items", "cannot pick from an empty array");
    return items[this.int(0, items.length - 1)] as T;
  }

  /** A shuffled copy (Fisher–Yates); the input is left untouched. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }

  /** A normally distributed value (Box–Muller). */
  normal(mean = 0, stddev = 1): number {
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    return mean + stddev * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** An exponentially distributed value with the given rate (mean `1 / rate`). */
  exponential(rate: number): number {
    if (!(rate > 0)) throw ValidationError.of("rate", `rate must be > 0, got ${rate}`);
    return -Math.log(1 - this.float()) / rate;
  }

  /**
   * An independent generator derived from this one's stream (and `label`, if given). Forking advances
   * this generator, so forks taken in the same order are the same on every run.
   */
  fork(label?: string): Random {
    const base = this.nextUint32();
    return new Random(label === undefined ? base : (base ^ hashString(label)) >>> 0);
  }
}
