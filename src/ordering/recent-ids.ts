/**
 * A bounded memory of recent ids: the last `capacity` added, oldest forgotten first, with a ring of
 * keys so eviction stays O(1) (see window.ts for why not `map.keys().next()`).
 *
 * @module
 * @internal
 */
export class RecentIds {
  private readonly ids = new Set<string>();
  private readonly ring: (string | undefined)[] = [];
  private head = 0;

  constructor(readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.size !== 0 && this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    const evicted = this.ring[this.head];
    if (evicted !== undefined) this.ids.delete(evicted);
    this.ring[this.head] = id;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    this.ids.add(id);
  }
}
