/**
 * Zod schemas of the ordering engine's inputs: events, publish requests, service options.
 *
 * @module
 */
import { z } from "zod";
import { isValidNodeId, MAX_LOGICAL, MAX_WALL } from "./hlc.js";

const nodeId = z.string().refine(isValidNodeId, { message: "must be 1 to 128 printable ASCII characters without spaces" });

/** A {@link HlcTimestamp} on the wire. */
export const hlcTimestampSchema = z.object({
  wall: z.number().int().min(0).max(MAX_WALL),
  logical: z.number().int().min(0).max(MAX_LOGICAL),
  nodeId,
});

const eventId = z.string().min(1).max(256);
/** Dependencies: distinct ids (a repeated one is a caller's mistake, not a stronger dependency). */
const depsSchema = z
  .array(eventId)
  .max(1024)
  .refine((deps) => new Set(deps).size === deps.length, { message: "dependencies must be distinct ids" });

/** An {@link OrderingEvent} on the wire or handed to `receive`. */
export const orderingEventSchema = z.object({
  id: eventId,
  origin: nodeId,
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  hlc: hlcTimestampSchema,
  deps: depsSchema.default([]),
  key: z.string().min(1).max(1024).optional(),
  payload: z.unknown(),
});

/** What `publish` accepts. */
export const publishInputSchema = z.object({
  id: eventId.optional(),
  deps: depsSchema.optional(),
  key: z.string().min(1).max(1024).optional(),
  payload: z.unknown(),
});

const count = (min: number) => z.number().int().min(min).max(100_000_000);

/** The tunable options of a `GlobalOrderingService`, with their defaults. */
export const orderingOptionsSchema = z.object({
  nodeId,
  /** Every ordering node whose events are ordered; delivery waits for each one's stream. */
  origins: z.array(nodeId).min(1).max(1024).optional(),
  /** Events held (out of sequence, not yet stable, or waiting on dependencies) before refusing more. */
  maxBuffered: count(1).default(100_000),
  /** Delivered event ids remembered for deduplication (and dependency checks). */
  dedupWindow: count(1).default(100_000),
  /** Ordered entries kept for `orderedSince`. */
  logRetention: count(1).default(100_000),
  /** Keys whose current value is tracked for conflict detection. */
  maxKeys: count(1).default(100_000),
  /** How long an event may wait on a dependency before it is reported missing, in ms. */
  dependencyTimeoutMs: z.number().int().min(1).max(86_400_000).default(30_000),
  /** Largest accepted lead of a remote timestamp over local physical time, in ms. */
  maxOffsetMs: z.number().min(0).max(86_400_000).default(500),
});

function isEventId(value: unknown): value is string {
  return typeof value === "string" && value.length >= 1 && value.length <= 256;
}

/**
 * A hand-written check equivalent to (never looser than) {@link orderingEventSchema}, for the common
 * case of a well-formed event from the known `origin` whose HLC it stamped, so the hot path skips zod; anything it does not accept goes through zod, which
 * reports the problems.
 *
 * @internal
 */
export function isWellFormedEvent(value: unknown, origin: string): value is { id: string; origin: string; seq: number; hlc: { wall: number; logical: number; nodeId: string }; deps?: string[]; key?: string; payload: unknown } {
  if (typeof value !== "object" || value === null) return false;
  const e = value as Record<string, unknown>;
  const hlc = e["hlc"] as Record<string, unknown> | null | undefined;
  if (typeof hlc !== "object" || hlc === null) return false;
  const seq = e["seq"];
  const wall = hlc["wall"];
  const logical = hlc["logical"];
  if (!(typeof seq === "number" && Number.isSafeInteger(seq) && seq >= 1)) return false;
  if (!(typeof wall === "number" && Number.isInteger(wall) && wall >= 0 && wall <= MAX_WALL)) return false;
  if (!(typeof logical === "number" && Number.isInteger(logical) && logical >= 0 && logical <= MAX_LOGICAL)) return false;
  // `origin` is a configured (already validated) origin: equality spares two regex tests.
  if (!isEventId(e["id"]) || e["origin"] !== origin || hlc["nodeId"] !== origin) return false;
  const key = e["key"];
  if (key !== undefined && !(typeof key === "string" && key.length >= 1 && key.length <= 1024)) return false;
  const deps = e["deps"];
  if (deps === undefined) return true;
  if (!Array.isArray(deps) || deps.length > 1024) return false;
  for (const dep of deps) if (!isEventId(dep)) return false;
  return deps.length < 2 || new Set(deps).size === deps.length;
}
