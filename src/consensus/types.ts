/**
 * Types of the Raft engine: configuration, roles, membership changes and the {@link Ready} batch
 * that tells the host what to persist, send and apply.
 *
 * @module
 */
import { z } from "zod";
import type { Random } from "../core/random.js";
import type { ConfState, HardState, LogEntry, MemberId, Snapshot } from "../storage/types.js";
import type { RaftMessage } from "./messages.js";
import { DEFAULT_MAX_MESSAGE_BYTES, ENVELOPE_RESERVE_BYTES } from "./sizes.js";

/** A member's role. `pre_candidate` is a follower polling for a pre-vote before raising its term. */
export type RaftRole = "follower" | "pre_candidate" | "candidate" | "leader";

/** Volatile state worth reporting; not persisted. */
export interface SoftState {
  readonly leaderId: MemberId | null;
  readonly role: RaftRole;
}

/** A linearizable read point: once the state machine has applied `index`, a read for `context` is safe. */
export interface ReadState {
  readonly index: number;
  readonly context: string;
}

/** A single-server membership change (Raft thesis §4.1): one member at a time. */
export type ConfChange =
  | { readonly type: "add_voter"; readonly memberId: MemberId }
  | { readonly type: "add_learner"; readonly memberId: MemberId }
  | { readonly type: "remove"; readonly memberId: MemberId };

/** Schema of a {@link ConfChange}; also the payload of `conf_change` log entries. */
export const confChangeSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("add_voter"), memberId: z.string().min(1) }),
  z.object({ type: z.literal("add_learner"), memberId: z.string().min(1) }),
  z.object({ type: z.literal("remove"), memberId: z.string().min(1) }),
  /** Written once at index 1 by the founding members. */
  z.object({ type: z.literal("bootstrap"), voters: z.array(z.string().min(1)).min(1) }),
]);

/** Payload of a `conf_change` entry. */
export type ConfChangeEntry = z.output<typeof confChangeSchema>;

/**
 * What the engine asks the host to do, in this order (etcd's contract):
 *
 * 1. Persist `hardState`, `entries` and `snapshot` durably (one `RaftStorage.save`), and wait for it.
 * 2. Only then send `messages`: a vote or an append acknowledgement must never go out before what it
 *    promises is on disk.
 * 3. Install `snapshot` into the application state machine (if any), then apply `committedEntries`
 *    in order. Committed entries are always covered by this or an earlier persisted batch.
 * 4. Call `advance()`; do not call `step`/`tick`/`propose` between `ready()` and `advance()` (queue
 *    those inputs and feed them after `advance()`: that is also what batches them).
 */
export interface Ready {
  /** Set when the role or the known leader changed since the last `Ready`. */
  readonly softState?: SoftState;
  /** Set when term, vote or commit changed: persist it. */
  readonly hardState?: HardState;
  /** Entries to append to stable storage (a lower first index truncates the stored suffix first). */
  readonly entries: readonly LogEntry[];
  /** A snapshot received from the leader, to persist and install. */
  readonly snapshot?: Snapshot;
  /** Messages to send after persisting. */
  readonly messages: readonly RaftMessage[];
  /** Entries committed by the cluster, to apply to the state machine in order. */
  readonly committedEntries: readonly LogEntry[];
  /** Completed ReadIndex requests of this member. */
  readonly readStates: readonly ReadState[];
}

/** How reads are served: `safe` confirms leadership with a heartbeat round; `lease_based` trusts the lease (needs check-quorum, bounded clock drift). */
export type ReadOnlyOption = "safe" | "lease_based";

/** Engine configuration (validated by {@link raftConfigSchema}). */
export interface RaftConfig {
  /** This member's id. */
  readonly id: MemberId;
  /** Founding voters; used only when storage is empty. A member joining later passes none. */
  readonly voters?: readonly MemberId[];
  /** Ticks without hearing from a leader before campaigning (randomised in [n, 2n)). Default 10. */
  readonly electionTick?: number;
  /** Ticks between leader heartbeats. Default 1. */
  readonly heartbeatTick?: number;
  /** Most entries in one append message. Default 512. */
  readonly maxEntriesPerMsg?: number;
  /** Most bytes of entry data in one append message (at least one entry always goes). Default 1 MiB. */
  readonly maxBytesPerMsg?: number;
  /**
   * Hard limit on one encoded message (the transport's frame limit): appends are batched under it,
   * snapshots are streamed in chunks under it. Default 16 MiB (the TCP transport's default frame).
   */
  readonly maxMessageBytes?: number;
  /**
   * Largest encoded entry a proposal may make; bigger proposals fail with `ProposalTooLargeError`.
   * At most `maxMessageBytes` minus 4 KiB for the envelope, which is also the default.
   */
  readonly maxEntryBytes?: number;
  /** Most append messages in flight to one follower in replicate state. Default 256. */
  readonly maxInflightMsgs?: number;
  /** Poll a pre-vote before raising the term, so a rejoining member cannot disrupt a stable leader. Default true. */
  readonly preVote?: boolean;
  /** A leader that does not hear from a quorum within an election timeout steps down. Default true. */
  readonly checkQuorum?: boolean;
  /** Default `safe`. `lease_based` requires `checkQuorum`. */
  readonly readOnlyOption?: ReadOnlyOption;
  /** Source of the randomised election timeout. */
  readonly random: Random;
}

/**
 * A member id as accepted from callers: 1 to 256 characters, no control characters, no surrounding
 * whitespace (ids are compared exactly, so `" a"` and `"a"` would be two members).
 */
export const memberIdSchema = z
  .string()
  .min(1, "must not be empty")
  .max(256, "must be at most 256 characters")
  .refine((id) => ![...id].some((ch) => { const c = ch.charCodeAt(0); return c < 0x20 || c === 0x7f; }), { message: "must not contain control characters" })
  .refine((id) => id.trim() === id, { message: "must not start or end with whitespace" });

/** Validates a raft configuration (everything but `random`, which is checked on its own). */
export const raftConfigSchema = z
  .object({
    id: memberIdSchema,
    voters: z.array(memberIdSchema).optional(),
    electionTick: z.number().int().min(2).default(10),
    heartbeatTick: z.number().int().min(1).default(1),
    maxEntriesPerMsg: z.number().int().min(1).default(512),
    maxBytesPerMsg: z.number().int().min(1).default(1 << 20),
    maxMessageBytes: z.number().int().min(2 * ENVELOPE_RESERVE_BYTES).max(0xffff_ffff).default(DEFAULT_MAX_MESSAGE_BYTES),
    maxEntryBytes: z.number().int().min(1).optional(),
    maxInflightMsgs: z.number().int().min(1).default(256),
    preVote: z.boolean().default(true),
    checkQuorum: z.boolean().default(true),
    readOnlyOption: z.enum(["safe", "lease_based"]).default("safe"),
  })
  .superRefine((c, ctx) => {
    if (c.voters === undefined || c.voters.length === 0) return;
    const seen = new Set<string>();
    c.voters.forEach((v, i) => {
      if (seen.has(v)) ctx.addIssue({ code: "custom", path: ["voters", i], message: `"${v}" is listed twice` });
      seen.add(v);
    });
    // A founding member must be one of the founders; a member joining later passes no voters.
    if (!seen.has(c.id)) ctx.addIssue({ code: "custom", path: ["voters"], message: `must include this member's id "${c.id}" (pass no voters to join an existing cluster)` });
  })
  .refine((c) => c.maxEntryBytes === undefined || c.maxEntryBytes <= c.maxMessageBytes - ENVELOPE_RESERVE_BYTES, {
    message: `maxEntryBytes must leave ${ENVELOPE_RESERVE_BYTES} bytes of maxMessageBytes for the message envelope`,
    path: ["maxEntryBytes"],
  })
  .refine((c) => c.heartbeatTick < c.electionTick, { message: "heartbeatTick must be below electionTick", path: ["heartbeatTick"] })
  .refine((c) => c.readOnlyOption === "safe" || c.checkQuorum, { message: "lease_based reads need checkQuorum", path: ["readOnlyOption"] });

/** Whether `value` can serve as the engine's {@link Random}. */
export function isRandom(value: unknown): value is Random {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r["int"] === "function" && typeof r["fork"] === "function" && typeof r["nextUint32"] === "function";
}

/** Status of one member as the leader tracks it. */
export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: "probe" | "replicate" | "snapshot";
  readonly learner: boolean;
  readonly recentActive: boolean;
}

/** A point-in-time view of the engine. */
export interface RaftStatus {
  readonly id: MemberId;
  readonly term: number;
  readonly vote: MemberId | null;
  readonly role: RaftRole;
  readonly leaderId: MemberId | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly firstIndex: number;
  readonly confState: ConfState;
  /** Per-member progress; only on the leader. */
  readonly progress: Readonly<Record<MemberId, ProgressStatus>>;
  readonly leadTransferee: MemberId | null;
}
