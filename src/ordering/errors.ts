/**
 * Errors of the ordering engine.
 *
 * @module
 */
import { EdgeflowError } from "../core/errors.js";
import type { HlcTimestamp } from "./types.js";

/**
 * A remote timestamp is further ahead of local physical time than the configured maximum offset.
 * The clock was not advanced (CockroachDB's behaviour): accepting it would drag every later local
 * timestamp into the future of a misbehaving peer.
 */
export class ClockSkewError extends EdgeflowError {
  /** The rejected remote timestamp. */
  readonly remote: HlcTimestamp;
  /** Local physical time when it was rejected, in ms. */
  readonly physicalTime: number;
  /** How far ahead the remote was, in ms. */
  readonly skewMs: number;
  readonly maxOffsetMs: number;

  constructor(remote: HlcTimestamp, physicalTime: number, maxOffsetMs: number) {
    const skewMs = remote.wall - physicalTime;
    super(
      "ordering.clock_skew",
      `timestamp from "${remote.nodeId}" is ${skewMs} ms ahead of local physical time, beyond the maximum offset of ${maxOffsetMs} ms`,
    );
    this.remote = remote;
    this.physicalTime = physicalTime;
    this.skewMs = skewMs;
    this.maxOffsetMs = maxOffsetMs;
  }
}

/**
 * The ordering buffer is full: the event was refused and nothing changed. Retry after delivery made
 * room (in the distributed service, the origin resends it on the next anti-entropy round).
 */
export class OrderingBackpressureError extends EdgeflowError {
  readonly capacity: number;

  constructor(capacity: number) {
    super("ordering.backpressure", `ordering buffer is full (${capacity} events held); retry once buffered events are delivered`);
    this.capacity = capacity;
  }
}

/** The requested cursor points before the retained part of the ordered log. */
export class CursorExpiredError extends EdgeflowError {
  readonly cursor: number;
  readonly oldest: number;

  constructor(cursor: number, oldest: number) {
    super("ordering.cursor_expired", `cursor ${cursor} is older than the oldest retained position ${oldest}`);
    this.cursor = cursor;
    this.oldest = oldest;
  }
}
