/**
 * Raft consensus: the pure engine ({@link RaftNode}), its driver ({@link RaftHost}), a replicated
 * key-value store on top ({@link ReplicatedKV}) and the registry workflow nodes find clusters in.
 *
 * @module
 */
export { RaftNode, type ProposalPosition } from "./raft-node.js";
export {
  raftMessageSchema,
  logEntrySchema,
  snapshotSchema,
  type RaftMessage,
  type RaftMessageType,
  type AppendMessage,
  type AppendResponseMessage,
  type VoteMessage,
  type VoteResponseMessage,
  type HeartbeatMessage,
  type HeartbeatResponseMessage,
  type SnapshotMessage,
  type SnapshotResponseMessage,
  type TimeoutNowMessage,
  type ReadIndexMessage,
  type ReadIndexResponseMessage,
} from "./messages.js";
export {
  confChangeSchema,
  memberIdSchema,
  raftConfigSchema,
  type ConfChange,
  type ConfChangeEntry,
  type ProgressStatus,
  type RaftConfig,
  type RaftRole,
  type RaftStatus,
  type ReadOnlyOption,
  type ReadState,
  type Ready,
  type SoftState,
} from "./types.js";
export { NotLeaderError, ProposalDroppedError, ProposalLostError, ProposalTooLargeError, RaftUsageError } from "./errors.js";
export { decodeKvCommand, encodeKvCommand, KvStateMachine, kvCommandSchema, type KvCommand, type KvWriteResult } from "./kv-state.js";
export { RaftHost, type RaftHostEvents } from "./host.js";
export type { ProposalResult, RaftCallOptions, RaftWaitOptions, RaftEngineSettings, RaftHostLimits, RaftHostMetrics, RaftHostOptions, RaftHostStatus } from "./host-types.js";
export { ProposalOutcomeUnknownError } from "./errors.js";
export { ReplicatedKV, type KvReadOptions, type KvSwapResult, type KvVersionedValue, type KvWriteOptions, type ReplicatedKVOptions, type RequestId } from "./kv.js";
export { RaftClusters, RAFT_CLUSTERS, type RaftClusterEntry } from "./registry.js";
