/**
 * The simulated network's in-flight messages: a binary min-heap ordered by (due time, sequence
 * number), so ties are broken by send order and the delivery order depends only on the seed.
 *
 * @module
 */
import type { NodeId } from "./types.js";

/** One message copy on its way. */
export interface InFlight {
  readonly due: number;
  /** Global, strictly increasing: the tie-breaker that makes the order total. */
  readonly seq: number;
  /** Id of the original send (shared by a message and its duplicate), for traces. */
  readonly messageId: number;
  readonly from: NodeId;
  readonly to: NodeId;
  /** The serialized message (`cloneMessages`) or the message itself. */
  readonly payload: unknown;
  readonly serialized: boolean;
}

function before(a: InFlight, b: InFlight): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

export class DeliveryQueue {
  private readonly heap: InFlight[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): InFlight | undefined {
    return this.heap[0];
  }

  push(item: InFlight): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as InFlight;
      if (!before(item, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = item;
  }

  pop(): InFlight | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    const n = heap.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && before(heap[right] as InFlight, heap[left] as InFlight)) child = right;
      const c = heap[child] as InFlight;
      if (!before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  /** Removes every entry matching `drop`; returns them in delivery order. */
  removeWhere(drop: (item: InFlight) => boolean): InFlight[] {
    const kept: InFlight[] = [];
    const removed: InFlight[] = [];
    for (const item of this.heap) (drop(item) ? removed : kept).push(item);
    this.heap.length = 0;
    for (const item of kept) this.push(item);
    return removed.sort((a, b) => (before(a, b) ? -1 : 1));
  }
}
