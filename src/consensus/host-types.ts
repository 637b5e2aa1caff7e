/**
 * Options, results and metrics of {@link RaftHost}.
 *
 * @module
 */
import { z } from "zod";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import type { Random } from "../core/random.js";
import type { LogEntry, MemberId, RaftStorage } from "../storage/types.js";
import type { Transport } from "../transport/types.js";
import type { RaftMessage } from "./messages.js";
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_RECORD_BYTES, defaultMaxEntryBytes, ENVELOPE_RESERVE_BYTES } from "./sizes.js";
import type { RaftConfig, RaftRole } from "./types.js";

/** Engine settings the host passes through to {@link RaftNode}; documented on {@link RaftConfig}. */
export type RaftEngineSettings = Pick<
  RaftConfig,
  | "voters"
  | "electionTick"
  | "heartbeatTick"
  | "maxEntriesPerMsg"
  | "maxBytesPerMsg"
  | "maxMessageBytes"
  | "maxEntryBytes"
  | "maxInflightMsgs"
  | "preVote"
  | "checkQuorum"
  | "readOnlyOption"
>;

export interface RaftHostOptions<R = unknown> extends RaftEngineSettings {
  readonly id: MemberId;
  /** Open it with `{ schema: raftMessageSchema }` so every received message is validated. */
  readonly transport: Transport<RaftMessage>;
  readonly storage: RaftStorage;
  readonly clock: Clock;
  readonly random: Random;
  /** Applies a committed entry to the user's state machine; its return value resolves `propose`. */
  readonly apply: (entry: LogEntry) => R;
  /** Captures the state machine for a snapshot. Without it, the log is never compacted. */
  readonly snapshot?: () => string;
  /** Replaces the state machine with a snapshot's data. */
  readonly restore?: (data: string) => void;
  readonly logger?: Logger;
  /** Milliseconds per engine tick. Default 100. */
  readonly tickMs?: number;
  /** Take a snapshot every N applied entries (needs `snapshot`). Default 10,000; 0 never. */
  readonly snapshotEvery?: number;
  /** Reject a read still waiting after this long with a TimeoutError. Default 10 s. */
  readonly readTimeoutMs?: number;
  /** Reject a proposal still waiting after this long with a TimeoutError (outcome unknown). Default 30 s. */
  readonly proposalTimeoutMs?: number;
  /**
   * Largest record the storage accepts in one `save`. Default: the storage's own `maxRecordBytes` when
   * it exposes one, else 64 MiB (`FileStorage`'s default). A `Ready` with more is saved in several writes.
   */
  readonly maxRecordBytes?: number;
}

/** The size limits a host works under (see {@link RaftHostOptions}). */
export interface RaftHostLimits {
  /** Largest encoded message sent (the transport's frame limit). */
  readonly maxMessageBytes: number;
  /** Largest storage record written. */
  readonly maxRecordBytes: number;
  /** Largest encoded entry a proposal may make. */
  readonly maxEntryBytes: number;
}

/** A numeric property `name` of `target`, if it has one (a transport's frame limit, a storage's record limit). */
function advertised(target: unknown, name: string): number | undefined {
  if (typeof target !== "object" || target === null) return undefined;
  const value = (target as Record<string, unknown>)[name];
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/**
 * The limits a host's options describe: explicit options first, then what the transport
 * (`maxFrameBytes`) and the storage (`maxRecordBytes`) advertise, then their defaults.
 */
export function resolveLimits(o: RaftHostOptions<unknown>): RaftHostLimits {
  const maxMessageBytes = o.maxMessageBytes ?? advertised(o.transport, "maxFrameBytes") ?? DEFAULT_MAX_MESSAGE_BYTES;
  const maxRecordBytes = o.maxRecordBytes ?? advertised(o.storage, "maxRecordBytes") ?? DEFAULT_MAX_RECORD_BYTES;
  return { maxMessageBytes, maxRecordBytes, maxEntryBytes: o.maxEntryBytes ?? defaultMaxEntryBytes(maxMessageBytes, maxRecordBytes) };
}

/** Options of a host call that can be cancelled. */
export interface RaftCallOptions {
  /** Aborting rejects the call with a `CancelledError` and drops it from the host's queues. */
  readonly signal?: AbortSignal;
}

/** Options of a host call that waits for a condition. */
export interface RaftWaitOptions extends RaftCallOptions {
  /** Give up (TimeoutError) after this many ms. */
  readonly timeoutMs?: number;
}

/** Arguments of `RaftHost.transferLeader`. */
export const transferSchema = z.object({ to: z.string().min(1), timeoutMs: z.number().positive() });

/** Arguments of `RaftHost.addMember`. */
export const addMemberSchema = z.object({
  id: z.string().min(1),
  maxLag: z.number().int().min(0).default(0),
  timeoutMs: z.number().positive().default(30_000),
});

export const hostOptionsSchema = z.object({
  id: z.string().min(1),
  tickMs: z.number().positive().default(100),
  snapshotEvery: z.number().int().min(0).default(10_000),
  readTimeoutMs: z.number().positive().default(10_000),
  proposalTimeoutMs: z.number().positive().default(30_000),
  maxRecordBytes: z.number().int().min(2 * ENVELOPE_RESERVE_BYTES).optional(),
});

const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", { message: `${what} must be a function` });
const withMethods = (what: string, methods: readonly string[]) =>
  z.custom<object>((v) => typeof v === "object" && v !== null && methods.every((m) => typeof (v as Record<string, unknown>)[m] === "function"), {
    message: `${what} must have ${methods.join(", ")}`,
  });

/** The collaborators and hooks a host is given: checked for shape so a wrong one fails at construction. */
export const hostCollaboratorsSchema = z.object({
  transport: withMethods("transport", ["send", "onMessage"]),
  storage: withMethods("storage", ["load", "save", "compact"]),
  clock: withMethods("clock", ["now", "setTimer", "clearTimer"]),
  apply: fn("apply"),
  snapshot: fn("snapshot").optional(),
  restore: fn("restore").optional(),
});

/** What a committed and applied proposal resolves to. */
export interface ProposalResult<R = unknown> {
  readonly index: number;
  readonly term: number;
  /** What the `apply` callback returned for the entry. */
  readonly result: R;
}

/** Status of a host: the engine's view plus apply progress. */
export interface RaftHostStatus {
  readonly id: MemberId;
  readonly term: number;
  readonly role: RaftRole;
  readonly leaderId: MemberId | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly voters: readonly MemberId[];
  readonly learners: readonly MemberId[];
  /** Match index of every member, as the leader knows it (empty on followers). */
  readonly matchIndex: Readonly<Record<MemberId, number>>;
  readonly running: boolean;
}

/** Counters since `start()`. */
export interface RaftHostMetrics {
  readonly proposalsApplied: number;
  readonly proposalsFailed: number;
  readonly readsServed: number;
  readonly entriesApplied: number;
  readonly messagesSent: number;
  readonly messagesReceived: number;
  /** Messages dropped because their `from` was not the peer the transport authenticated. */
  readonly messagesRejected: number;
  readonly sendErrors: number;
  readonly saves: number;
  readonly snapshotsTaken: number;
  readonly snapshotsInstalled: number;
  readonly leaderChanges: number;
  /** Proposals and membership changes waiting to be applied (or to fail) right now. */
  readonly pendingProposals: number;
  /** Reads waiting for their read index right now. */
  readonly pendingReads: number;
}

/** The engine configuration a host's options describe (only the fields that are set). */
export function engineConfig(o: RaftHostOptions<unknown>): RaftConfig {
  const limits = resolveLimits(o);
  const optional = {
    voters: o.voters,
    electionTick: o.electionTick,
    heartbeatTick: o.heartbeatTick,
    maxEntriesPerMsg: o.maxEntriesPerMsg,
    maxBytesPerMsg: o.maxBytesPerMsg,
    maxMessageBytes: limits.maxMessageBytes,
    maxEntryBytes: limits.maxEntryBytes,
    maxInflightMsgs: o.maxInflightMsgs,
    preVote: o.preVote,
    checkQuorum: o.checkQuorum,
    readOnlyOption: o.readOnlyOption,
  };
  const set = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined));
  return { id: o.id, random: o.random, ...set };
}
