/** A binary min-heap of timed events (ties in insertion order): the clock of the direct simulator. */
interface Event {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

export class EventQueue {
  private heap: Event[] = [];
  private seq = 0;
  now = 0;

  at(time: number, fn: () => void): void {
    const event = { at: Math.max(time, this.now), seq: this.seq++, fn };
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(event, heap[parent] as Event)) break;
      heap[i] = heap[parent] as Event;
      i = parent;
    }
    heap[i] = event;
  }

  after(delay: number, fn: () => void): void {
    this.at(this.now + delay, fn);
  }

  /** Runs events until `until` returns true or time passes `limit`; returns whether `until` held. */
  run(until: () => boolean, limit: number): boolean {
    for (;;) {
      if (until()) return true;
      const next = this.heap[0];
      if (next === undefined || next.at > limit) return until();
      const event = this.pop() as Event;
      this.now = event.at;
      event.fn();
    }
  }

  private pop(): Event | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop() as Event;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && less(heap[r] as Event, heap[l] as Event) ? r : l;
        if (!less(heap[child] as Event, last)) break;
        heap[i] = heap[child] as Event;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function less(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
