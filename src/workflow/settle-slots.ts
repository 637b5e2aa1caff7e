/**
 * The callbacks a run hands to its nodes' promises. A pair of closures per node (one for the value,
 * one for the error) was a tenth of what a trivial node allocated; instead, each run keeps one pair
 * per slot, a slot waits on one node at a time, and it is free again once that node's promise
 * settled. A run then creates as many pairs as it ever had nodes in flight at once.
 *
 * A slot may only be taken for a promise (or anything) that calls exactly one of its callbacks at
 * most once: the first call frees it for the next node.
 *
 * @module
 */

/** Told which node settled, and whether it returned (`threw` false) or threw. */
export type SlotSettled = (index: number, threw: boolean, value: unknown) => void;

export class SettleSlots {
  private readonly onSettled: SlotSettled;
  /** The node each slot waits on. */
  private readonly nodeOf: number[] = [];
  /**
   * Slots not waiting on any node, as a stack of `freeCount` entries. A typed array rather than an
   * array's `push` and `pop`: the stack empties and refills with every slice of nodes, and `pop` may
   * shrink an array's storage, which the next `push` then grows again.
   */
  private free = new Int32Array(16);
  private freeCount = 0;
  private readonly returned: Array<(value: unknown) => void> = [];
  private readonly threw: Array<(error: unknown) => void> = [];

  constructor(onSettled: SlotSettled) {
    this.onSettled = onSettled;
  }

  /** How many callback pairs the run created: its peak of nodes in flight at once. */
  get pairs(): number {
    return this.returned.length;
  }

  /** Registers node `index`'s settlement on `promise`. */
  await(promise: PromiseLike<unknown>, index: number): void {
    let slot: number;
    if (this.freeCount > 0) slot = this.free[--this.freeCount] ?? 0;
    else {
      slot = this.nodeOf.length;
      const taken = slot;
      this.returned.push((value) => this.settled(taken, false, value));
      this.threw.push((error) => this.settled(taken, true, error));
    }
    this.nodeOf[slot] = index;
    promise.then(this.returned[slot], this.threw[slot]);
  }

  private settled(slot: number, threw: boolean, value: unknown): void {
    const index = this.nodeOf[slot] ?? -1;
    // Freed before the callback runs: it may launch nodes that take this very slot.
    if (this.freeCount === this.free.length) {
      const grown = new Int32Array(this.free.length * 2);
      grown.set(this.free);
      this.free = grown;
    }
    this.free[this.freeCount++] = slot;
    this.onSettled(index, threw, value);
  }
}
