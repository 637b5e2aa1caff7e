/**
 * A bounded map that forgets its oldest insertions first. V8's `Map` keeps deleted slots until it
 * rehashes, so evicting with `map.keys().next()` rescans every earlier deletion and turns a sliding
 * window quadratic; a ring of keys keeps eviction O(1).
 *
 * @module
 * @internal
 */
export class FifoWindow<V> {
  private readonly map = new Map<string, V>();
  private readonly ring: (string | undefined)[];
  private head = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<string | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Adds a key not yet present, forgetting the oldest one when full. */
  add(key: string, value: V): void {
    const evicted = this.ring[this.head];
    if (evicted !== undefined) this.map.delete(evicted);
    this.ring[this.head] = key;
    this.head = (this.head + 1) % this.capacity;
    this.map.set(key, value);
  }
}
