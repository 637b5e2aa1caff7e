/**
 * Recycled send buffers. Fresh memory is expensive to write the first time (the kernel maps and
 * zeroes every page on first touch; measured at about ten times the cost of copying into memory
 * already mapped), so the send queue packs frames into slabs that come back here once the socket
 * has written them, instead of allocating new ones for every batch.
 *
 * @module
 * @internal
 */

export class SlabPool {
  private readonly free: Buffer[] = [];

  /**
   * @param slabBytes Size of every slab.
   * @param maxKept Most idle slabs kept; more are left to the garbage collector, so a burst does
   *   not pin its peak memory for the life of the process.
   */
  constructor(
    readonly slabBytes: number,
    private readonly maxKept: number,
  ) {}

  /** A slab of {@link SlabPool.slabBytes}, its content undefined. */
  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.slabBytes);
  }

  /** Gives slabs back; the caller must hold no reference to them, nor may anything still read them. */
  release(slabs: readonly Buffer[]): void {
    for (const slab of slabs) {
      if (this.free.length >= this.maxKept) return;
      if (slab.length === this.slabBytes && slab.byteOffset === 0) this.free.push(slab);
    }
  }
}
