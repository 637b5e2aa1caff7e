/**
 * A bounded record of what the simulated network did with each message, for debugging a failed
 * simulation: the newest `limit` events are kept, older ones are overwritten.
 *
 * @module
 */
import type { NodeId } from "./types.js";

/** Why the simulated network dropped a message. */
export type DropReason =
  /** The link's `loss` probability struck. */
  | "loss"
  /** The link was cut (partition, one-way partition or isolation) at send or delivery time. */
  | "partition"
  /** The sender was paused, or the receiver was paused with `"drop"` mode. */
  | "paused"
  /** No open endpoint for the receiver at delivery time (never created, closed or crashed). */
  | "no_endpoint"
  /** The receiver's schema rejected the message. */
  | "invalid_message";

/** What happened to a message. */
export type TraceEvent = "send" | "deliver" | "drop" | "duplicate" | "hold";

export interface TraceEntry {
  /** Virtual time of the event. */
  readonly time: number;
  readonly event: TraceEvent;
  readonly from: NodeId;
  readonly to: NodeId;
  /** Id of the send; a duplicate shares its original's id. */
  readonly messageId: number;
  /** Set on `"drop"`. */
  readonly reason?: DropReason;
}

export class TraceBuffer {
  private readonly entries: TraceEntry[] = [];
  private next = 0;
  private total = 0;

  constructor(readonly limit: number) {}

  record(entry: TraceEntry): void {
    if (this.limit === 0) return;
    this.total++;
    if (this.entries.length < this.limit) {
      this.entries.push(entry);
      return;
    }
    this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.limit;
  }

  /** Events recorded so far, including those overwritten. */
  get recorded(): number {
    return this.total;
  }

  /** The kept events, oldest first, frozen. */
  snapshot(): readonly TraceEntry[] {
    const ordered = this.entries.length < this.limit ? this.entries.slice() : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    return Object.freeze(ordered.map((e) => Object.freeze({ ...e })));
  }

  clear(): void {
    this.entries.length = 0;
    this.next = 0;
  }
}
