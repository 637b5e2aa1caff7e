/**
 * Partition detection: phi-accrual failure detection over heartbeats, membership states, quorum and
 * fencing. Hints only: Raft's own quorum rules decide safety.
 *
 * @module
 */
export { PhiAccrualFailureDetector, phiAccrualOptionsSchema, phiOf } from "./phi-accrual.js";
export type { PhiAccrualOptions } from "./phi-accrual.js";
export { majority, quorumOf } from "./quorum.js";
export { PartitionDetector, membershipMessageSchema, partitionDetectorOptionsSchema } from "./partition-detector.js";
export type { MembershipMessage, PartitionDetectorOptions } from "./partition-detector.js";
export type { MemberState, MemberView, QuorumView, PartitionReport, MembershipEvents, MembershipStatus } from "./types.js";
export { partitionDetectorKey } from "./keys.js";
