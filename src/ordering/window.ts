/**
 * The dedup window: what the service remembers of its last `capacity` delivered events, keyed by id,
 * oldest forgotten first.
 *
 * Laid out for the hot path. V8's `Map` keeps deleted slots until it rehashes, so evicting with
 * `map.keys().next()` rescans every earlier deletion and turns a sliding window quadratic; a ring of
 * keys keeps eviction O(1). The map holds only ring slots (small integers), and each slot's vector
 * clock lives in one flat `Float64Array`: a full window is then a handful of large objects instead
 * of two small ones per event, which the garbage collector would otherwise trace and promote.
 *
 * @module
 * @internal
 */
import type { HlcTimestamp } from "./types.js";

/** No such id in the window. */
export const ABSENT = -1;

/** Growth start for the flat arrays, so a large configured window costs memory only as it fills. */
const INITIAL_SLOTS = 1024;

export class DeliveredWindow {
  private readonly slots = new Map<string, number>();
  private readonly ids: (string | undefined)[] = [];
  private readonly hlcs: (HlcTimestamp | undefined)[] = [];
  private vcs: Float64Array;
  private head = 0;

  /** @param width vector clock length (the number of origins) */
  constructor(
    readonly capacity: number,
    private readonly width: number,
  ) {
    this.vcs = new Float64Array(Math.min(capacity, INITIAL_SLOTS) * width);
  }

  get size(): number {
    return this.slots.size;
  }

  /** The slot holding `id`, or {@link ABSENT}. Valid until the next {@link DeliveredWindow.add}. */
  slotOf(id: string): number {
    const slot = this.slots.get(id);
    return slot === undefined ? ABSENT : slot;
  }

  hlcAt(slot: number): HlcTimestamp {
    return this.hlcs[slot] as HlcTimestamp;
  }

  /** Raises `vc` to at least the vector clock stored at `slot`, component-wise. */
  joinInto(vc: number[], slot: number): void {
    const vcs = this.vcs;
    const base = slot * this.width;
    for (let i = 0; i < vc.length; i++) {
      const seen = vcs[base + i] as number;
      if (seen > (vc[i] as number)) vc[i] = seen;
    }
  }

  /** Adds an id not yet present with its timestamp and vector clock, forgetting the oldest one when full. */
  add(id: string, hlc: HlcTimestamp, vc: readonly number[]): void {
    const slot = this.head;
    const evicted = this.ids[slot];
    if (evicted !== undefined) this.slots.delete(evicted);
    this.ids[slot] = id;
    this.hlcs[slot] = hlc;
    const base = slot * this.width;
    if (base + this.width > this.vcs.length) this.grow();
    this.vcs.set(vc, base);
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
    this.slots.set(id, slot);
  }

  private grow(): void {
    const next = new Float64Array(Math.min(this.capacity, (this.vcs.length / this.width) * 2) * this.width);
    next.set(this.vcs);
    this.vcs = next;
  }
}
