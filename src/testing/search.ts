/**
 * The Wing & Gong search with Lowe's memoisation, as in porcupine: the history is a doubly linked
 * list of call and return events; linearizing an operation lifts its call and return out of the
 * list, backtracking puts them back; a cache of (linearized set, state) pairs prunes configurations
 * already explored. The search is resumable in slices of steps, so several partitions can be raced.
 *
 * @module
 */
import { Bitset, zobristKeys } from "./bitset.js";
import type { Counterexample, Model, Operation, Verdict } from "./types.js";

const NONE = -1;

function defaultHash(state: unknown): string | number {
  if (typeof state === "number" || typeof state === "string") return state;
  if (state === null || state === undefined || typeof state === "boolean") return String(state);
  return JSON.stringify(state);
}

/** Whether an operation's outcome is unknown (no return, or an infinite one). */
export function isUnknownOutcome(op: Operation<unknown, unknown>): boolean {
  return op.return === undefined || op.return === Number.POSITIVE_INFINITY;
}

function describeOps<S, I, O>(model: Model<S, I, O>, linearized: readonly Operation<I, O>[], stuck: Operation<I, O>): string {
  const render = (op: Operation<I, O>): string => {
    const unknown = isUnknownOutcome(op);
    const output = unknown ? undefined : op.output;
    const text = model.describe ? model.describe(op.input, output) : `${JSON.stringify(op.input)} -> ${unknown ? "?" : JSON.stringify(output)}`;
    return `client ${String(op.clientId)} [${op.call}, ${unknown ? "∞" : String(op.return)}] ${text}`;
  };
  const lines = linearized.map((op, i) => `  ${i + 1}. ${render(op)}`);
  return [`linearized ${linearized.length} operation(s):`, ...lines, `then no order admits: ${render(stuck)}`].join("\n");
}

/** A search over one (partition of a) history that runs in slices: `run(steps)` until it has a verdict. */
export class PartitionSearch<S, I, O> {
  /** `undefined` while still searching. */
  verdict: Verdict | undefined;
  steps = 0;
  counterexample: Counterexample<I, O> | undefined;
  /**
   * Most cache entries this search may hold; set by the checker before each slice. Reaching it pauses
   * the search (`run` returns `undefined` with {@link PartitionSearch.full} set) instead of growing.
   */
  cacheLimit = Number.POSITIVE_INFINITY;
  /** Set when the search stopped because its cache reached `cacheLimit`. */
  full = false;

  private readonly n: number;
  private readonly head: number;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly opOf: Int32Array;
  private readonly isCall: Uint8Array;
  private readonly match: Int32Array;
  private readonly unknown: Uint8Array;
  private readonly linearized: Bitset;
  /** Cache key → ids of cache entries; entry `id` has bitset words at `id * words` in `arena` and state `cachedStates[id]`. */
  private readonly cache = new Map<string | number, number | number[]>();
  private readonly words: number;
  private arena: Uint32Array;
  private readonly cachedStates: S[] = [];
  private readonly hashState: (state: S) => string | number;
  private readonly equalState: (a: S, b: S) => boolean;
  private readonly callStack: number[] = [];
  private readonly stateStack: S[] = [];
  private state: S;
  private entry: number;
  private bestDepth = -1;
  private bestLinearized: number[] = [];
  private bestStuck = 0;

  constructor(
    private readonly model: Model<S, I, O>,
    private readonly history: readonly Operation<I, O>[],
  ) {
    const n = history.length;
    this.n = n;
    // Events: 2k is op k's call, 2k+1 its return; sorted by time with calls before returns on ties
    // (touching intervals count as concurrent). Unknown outcomes return at +Infinity.
    const time = (event: number): number => {
      const op = history[event >> 1] as Operation<I, O>;
      if ((event & 1) === 0) return op.call;
      return isUnknownOutcome(op) ? Number.POSITIVE_INFINITY : (op.return as number);
    };
    const sorted = Array.from({ length: 2 * n }, (_, event) => event).sort((a, b) => {
      const ta = time(a);
      const tb = time(b);
      if (ta !== tb) return ta < tb ? -1 : 1;
      if ((a & 1) !== (b & 1)) return (a & 1) - (b & 1);
      return a - b;
    });
    // A linked list over positions 0..2n-1; position 2n is the head sentinel.
    this.head = 2 * n;
    this.next = new Int32Array(2 * n + 1);
    this.prev = new Int32Array(2 * n + 1);
    this.opOf = new Int32Array(2 * n);
    this.isCall = new Uint8Array(2 * n);
    this.match = new Int32Array(2 * n);
    const positionOfEvent = new Int32Array(2 * n);
    sorted.forEach((event, position) => {
      positionOfEvent[event] = position;
      this.opOf[position] = event >> 1;
      this.isCall[position] = (event & 1) === 0 ? 1 : 0;
    });
    for (let position = 0; position < 2 * n; position++) {
      this.match[position] = this.isCall[position] === 1 ? (positionOfEvent[((this.opOf[position] as number) << 1) | 1] as number) : NONE;
      this.prev[position] = position === 0 ? this.head : position - 1;
      this.next[position] = position === 2 * n - 1 ? NONE : position + 1;
    }
    this.next[this.head] = n === 0 ? NONE : 0;
    this.prev[this.head] = NONE;
    this.unknown = new Uint8Array(n);
    for (let k = 0; k < n; k++) this.unknown[k] = isUnknownOutcome(history[k] as Operation<I, O>) ? 1 : 0;
    this.linearized = new Bitset(n, zobristKeys(n));
    this.words = this.linearized.words.length;
    // Bitsets of cached configurations live in one growing arena: one typed array per entry would
    // make the garbage collector the bottleneck.
    this.arena = new Uint32Array(Math.max(1, this.words) * 1024);
    const hash = model.hash ?? defaultHash;
    this.hashState = hash;
    this.equalState = model.equal ?? ((a: S, b: S) => Object.is(a, b) || hash(a) === hash(b));
    this.state = model.init();
    this.entry = this.next[this.head] as number;
    if (n === 0) this.verdict = "ok";
  }

  /** Runs at most `maxSteps` more steps; returns the verdict, or `undefined` if still searching. */
  run(maxSteps: number): Verdict | undefined {
    if (this.verdict !== undefined) return this.verdict;
    const { next, isCall, opOf, unknown, history, model, linearized } = this;
    const limit = this.steps + maxSteps;
    let entry = this.entry;
    let state = this.state;
    let steps = this.steps;
    try {
      while (entry !== NONE) {
        if (steps >= limit) return undefined;
        const k = opOf[entry] as number;
        steps++;
        if (isCall[entry] === 1) {
          const op = history[k] as Operation<I, O>;
          const [legal, nextState] = model.step(state, op.input, unknown[k] === 1 ? undefined : op.output);
          if (legal && this.cachedStates.length >= this.cacheLimit) {
            // Out of memory budget: stop before this step, so a larger budget could resume here.
            this.full = true;
            return undefined;
          }
          if (legal && this.remember(k, nextState)) {
            this.callStack.push(entry);
            this.stateStack.push(state);
            state = nextState;
            linearized.set(k);
            this.lift(entry);
            entry = next[this.head] as number;
          } else {
            entry = next[entry] as number;
          }
          continue;
        }
        // A return event: its operation had to be linearized by now. If it is an unknown outcome, only
        // unknown-outcome operations remain, and they may simply never take effect.
        if (unknown[k] === 1) return this.succeed();
        if (this.callStack.length > this.bestDepth) {
          this.bestDepth = this.callStack.length;
          this.bestLinearized = this.callStack.map((position) => opOf[position] as number);
          this.bestStuck = k;
        }
        const call = this.callStack.pop();
        if (call === undefined) return this.fail();
        state = this.stateStack.pop() as S;
        linearized.clear(opOf[call] as number);
        this.unlift(call);
        entry = next[call] as number;
      }
      return this.succeed();
    } finally {
      this.entry = entry;
      this.state = state;
      this.steps = steps;
    }
  }

  /** Adds (linearized ∪ {k}, state) to the cache; `false` if it was already there. */
  private remember(k: number, state: S): boolean {
    const bitsHash = (this.linearized.hash ^ this.linearized.keyOf(k)) >>> 0;
    const h = this.hashState(state);
    // Integers combine without building a string; collisions are settled by the equality test below.
    const key = typeof h === "number" && Number.isInteger(h) ? (Math.imul(bitsHash, 31) + h) | 0 : `${bitsHash}:${h}`;
    const bucket = this.cache.get(key);
    if (bucket !== undefined) {
      if (typeof bucket === "number") {
        if (this.isCached(bucket, k, state)) return false;
      } else {
        for (const id of bucket) if (this.isCached(id, k, state)) return false;
      }
    }
    const id = this.cachedStates.length;
    this.cachedStates.push(state);
    const words = this.words;
    if ((id + 1) * words > this.arena.length) {
      const grown = new Uint32Array(this.arena.length * 2);
      grown.set(this.arena);
      this.arena = grown;
    }
    this.linearized.writeWith(k, this.arena, id * words);
    if (bucket === undefined) this.cache.set(key, id);
    else if (typeof bucket === "number") this.cache.set(key, [bucket, id]);
    else bucket.push(id);
    return true;
  }

  private isCached(id: number, k: number, state: S): boolean {
    return this.linearized.equalsWith(k, this.arena, id * this.words) && this.equalState(this.cachedStates[id] as S, state);
  }

  private succeed(): Verdict {
    this.release();
    return (this.verdict = "ok");
  }

  /** Frees the cache once there is a verdict. */
  private release(): void {
    this.cache.clear();
    this.cachedStates.length = 0;
    this.arena = new Uint32Array(0);
  }

  private fail(): Verdict {
    const linearized = this.bestLinearized.map((k) => this.history[k] as Operation<I, O>);
    const stuckAt = this.history[this.bestStuck] as Operation<I, O>;
    this.counterexample = { linearized, stuckAt, description: describeOps(this.model, linearized, stuckAt) };
    this.release();
    return (this.verdict = "illegal");
  }

  private lift(call: number): void {
    const { next, prev } = this;
    const ret = this.match[call] as number;
    next[prev[call] as number] = next[call] as number;
    prev[next[call] as number] = prev[call] as number;
    next[prev[ret] as number] = next[ret] as number;
    const after = next[ret] as number;
    if (after !== NONE) prev[after] = prev[ret] as number;
  }

  private unlift(call: number): void {
    const { next, prev } = this;
    const ret = this.match[call] as number;
    next[prev[ret] as number] = ret;
    const after = next[ret] as number;
    if (after !== NONE) prev[after] = ret;
    prev[next[call] as number] = call;
    next[prev[call] as number] = call;
  }

  /** Entries in the search cache. */
  get cacheSize(): number {
    return this.cachedStates.length;
  }

  /** Approximate bytes one cache entry takes: its bitset words plus the map and array slots. */
  get bytesPerCacheEntry(): number {
    return this.words * 4 + 96;
  }

  /** Number of operations. */
  get size(): number {
    return this.n;
  }
}
