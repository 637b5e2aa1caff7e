/**
 * Types of partition detection: member states, the quorum view and the events reported.
 *
 * @module
 */

/** What the failure detector currently thinks of a member. */
export type MemberState = "alive" | "suspect" | "dead";

/** One member as this node sees it. */
export interface MemberView {
  readonly id: string;
  /** This node itself is always `alive`. */
  readonly state: MemberState;
  readonly voter: boolean;
  /** Current suspicion (0 for this node). */
  readonly phi: number;
  /** Clock time of the last heartbeat received, if any. */
  readonly lastHeartbeatAt: number | undefined;
  /** Clock time since which the member has been in `state`. */
  readonly since: number;
}

/** The quorum as this node sees it. */
export interface QuorumView {
  readonly voters: readonly string[];
  /** Votes needed: a strict majority of the voters. */
  readonly needed: number;
  /** Voters this node can reach (itself included when it votes), sorted. */
  readonly reachable: readonly string[];
  readonly unreachable: readonly string[];
  readonly hasQuorum: boolean;
}

/** A partition report: this node sits in a minority. */
export interface PartitionReport {
  readonly at: number;
  readonly quorum: QuorumView;
}

/** Events of a partition detector. */
export type MembershipEvents = {
  "peer:suspect": { readonly peer: string; readonly phi: number; readonly at: number };
  "peer:dead": { readonly peer: string; readonly at: number };
  "peer:alive": { readonly peer: string; readonly at: number };
  /** This node lost its quorum: it is in a minority (or all voters are split without a majority). */
  "partition:detected": PartitionReport;
  "partition:healed": PartitionReport;
  /** This node fenced itself: it must stop granting leases and acting as a leader. */
  fenced: { readonly reason: string; readonly at: number };
  unfenced: { readonly at: number };
};

/** A snapshot of a partition detector. */
export interface MembershipStatus {
  readonly nodeId: string;
  readonly hasQuorum: boolean;
  readonly fenced: boolean;
  readonly alive: number;
  readonly suspect: number;
  readonly dead: number;
  /**
   * With the intervals measured so far, the longest time from a peer going silent to this node
   * reporting it (and any quorum loss it causes), in ms.
   */
  readonly detectionBoundMs: number;
}
