/**
 * Hybrid Logical Clocks, exactly as Kulkarni, Demirbas, Madappa, Avva and Leone describe them in
 * "Logical Physical Clocks and Consistent Snapshots in Globally Distributed Databases" (2014), with
 * CockroachDB's rejection of remote timestamps too far ahead of local physical time.
 *
 * @module
 */
import type { Clock } from "../core/clock.js";
import { ValidationError } from "../core/errors.js";
import { ClockSkewError } from "./errors.js";
import type { HlcOptions, HlcTimestamp } from "./types.js";

/** Largest `logical` value: the counter is 16 bits wide, like the encodings. */
export const MAX_LOGICAL = 0xffff;
/** Largest `wall` value: 48 bits of milliseconds reach the year 10889. */
export const MAX_WALL = 2 ** 48 - 1;
/** Default largest lead of a remote timestamp over local physical time, in ms. */
export const DEFAULT_MAX_OFFSET_MS = 500;

const nodeIdPattern = /^[\x21-\x7e]{1,128}$/;

/** Whether `nodeId` can stamp timestamps: 1 to 128 printable ASCII characters, no spaces. */
export function isValidNodeId(nodeId: unknown): nodeId is string {
  return typeof nodeId === "string" && nodeIdPattern.test(nodeId);
}

/** Throws a {@link ValidationError} naming `path` unless `nodeId` is valid. */
export function assertNodeId(nodeId: unknown, path = "nodeId"): asserts nodeId is string {
  if (!isValidNodeId(nodeId)) {
    throw ValidationError.of(path, `node id must be 1 to 128 printable ASCII characters without spaces, got ${JSON.stringify(nodeId)}`, "invalid_node_id");
  }
}

/** The problems with a would-be timestamp, each under `path`; empty when it is valid. */
export function hlcIssues(value: unknown, path = "hlc"): { path: string; message: string; code: string }[] {
  if (typeof value !== "object" || value === null) return [{ path, message: "timestamp must be an object { wall, logical, nodeId }", code: "invalid_type" }];
  const ts = value as Record<string, unknown>;
  const issues: { path: string; message: string; code: string }[] = [];
  const wall = ts["wall"];
  const logical = ts["logical"];
  if (typeof wall !== "number" || !Number.isInteger(wall) || wall < 0 || wall > MAX_WALL) {
    issues.push({ path: `${path}.wall`, message: `wall must be an integer in [0, 2^48), got ${String(wall)}`, code: "invalid_wall" });
  }
  if (typeof logical !== "number" || !Number.isInteger(logical) || logical < 0 || logical > MAX_LOGICAL) {
    issues.push({ path: `${path}.logical`, message: `logical must be an integer in [0, 65535], got ${String(logical)}`, code: "invalid_logical" });
  }
  if (!isValidNodeId(ts["nodeId"])) {
    issues.push({ path: `${path}.nodeId`, message: `nodeId must be 1 to 128 printable ASCII characters without spaces, got ${JSON.stringify(ts["nodeId"])}`, code: "invalid_node_id" });
  }
  return issues;
}

/** Throws a {@link ValidationError} listing every problem unless `value` is a valid timestamp. */
export function assertHlc(value: unknown, path = "hlc"): asserts value is HlcTimestamp {
  const issues = hlcIssues(value, path);
  if (issues.length > 0) throw new ValidationError(issues);
}

/**
 * The total order of timestamps: by `wall`, then `logical`, then `nodeId` (UTF-16 code unit order,
 * which for the ASCII node ids allowed is byte order). Negative, zero or positive like a sort comparator.
 */
export function compareHlc(a: HlcTimestamp, b: HlcTimestamp): number {
  if (a.wall !== b.wall) return a.wall < b.wall ? -1 : 1;
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1;
  if (a.nodeId === b.nodeId) return 0;
  return a.nodeId < b.nodeId ? -1 : 1;
}

/**
 * A Hybrid Logical Clock for one node.
 *
 * `now()` stamps a local or send event and `update(remote)` a receive event, following the paper's
 * algorithm: `wall` is the largest physical time seen, so it stays within the clock offset of true
 * time, and `logical` grows only while `wall` stands still, so it stays small.
 *
 * **Logical overflow.** `logical` is 16 bits. When an event would need `logical` 65536 (more than
 * 65,535 events within one millisecond at this `wall`), the clock instead moves `wall` forward by
 * 1 ms and restarts `logical` at 0. Timestamps stay strictly increasing and causally ordered; the
 * price is that `wall` may lead physical time by 1 ms per 65,536 such events, until physical time
 * catches up. Nothing blocks and nothing is thrown.
 *
 * **Skew.** `update` rejects a remote timestamp whose `wall` leads local physical time by more than
 * `maxOffsetMs` with a {@link ClockSkewError} and leaves the clock untouched.
 *
 * @example
 * ```ts
 * const a = new HybridLogicalClock({ nodeId: "edge-a", clock: new SystemClock() });
 * const b = new HybridLogicalClock({ nodeId: "edge-b", clock: new SystemClock() });
 * const sent = a.now();              // send event on edge-a
 * const received = b.update(sent);   // receive event on edge-b
 * compareHlc(sent, received) < 0;    // true: happens-before implies a smaller timestamp
 * ```
 */
export class HybridLogicalClock {
  readonly nodeId: string;
  readonly maxOffsetMs: number;
  private readonly clock: Clock;
  private wall = 0;
  private logical = 0;
  private lastRemoteId: string | undefined;

  constructor(options: HlcOptions) {
    if (typeof options !== "object" || options === null) throw ValidationError.of("options", "options must be an object { nodeId, clock, maxOffsetMs? }", "invalid_type");
    const issues = [];
    if (!isValidNodeId(options.nodeId)) {
      issues.push({ path: "nodeId", message: `node id must be 1 to 128 printable ASCII characters without spaces, got ${JSON.stringify(options.nodeId)}`, code: "invalid_node_id" });
    }
    const maxOffsetMs = options.maxOffsetMs ?? DEFAULT_MAX_OFFSET_MS;
    if (typeof maxOffsetMs !== "number" || !Number.isFinite(maxOffsetMs) || maxOffsetMs < 0) {
      issues.push({ path: "maxOffsetMs", message: `maxOffsetMs must be a finite number >= 0, got ${String(maxOffsetMs)}`, code: "invalid_offset" });
    }
    if (typeof options.clock?.now !== "function") issues.push({ path: "clock", message: "clock must implement Clock", code: "invalid_type" });
    if (issues.length > 0) throw new ValidationError(issues);
    this.nodeId = options.nodeId;
    this.maxOffsetMs = maxOffsetMs;
    this.clock = options.clock;
  }

  /** The last timestamp issued (`{ wall: 0, logical: 0 }` before the first event); does not tick. */
  last(): HlcTimestamp {
    return { wall: this.wall, logical: this.logical, nodeId: this.nodeId };
  }

  /** Stamps a local or send event: strictly greater than every timestamp this clock issued or received. */
  now(): HlcTimestamp {
    const pt = this.physical();
    if (pt > this.wall) {
      this.wall = pt;
      this.logical = 0;
    } else if (this.logical < MAX_LOGICAL) {
      this.logical++;
    } else {
      this.wall++;
      this.logical = 0;
    }
    return { wall: this.wall, logical: this.logical, nodeId: this.nodeId };
  }

  /**
   * Stamps the receipt of a message carrying `remote`: strictly greater than `remote` and than every
   * timestamp this clock issued. Throws a {@link ClockSkewError} (clock unchanged) when `remote.wall`
   * leads local physical time by more than `maxOffsetMs`, and a `ValidationError` for a malformed one.
   */
  update(remote: HlcTimestamp): HlcTimestamp {
    this.observe(remote);
    return { wall: this.wall, logical: this.logical, nodeId: this.nodeId };
  }

  /**
   * {@link HybridLogicalClock.update} without building the resulting timestamp, for callers that
   * only need the clock advanced past `remote` (the ordering service, on every received event).
   */
  observe(remote: HlcTimestamp): void {
    if (typeof remote !== "object" || remote === null) assertHlc(remote, "remote");
    const rw = remote.wall;
    const rl = remote.logical;
    // Inline fast check of the common case; the full check only builds messages when something is wrong.
    // Peers are few, so remembering the last valid node id spares most regex tests.
    const nodeIdOk = remote.nodeId === this.lastRemoteId || isValidNodeId(remote.nodeId);
    if (!(nodeIdOk && Number.isInteger(rw) && rw >= 0 && rw <= MAX_WALL && Number.isInteger(rl) && rl >= 0 && rl <= MAX_LOGICAL)) {
      assertHlc(remote, "remote");
    }
    this.lastRemoteId = remote.nodeId;
    this.observeValid(remote);
  }

  /**
   * {@link HybridLogicalClock.observe} of a timestamp the caller has already validated (the ordering
   * service checks every event it receives), sparing the node id check on each call.
   *
   * @internal
   */
  observeValid(remote: HlcTimestamp): void {
    const rw = remote.wall;
    const rl = remote.logical;
    const pt = this.physical();
    if (rw - pt > this.maxOffsetMs) throw new ClockSkewError(remote, pt, this.maxOffsetMs);
    const lw = this.wall;
    let wall = lw;
    if (rw > wall) wall = rw;
    if (pt > wall) wall = pt;
    let logical: number;
    if (wall === lw && wall === rw) logical = Math.max(this.logical, rl) + 1;
    else if (wall === lw) logical = this.logical + 1;
    else if (wall === rw) logical = rl + 1;
    else logical = 0;
    if (logical > MAX_LOGICAL) {
      wall++;
      logical = 0;
    }
    this.wall = wall;
    this.logical = logical;
  }

  private physical(): number {
    const pt = Math.floor(this.clock.now());
    if (!(pt >= 0 && pt <= MAX_WALL)) {
      throw ValidationError.of("clock", `physical time must be in [0, 2^48) ms, the clock reads ${String(pt)}`, "invalid_time");
    }
    return pt;
  }
}
