/**
 * Recycled send buffers. Fresh memory is expensive to write the first time (the kernel maps and
 * zeroes every page on first touch; measured at about ten times the cost of copying into memory
 * already mapped), so the send queue packs frames into slabs that come back here once the socket
 * has written them, instead of allocating new ones for every batch.
 *
 * A burst can need more slabs than the pool keeps for good (the send queue holds up to its byte
 * bound). Dropping the extra slabs as soon as they come back means that the next burst maps fresh
 * memory again, and the dropped megabytes count towards the external memory that makes V8 collect
 * garbage: keeping them was measured to save about a tenth of the CPU time of back-to-back bursts
 * of 64 KiB messages (`bench/transport-profile.ts`). So a pool keeps up to `burstKept` slabs, and
 * only once it has not been drawn from for `holdMs` does it go back to `maxKept`: idle memory is
 * still bounded, soon after the burst.
 *
 * @module
 * @internal
 */

/** Schedules `run` after `ms`; the pool's trim must never keep a process alive. */
export type TrimScheduler = (ms: number, run: () => void) => void;

const unrefTimer: TrimScheduler = (ms, run) => {
  setTimeout(run, ms).unref();
};

/** How a pool sizes itself beyond the slabs it always keeps. */
export interface BurstOptions {
  /** Most idle slabs kept while the pool is in use. */
  readonly burstKept: number;
  /** Quiet time after which idle slabs beyond `maxKept` are dropped. */
  readonly holdMs: number;
  readonly schedule?: TrimScheduler;
}

export class SlabPool {
  private readonly free: Buffer[] = [];
  private readonly burstKept: number;
  private readonly holdMs: number;
  private readonly schedule: TrimScheduler;
  private trimScheduled = false;
  /** Whether a slab was taken since the trim was scheduled: the pool is still in use. */
  private takenSinceTrim = false;

  /**
   * @param slabBytes Size of every slab.
   * @param maxKept Most idle slabs kept for good; more are left to the garbage collector, so a
   *   burst does not pin its peak memory for the life of the process.
   * @param burst Most idle slabs kept between bursts, and for how long; none beyond `maxKept` if unset.
   */
  constructor(
    readonly slabBytes: number,
    private readonly maxKept: number,
    burst?: BurstOptions,
  ) {
    this.burstKept = Math.max(maxKept, burst?.burstKept ?? maxKept);
    this.holdMs = burst?.holdMs ?? 0;
    this.schedule = burst?.schedule ?? unrefTimer;
  }

  /** Idle slabs held. */
  get idle(): number {
    return this.free.length;
  }

  /** A slab of {@link SlabPool.slabBytes}, its content undefined. */
  take(): Buffer {
    this.takenSinceTrim = true;
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.slabBytes);
  }

  /** Gives slabs back; the caller must hold no reference to them, nor may anything still read them. */
  release(slabs: readonly Buffer[]): void {
    for (const slab of slabs) {
      if (this.free.length >= this.burstKept) break;
      if (slab.length === this.slabBytes && slab.byteOffset === 0) this.free.push(slab);
    }
    if (this.free.length > this.maxKept) this.scheduleTrim();
  }

  private scheduleTrim(): void {
    if (this.trimScheduled) return;
    this.trimScheduled = true;
    this.takenSinceTrim = false;
    this.schedule(this.holdMs, () => {
      this.trimScheduled = false;
      if (this.takenSinceTrim) {
        if (this.free.length > this.maxKept) this.scheduleTrim();
        return;
      }
      this.free.length = Math.min(this.free.length, this.maxKept);
    });
  }
}
