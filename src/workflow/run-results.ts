/**
 * A run's `results`, keyed by node id, read from the run's per-node arrays on demand. Building a
 * plain object of 10,000 entries at the end of every run cost more than half of what a hand-written
 * loop spends on the whole run, while callers typically read a handful of nodes; so each entry is
 * built on first read and then kept, and the view behaves as a read-only plain object otherwise:
 * `Object.keys`, spreading, `JSON.stringify`, `in` and `util.inspect` see every node, in node order.
 *
 * @module
 */
import type { NodeResult } from "./types.js";

/** Where the view reads a node's result: `resultOf` is only called once the run has settled. */
export interface ResultSource {
  readonly ids: readonly string[];
  readonly indexOf: ReadonlyMap<string, number>;
  resultOf(index: number): NodeResult;
}

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

/** `util.inspect` looks through a proxy at its target: the target prints the entries instead. */
function inspectEntries(this: Readonly<Record<string, NodeResult>>): Record<string, NodeResult> {
  return { ...this };
}

class ResultsHandler implements ProxyHandler<Record<string, NodeResult>> {
  private readonly source: ResultSource;
  private readonly built: Array<NodeResult | undefined>;

  constructor(source: ResultSource) {
    this.source = source;
    this.built = new Array<NodeResult | undefined>(source.ids.length);
  }

  private entry(key: string | symbol): NodeResult | undefined {
    if (typeof key !== "string") return undefined;
    const index = this.source.indexOf.get(key);
    if (index === undefined) return undefined;
    // Kept once built, so reading a node twice gives the same object.
    let result = this.built[index];
    if (result === undefined) {
      result = this.source.resultOf(index);
      this.built[index] = result;
    }
    return result;
  }

  get(target: Record<string, NodeResult>, key: string | symbol, receiver: unknown): unknown {
    return this.entry(key) ?? Reflect.get(target, key, receiver);
  }

  has(target: Record<string, NodeResult>, key: string | symbol): boolean {
    return (typeof key === "string" && this.source.indexOf.has(key)) || Reflect.has(target, key);
  }

  ownKeys(): Array<string | symbol> {
    return this.source.ids.slice();
  }

  getOwnPropertyDescriptor(target: Record<string, NodeResult>, key: string | symbol): PropertyDescriptor | undefined {
    const value = this.entry(key);
    // Configurable, as the target does not hold it: a proxy may only report what its target could.
    if (value !== undefined) return { value, writable: false, enumerable: true, configurable: true };
    return Reflect.getOwnPropertyDescriptor(target, key);
  }

  set(): boolean {
    return false;
  }

  defineProperty(): boolean {
    return false;
  }

  deleteProperty(): boolean {
    return false;
  }

  setPrototypeOf(): boolean {
    return false;
  }
}

/** The read-only results view of a settled run. */
export function resultsView(source: ResultSource): Readonly<Record<string, NodeResult>> {
  const target: Record<string, NodeResult> = {};
  Object.defineProperty(target, inspectSymbol, { value: inspectEntries, enumerable: false, configurable: true, writable: false });
  return new Proxy(target, new ResultsHandler(source));
}
