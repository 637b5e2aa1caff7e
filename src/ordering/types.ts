/**
 * Types of the ordering engine: hybrid logical timestamps, ordering events and what the ordering
 * service reports.
 *
 * @module
 */
import type { Clock } from "../core/clock.js";

/**
 * A hybrid logical timestamp (Kulkarni et al., 2014): `wall` is the largest physical time (ms) the
 * stamping node has heard of, `logical` orders events within the same `wall`, and `nodeId` breaks the
 * remaining ties so that timestamps are totally ordered ({@link compareHlc}).
 */
export interface HlcTimestamp {
  /** Milliseconds, an integer in [0, 2^48). */
  readonly wall: number;
  /** An integer in [0, 65535]. */
  readonly logical: number;
  /** The stamping node: 1 to 128 printable ASCII characters, no spaces. */
  readonly nodeId: string;
}

/** Options of a {@link HybridLogicalClock}. */
export interface HlcOptions {
  /** The node stamping timestamps. */
  readonly nodeId: string;
  /** Physical time source; fractional milliseconds are floored. */
  readonly clock: Clock;
  /** Largest accepted lead of a remote timestamp over local physical time, in ms. Default 500. */
  readonly maxOffsetMs?: number;
}

/** An event as the ordering service orders it. */
export interface OrderingEvent<P = unknown> {
  /** Unique id of the event; the unit of deduplication. */
  readonly id: string;
  /** The ordering node that stamped it; equals `hlc.nodeId`. */
  readonly origin: string;
  /** Position in its origin's stream: 1, 2, 3, ... with no gaps. */
  readonly seq: number;
  readonly hlc: HlcTimestamp;
  /** Ids of events that causally precede this one (besides the previous event of the same origin). */
  readonly deps: readonly string[];
  /** The key this event writes, when it is a write; concurrent writes to one key are conflicts. */
  readonly key?: string | undefined;
  readonly payload: P;
}

/** What a caller gives {@link GlobalOrderingService.publish}; the service stamps the rest. */
export interface PublishInput<P = unknown> {
  /** Defaults to `"<origin>:<seq>"`. */
  readonly id?: string | undefined;
  readonly deps?: readonly string[] | undefined;
  readonly key?: string | undefined;
  readonly payload: P;
}

/** How two concurrent writes to the same key are resolved; every policy is deterministic. */
export type ConflictPolicy<P = unknown> =
  /** The write with the larger HLC wins. */
  | { readonly kind: "last-writer-wins" }
  /** The write with the smaller HLC wins. */
  | { readonly kind: "first-writer-wins" }
  /**
   * `merge` computes the key's new value from both writes, always called with the smaller HLC first.
   * It must be a pure function of its arguments, or replicas diverge.
   */
  | { readonly kind: "merge"; readonly merge: (key: string, first: OrderingEvent<P>, second: OrderingEvent<P>) => P };

/** The outcome of a conflict, attached to the delivered write that revealed it. */
export interface ConflictResolution<P = unknown> {
  readonly key: string;
  readonly policy: ConflictPolicy["kind"];
  /** The id of the write already holding the key. */
  readonly current: string;
  /** The id of the concurrent write being delivered. */
  readonly incoming: string;
  /** The id whose value the key now holds (`undefined` for a merge). */
  readonly winner: string | undefined;
  /** The key's value after resolution. */
  readonly value: P;
}

/** One position of the ordered log. */
export interface OrderedEntry<P = unknown> {
  /** 0, 1, 2, ...: the same event has the same position on every replica fed the same events. */
  readonly position: number;
  readonly event: OrderingEvent<P>;
  /** Present when this write was concurrent with the key's current write. */
  readonly conflict?: ConflictResolution<P> | undefined;
}

/** A page of the ordered log. */
export interface OrderedPage<P = unknown> {
  readonly entries: readonly OrderedEntry<P>[];
  /** The cursor to pass next time. */
  readonly next: number;
}

/** A dependency an event has waited on for longer than the dependency timeout. */
export interface MissingDependency {
  /** The waiting event, or `undefined` when an origin's stream has a gap. */
  readonly eventId: string | undefined;
  readonly origin: string;
  /** Missing event ids, or `"<origin>#<seq>"` for a gap in an origin's stream. */
  readonly missing: readonly string[];
  /** Clock time since which it has waited. */
  readonly since: number;
}

/**
 * Why a received event was refused at delivery: a dependency stamped at or after it (itself, or a
 * later event of its own origin, included), a timestamp not after its origin's previous event, or a
 * dependency that was itself rejected.
 */
export type RejectionReason = "dependency_not_before" | "sequence_not_after" | "dependency_rejected";

/** Counters and held work of an ordering service. */
export interface OrderingStatus {
  readonly nodeId: string;
  readonly origins: readonly string[];
  /** Events received but not yet delivered. */
  readonly buffered: number;
  readonly capacity: number;
  readonly delivered: number;
  readonly duplicatesDropped: number;
  readonly conflicts: number;
  readonly rejected: number;
  /** Dependencies waited on past the timeout, oldest first. */
  readonly missing: readonly MissingDependency[];
  /** Per origin, the HLC up to which its stream is known complete (string encoding), if any. */
  readonly frontiers: Readonly<Record<string, string | undefined>>;
}

/** Events of an ordering service. */
export type OrderingEvents<P = unknown> = {
  "event:delivered": OrderedEntry<P>;
  "event:duplicate": { readonly id: string; readonly origin: string; readonly seq: number };
  "event:rejected": { readonly event: OrderingEvent<P>; readonly reason: RejectionReason };
  "conflict:resolved": ConflictResolution<P>;
  "dependency:missing": MissingDependency;
  "dependency:resolved": { readonly eventId: string | undefined; readonly origin: string };
};
