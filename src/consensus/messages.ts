/**
 * Raft messages: plain JSON objects with a zod schema ({@link raftMessageSchema}), so any transport
 * can validate them on receipt before the engine sees them.
 *
 * @module
 */
import { z } from "zod";
import type { LogEntry, SnapshotMetadata } from "../storage/types.js";

const id = z.string().min(1);
const term = z.number().int().min(0);
const index = z.number().int().min(0);

/** Schema of one log entry on the wire. */
export const logEntrySchema = z.object({
  term,
  index: z.number().int().min(1),
  type: z.enum(["normal", "conf_change"]),
  data: z.string(),
});

const snapshotMetadataSchema = z.object({
  index,
  term,
  confState: z.object({ voters: z.array(id), learners: z.array(id) }),
});

/** Schema of a snapshot (metadata and the state machine's data). */
export const snapshotSchema = z.object({ metadata: snapshotMetadataSchema, data: z.string() });

const base = { from: id, to: id, term };

/** Schema of every message Raft members exchange; validate received messages with it. */
export const raftMessageSchema = z.discriminatedUnion("type", [
  z
    .object({ type: z.literal("append"), ...base, logTerm: term, index, commit: index, entries: z.array(logEntrySchema) })
    // The engine trusts an append's shape: entries must follow `index` one by one, in terms that never
    // decrease, start at or above `logTerm` and stay at or below the sender's term.
    .superRefine((m, ctx) => {
      let previous = m.logTerm;
      m.entries.forEach((e, i) => {
        if (e.index !== m.index + 1 + i) ctx.addIssue({ code: "custom", path: ["entries", i, "index"], message: `must be ${m.index + 1 + i} (entries follow index ${m.index} contiguously)` });
        if (e.term < previous || e.term > m.term) ctx.addIssue({ code: "custom", path: ["entries", i, "term"], message: `must be between ${previous} and the message term ${m.term}` });
        previous = Math.max(previous, e.term);
      });
    }),
  z.object({
    type: z.literal("append_response"),
    ...base,
    index,
    reject: z.boolean(),
    /** On reject: the follower's last index (or the conflict point) and its term, to skip back fast. */
    rejectHint: index,
    hintTerm: term,
  }),
  z.object({ type: z.literal("vote"), ...base, logTerm: term, index, force: z.boolean() }),
  z.object({ type: z.literal("pre_vote"), ...base, logTerm: term, index, force: z.boolean() }),
  z.object({ type: z.literal("vote_response"), ...base, reject: z.boolean() }),
  z.object({ type: z.literal("pre_vote_response"), ...base, reject: z.boolean() }),
  z.object({ type: z.literal("heartbeat"), ...base, commit: index, context: z.string().nullable() }),
  z.object({ type: z.literal("heartbeat_response"), ...base, context: z.string().nullable() }),
  z.object({ type: z.literal("snapshot"), ...base, metadata: snapshotMetadataSchema, offset: index, data: z.string(), done: z.boolean() }),
  z.object({ type: z.literal("snapshot_response"), ...base, index, offset: index, reject: z.boolean() }),
  z.object({ type: z.literal("timeout_now"), ...base }),
  z.object({ type: z.literal("read_index"), ...base, context: z.string() }),
  z.object({ type: z.literal("read_index_response"), ...base, context: z.string(), index }),
]);

interface Base {
  readonly from: string;
  readonly to: string;
  readonly term: number;
}

/** Replicates entries (empty when probing) and carries the leader's commit index. */
export interface AppendMessage extends Base {
  readonly type: "append";
  /** Term of the entry at `index`, the one just before `entries`. */
  readonly logTerm: number;
  readonly index: number;
  readonly commit: number;
  readonly entries: readonly LogEntry[];
}
export interface AppendResponseMessage extends Base {
  readonly type: "append_response";
  /** Accepted: the follower's last matching index. Rejected: the `index` of the rejected append. */
  readonly index: number;
  readonly reject: boolean;
  readonly rejectHint: number;
  readonly hintTerm: number;
}
export interface VoteMessage extends Base {
  readonly type: "vote" | "pre_vote";
  readonly logTerm: number;
  readonly index: number;
  /** Set by a leader transfer: disregard the leader lease. */
  readonly force: boolean;
}
export interface VoteResponseMessage extends Base {
  readonly type: "vote_response" | "pre_vote_response";
  readonly reject: boolean;
}
export interface HeartbeatMessage extends Base {
  readonly type: "heartbeat";
  readonly commit: number;
  /** ReadIndex request context being confirmed, if any. */
  readonly context: string | null;
}
export interface HeartbeatResponseMessage extends Base {
  readonly type: "heartbeat_response";
  readonly context: string | null;
}
/**
 * One chunk of a snapshot (InstallSnapshot with `offset` and `done`, Raft paper §7): `data` is the
 * part of the snapshot's data starting at `offset` (in UTF-16 code units). The follower assembles the
 * chunks in order and installs the snapshot only once the chunk with `done` arrives.
 */
export interface SnapshotMessage extends Base {
  readonly type: "snapshot";
  readonly metadata: SnapshotMetadata;
  readonly offset: number;
  readonly data: string;
  readonly done: boolean;
}
/**
 * Acknowledges snapshot chunks: `offset` is how much of the snapshot at `index` the follower holds,
 * which is where the leader continues. `reject`: a chunk arrived out of order (or for another
 * snapshot); resume from `offset`.
 */
export interface SnapshotResponseMessage extends Base {
  readonly type: "snapshot_response";
  readonly index: number;
  readonly offset: number;
  readonly reject: boolean;
}
export interface TimeoutNowMessage extends Base {
  readonly type: "timeout_now";
}
export interface ReadIndexMessage extends Base {
  readonly type: "read_index";
  readonly context: string;
}
export interface ReadIndexResponseMessage extends Base {
  readonly type: "read_index_response";
  readonly context: string;
  readonly index: number;
}

/** Every message Raft members exchange. */
export type RaftMessage =
  | AppendMessage
  | AppendResponseMessage
  | VoteMessage
  | VoteResponseMessage
  | HeartbeatMessage
  | HeartbeatResponseMessage
  | SnapshotMessage
  | SnapshotResponseMessage
  | TimeoutNowMessage
  | ReadIndexMessage
  | ReadIndexResponseMessage;

/** The message kinds. */
export type RaftMessageType = RaftMessage["type"];
