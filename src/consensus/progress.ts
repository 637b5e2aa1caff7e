/**
 * The leader's view of each member's log (etcd's Progress): probe one append at a time until the
 * follower's match point is found, then replicate optimistically with a bounded window of
 * in-flight appends, or wait for a snapshot to land.
 *
 * @module
 */
import type { Snapshot } from "../storage/types.js";
import type { ProgressStatus } from "./types.js";

/** Snapshot chunks in flight to one member before the leader waits for an acknowledgement. */
export const MAX_INFLIGHT_SNAPSHOT_CHUNKS = 4;

/** The leader's side of one snapshot being streamed to a member. */
export interface SnapshotStream {
  readonly snapshot: Snapshot;
  /** Offset of the next chunk to send. */
  sent: number;
  /** How much the member acknowledged holding. */
  acked: number;
  /** End offsets of the chunks sent and not yet acknowledged, ascending. */
  inflight: number[];
  /** The last chunk (`done`) went out. */
  finished: boolean;
  /** Offset the stream last went back to after a gap (-1: none), so one gap causes one resend. */
  rewoundTo: number;
}

/** A ring of the last indexes of in-flight append messages. */
export class Inflights {
  private readonly buffer: number[];
  private start = 0;
  count = 0;

  constructor(readonly capacity: number) {
    this.buffer = new Array<number>(capacity).fill(0);
  }

  full(): boolean {
    return this.count === this.capacity;
  }

  add(lastIndex: number): void {
    this.buffer[(this.start + this.count) % this.capacity] = lastIndex;
    this.count++;
  }

  /** Frees every in-flight message whose last index is at or below `index`. */
  freeTo(index: number): void {
    while (this.count > 0 && (this.buffer[this.start] as number) <= index) {
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
  }

  freeFirst(): void {
    if (this.count === 0) return;
    this.start = (this.start + 1) % this.capacity;
    this.count--;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
  }
}

export type ProgressState = "probe" | "replicate" | "snapshot";

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = "probe";
  /** In probe state: an append is out and we wait for its answer (or the next heartbeat). */
  probeSent = false;
  /** Index of the snapshot being sent (snapshot state). */
  pendingSnapshot = 0;
  /** The snapshot being streamed in chunks (snapshot state). */
  stream: SnapshotStream | null = null;
  /** Ticks since the snapshot was sent; after an election timeout we probe again. */
  snapshotTicks = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number, public learner: boolean) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  private reset(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.stream = null;
    this.snapshotTicks = 0;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === "snapshot") {
      const pending = this.pendingSnapshot;
      this.reset("probe");
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.reset("probe");
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.reset("replicate");
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshot: Snapshot): void {
    this.reset("snapshot");
    this.pendingSnapshot = snapshot.metadata.index;
    this.stream = { snapshot, sent: 0, acked: 0, inflight: [], finished: false, rewoundTo: -1 };
  }

  /** Records an acknowledgement up to `index`; returns whether it moved the match point. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * Handles a rejected append of `rejected`: backs `next` off to just after `hint` (the follower's
   * estimate of where logs may match). Returns `false` for a stale rejection.
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (this.state === "replicate") {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1, 1);
    this.probeSent = false;
    return true;
  }

  /** Whether appends to this member must wait. */
  isPaused(): boolean {
    switch (this.state) {
      case "probe":
        return this.probeSent;
      case "replicate":
        return this.inflights.full();
      case "snapshot":
        return true;
    }
  }

  /** Called after sending an append whose last entry is `lastIndex` (or none, `entries === 0`). */
  sentAppend(entries: number, lastIndex: number): void {
    if (this.state === "replicate") {
      if (entries > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex);
      }
    } else if (this.state === "probe") {
      this.probeSent = true;
    }
  }

  status(): ProgressStatus {
    return { match: this.match, next: this.next, state: this.state, learner: this.learner, recentActive: this.recentActive };
  }
}
