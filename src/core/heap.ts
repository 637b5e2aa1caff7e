/**
 * A binary min-heap under a caller-supplied strict order. Used wherever an engine repeatedly takes
 * the smallest of a changing set: timers by due time, in-flight messages, events ready by HLC.
 *
 * @module
 */
export class MinHeap<T> {
  private readonly items: T[] = [];
  private readonly less: (a: T, b: T) => boolean;

  /** `less(a, b)` is true when `a` must come out before `b`. Make it total for a deterministic order. */
  constructor(less: (a: T, b: T) => boolean) {
    this.less = less;
  }

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** The first item (in heap order, not sorted order) matching `predicate`. */
  find(predicate: (item: T) => boolean): T | undefined {
    return this.items.find(predicate);
  }

  push(item: T): void {
    const items = this.items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as T;
      if (!this.less(item, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    const n = items.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.less(items[right] as T, items[left] as T)) child = right;
      const c = items[child] as T;
      if (!this.less(c, last)) break;
      items[i] = c;
      i = child;
    }
    items[i] = last;
    return top;
  }

  /** Removes every item matching `drop`; returns them in heap-pop order. */
  removeWhere(drop: (item: T) => boolean): T[] {
    const kept: T[] = [];
    const removed: T[] = [];
    for (const item of this.items) (drop(item) ? removed : kept).push(item);
    if (removed.length === 0) return removed;
    this.items.length = 0;
    for (const item of kept) this.push(item);
    return removed.sort((a, b) => (this.less(a, b) ? -1 : this.less(b, a) ? 1 : 0));
  }
}
