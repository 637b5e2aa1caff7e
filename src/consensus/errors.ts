/**
 * Typed errors of the consensus engine and host.
 *
 * @module
 */
import { EdgeflowError } from "../core/errors.js";
import type { MemberId } from "../storage/types.js";

/** This member is not the leader; retry on `leaderId` when it is known. */
export class NotLeaderError extends EdgeflowError {
  /** The leader this member knows of, or `null`. */
  readonly leaderId: MemberId | null;

  constructor(leaderId: MemberId | null, message?: string) {
    super("raft.not_leader", message ?? (leaderId === null ? "not the leader; no leader is known" : `not the leader; the leader is "${leaderId}"`));
    this.leaderId = leaderId;
  }
}

/**
 * A proposal was appended but another entry won its log index after a leader change: it was
 * definitely not applied and will never be.
 */
export class ProposalLostError extends EdgeflowError {
  readonly index: number;
  readonly term: number;

  constructor(index: number, term: number) {
    super("raft.proposal_lost", `the proposal at index ${index}, term ${term} was overwritten after a leader change and was not applied`);
    this.index = index;
    this.term = term;
  }
}

/** The engine refused a proposal outright (leader transfer in progress, a membership change pending, ...). */
export class ProposalDroppedError extends EdgeflowError {
  constructor(reason: string) {
    super("raft.proposal_dropped", `proposal dropped: ${reason}`);
  }
}

/** The engine was driven against its contract (e.g. `step` between `ready` and `advance`). */
export class RaftUsageError extends EdgeflowError {
  constructor(message: string) {
    super("raft.usage", message);
  }
}

/**
 * The outcome of a proposal cannot be known by this member (its entry was covered by a snapshot
 * from the leader before it could be matched, or the member stopped). Retry with a request id.
 */
export class ProposalOutcomeUnknownError extends EdgeflowError {
  readonly index: number;

  constructor(index: number, reason: string) {
    super("raft.outcome_unknown", `the outcome of the proposal at index ${index} is unknown: ${reason}`);
    this.index = index;
  }
}

/**
 * A proposal whose encoded entry would not fit one transport message or one storage record. Refused
 * before anything is appended; split the value or raise the limits (`maxMessageBytes`, `maxRecordBytes`).
 */
export class ProposalTooLargeError extends EdgeflowError {
  /** Encoded size of the entry, in bytes. */
  readonly bytes: number;
  /** The largest entry accepted (`maxEntryBytes`). */
  readonly limit: number;

  constructor(bytes: number, limit: number, what = "proposal") {
    super("raft.proposal_too_large", `${what} encodes to ${bytes} bytes, above the limit of ${limit} bytes per entry`);
    this.bytes = bytes;
    this.limit = limit;
  }
}
