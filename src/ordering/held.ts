/**
 * The ordering service's bookkeeping: events it holds, what it remembers of delivered ones, and the
 * state of each origin's stream.
 *
 * @module
 * @internal
 */
import { freeze } from "immer";
import type { VectorClock } from "./conflicts.js";
import { compareHlc } from "./hlc.js";
import type { HlcTimestamp, MissingDependency, OrderingEvent } from "./types.js";

/** A received event not yet delivered. */
export interface Held<P> {
  readonly event: OrderingEvent<P>;
  /** Clock time of receipt: the dependency timeout counts from here. */
  readonly since: number;
  /** The origin's earlier event that was parked when this one was first considered. */
  prev: Held<P> | undefined;
  /** Whether it waits for `prev` to be settled (held by reference: ids may repeat across origins). */
  waitingPrev: boolean;
  /** The origin's later events waiting for this one to be settled. */
  followers: Held<P>[] | undefined;
  evaluated: boolean;
  /** Ids of explicit dependencies not yet delivered. */
  waitingOn: Set<string> | undefined;
  reported: boolean;
  /** Delivered, dropped or rejected: it is done with. */
  settled: boolean;
}

export function newHeld<P>(event: OrderingEvent<P>, since: number): Held<P> {
  return { event, since, prev: undefined, waitingPrev: false, followers: undefined, evaluated: false, waitingOn: undefined, reported: false, settled: false };
}

/** One origin's stream as this replica has received it. */
export interface OriginState<P> {
  readonly name: string;
  readonly index: number;
  nextSeq: number;
  /** HLC of the last event in sequence; later ones must be greater. */
  last: HlcTimestamp | undefined;
  /** Every event of this origin with an HLC at or below it has been received. */
  frontier: HlcTimestamp | undefined;
  readonly gap: Map<number, Held<P>>;
  /** Highest sequence number the origin announced. */
  announced: number;
  gapSince: number | undefined;
  gapReported: boolean;
  /** Causal history of the origin's latest delivered event; updated in place on each delivery. */
  readonly vc: VectorClock;
  lastParked: Held<P> | undefined;
}

export function newOriginState<P>(name: string, index: number, origins: number): OriginState<P> {
  return { name, index, nextSeq: 1, last: undefined, frontier: undefined, gap: new Map(), announced: 0, gapSince: undefined, gapReported: false, vc: new Array<number>(origins).fill(0), lastParked: undefined };
}

/** Whether the origin's event `seq` was received already (in sequence, or waiting in a gap). */
export function isReceived<P>(os: OriginState<P>, seq: number): boolean {
  return seq < os.nextSeq || (os.gap.size !== 0 && os.gap.has(seq));
}

/** Freezes an event the service built itself; only the payload can be deep, so only it is walked. */
export function freezeEvent<P>(event: OrderingEvent<P>): OrderingEvent<P> {
  Object.freeze(event.hlc);
  Object.freeze(event.deps);
  if (typeof event.payload === "object" && event.payload !== null) freeze(event.payload, true);
  return Object.freeze(event);
}

export const noDeps: readonly string[] = Object.freeze([]);

export const byHlc = <P>(a: Held<P>, b: Held<P>): boolean => compareHlc(a.event.hlc, b.event.hlc) < 0;

export function describeParked<P>(held: Held<P>): MissingDependency {
  const missing = held.waitingPrev && held.prev !== undefined ? [held.prev.event.id, ...(held.waitingOn ?? [])] : [...(held.waitingOn ?? [])];
  return { eventId: held.event.id, origin: held.event.origin, missing, since: held.since };
}

export function describeGap<P>(os: OriginState<P>): MissingDependency {
  return { eventId: undefined, origin: os.name, missing: [`${os.name}#${os.nextSeq}`], since: os.gapSince ?? 0 };
}
