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
  prev: string | undefined;
  evaluated: boolean;
  waitingOn: Set<string> | undefined;
  reported: boolean;
}

/** What the dedup window remembers of a delivered event: enough to check and extend causality. */
export interface DeliveredRecord {
  readonly hlc: HlcTimestamp;
  /** The event's causal history over the origins. */
  readonly vc: VectorClock;
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
  /** Causal history of the origin's latest delivered event. */
  vc: VectorClock;
  lastParked: string | undefined;
}

export function newOriginState<P>(name: string, index: number, origins: number): OriginState<P> {
  return { name, index, nextSeq: 1, last: undefined, frontier: undefined, gap: new Map(), announced: 0, gapSince: undefined, gapReported: false, vc: new Array<number>(origins).fill(0), lastParked: undefined };
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
  return { eventId: held.event.id, origin: held.event.origin, missing: [...(held.waitingOn ?? [])], since: held.since };
}

export function describeGap<P>(os: OriginState<P>): MissingDependency {
  return { eventId: undefined, origin: os.name, missing: [`${os.name}#${os.nextSeq}`], since: os.gapSince ?? 0 };
}
