/**
 * Partition detection: heartbeats over a {@link Transport}, a phi-accrual failure detector per peer,
 * a membership view (`alive / suspect / dead`), quorum over a configured voter set, and fencing.
 *
 * @module
 */
import { freeze } from "immer";
import { z } from "zod";
import type { Clock, TimerHandle } from "../core/clock.js";
import { ValidationError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { parseWith } from "../core/validation.js";
import type { NodeId, Transport } from "../transport/types.js";
import { PhiAccrualFailureDetector, phiAccrualOptionsSchema } from "./phi-accrual.js";
import { quorumOf } from "./quorum.js";
import type { MemberState, MemberView, MembershipEvents, MembershipStatus, QuorumView } from "./types.js";

/** Messages partition detectors exchange. */
export const membershipMessageSchema = z.object({ type: z.literal("heartbeat"), seq: z.number().int().min(0) });

/** A message between partition detectors. */
export type MembershipMessage = z.output<typeof membershipMessageSchema>;

const memberId = z.string().min(1).max(256);

/** The tunable options of a {@link PartitionDetector}, with their defaults. */
export const partitionDetectorOptionsSchema = z.object({
  /** Every member of the cluster (this node may be listed or not). */
  members: z.array(memberId).min(1).max(1024),
  /** Members whose majority makes a quorum; default every member and this node. */
  voters: z.array(memberId).min(1).max(1024).optional(),
  /** How often heartbeats are sent, in ms (Akka: 1 s). */
  heartbeatIntervalMs: z.number().int().min(1).max(3_600_000).default(1000),
  /** How often phi is evaluated, in ms: adds at most this to the detection time. */
  checkIntervalMs: z.number().int().min(1).max(3_600_000).default(100),
  /** How long a member stays `suspect` before it is declared `dead`, in ms. */
  deadAfterMs: z.number().int().min(0).max(86_400_000).default(10_000),
  /**
   * `"manual"`: only {@link PartitionDetector.fence} fences. `"on-quorum-loss"`: this node fences
   * itself when it loses its quorum and unfences when it regains it.
   */
  fencing: z.enum(["manual", "on-quorum-loss"]).default("manual"),
  /** Phi-accrual settings (Akka's defaults); the first-interval estimate defaults to the heartbeat interval. */
  detector: phiAccrualOptionsSchema.partial().default({}),
});

/** Options of a {@link PartitionDetector}. */
export type PartitionDetectorOptions = z.input<typeof partitionDetectorOptionsSchema> & {
  readonly transport: Transport<MembershipMessage>;
  readonly clock: Clock;
};

interface Peer {
  readonly id: string;
  readonly detector: PhiAccrualFailureDetector;
  state: MemberState;
  since: number;
}

/**
 * Tells this node whether it can still reach a majority of the voters.
 *
 * **Reporting bound.** A peer that falls silent is suspected once phi crosses the threshold, which
 * with the intervals measured so far takes {@link PhiAccrualFailureDetector.timeToSuspectMs} after
 * its last heartbeat, and that is noticed within one `checkIntervalMs`. So a node cut off from a
 * majority reports `partition:detected` (and fences itself, with `fencing: "on-quorum-loss"`) at
 * most {@link MembershipStatus.detectionBoundMs} after the cut. With the defaults and steady
 * heartbeats (interval 1 s, deviation at its 100 ms floor, pause 3 s, threshold 8) that is about
 * 4.6 s. Quorum is regained, and `partition:healed` reported, on the first heartbeat that makes a
 * majority reachable again.
 *
 * **Hints only.** A detector can be wrong both ways (a slow peer looks dead, a flapping link looks
 * alive). Use it to stop acting early (fencing, pausing leases) and to inform operators; safety
 * rests on Raft's own quorum rules (check-quorum, pre-vote), never on this detector.
 *
 * @example
 * ```ts
 * const detector = new PartitionDetector({
 *   members: ["edge-a", "edge-b", "edge-c"],
 *   fencing: "on-quorum-loss",
 *   transport: network.endpoint("edge-a", { schema: membershipMessageSchema }),
 *   clock,
 * });
 * detector.on("partition:detected", ({ quorum }) => console.warn("minority side", quorum.reachable));
 * detector.start();
 * if (detector.isFenced()) refuseToGrantLeases();
 * ```
 */
export class PartitionDetector extends TypedEmitter<MembershipEvents> {
  readonly nodeId: NodeId;
  private readonly options: z.output<typeof partitionDetectorOptionsSchema>;
  private readonly transport: Transport<MembershipMessage>;
  private readonly clock: Clock;
  private readonly peers = new Map<string, Peer>();
  private readonly voters: readonly string[];
  private readonly started: number;
  private quorumHeld = true;
  private fencedReason: string | undefined;
  private fencedByQuorumLoss = false;
  private seq = 0;
  private heartbeatTimer: TimerHandle | undefined;
  private checkTimer: TimerHandle | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(options: PartitionDetectorOptions) {
    super();
    const { transport, clock, ...rest } = options;
    this.options = parseWith(partitionDetectorOptionsSchema, rest, "options");
    if (typeof transport?.send !== "function" || typeof transport.onMessage !== "function") throw ValidationError.of("options.transport", "transport must implement Transport", "invalid_type");
    if (typeof clock?.now !== "function" || typeof clock.setTimer !== "function") throw ValidationError.of("options.clock", "clock must implement Clock", "invalid_type");
    this.transport = transport;
    this.clock = clock;
    this.nodeId = transport.localId;
    const members = [...new Set([this.nodeId, ...this.options.members])];
    const voters = this.options.voters ?? members;
    const strangers = voters.filter((v) => !members.includes(v));
    if (strangers.length > 0) throw ValidationError.of("options.voters", `voters must be members; not members: ${strangers.join(", ")}`, "unknown_voter");
    if (new Set(voters).size !== voters.length) throw ValidationError.of("options.voters", "voters must be distinct", "duplicate_voter");
    this.voters = voters;
    this.started = clock.now();
    const detectorOptions = { firstHeartbeatEstimateMs: this.options.heartbeatIntervalMs, ...this.options.detector };
    for (const id of members) {
      if (id !== this.nodeId) this.peers.set(id, { id, detector: new PhiAccrualFailureDetector(detectorOptions), state: "alive", since: this.started });
    }
  }

  /**
   * Starts heartbeating and checking. Every peer starts `alive`, as if it had just sent a heartbeat,
   * so a node isolated from the start reports it within the same bound as a later partition.
   */
  start(): void {
    if (this.unsubscribe !== undefined) return;
    const now = this.clock.now();
    // Heartbeats were not listened to while stopped: that silence is ours, not the peers'.
    for (const peer of this.peers.values()) peer.detector.restartSilence(now);
    this.unsubscribe = this.transport.onMessage((from) => this.onHeartbeat(from));
    this.sendHeartbeats();
    this.scheduleCheck();
  }

  /** Stops heartbeating and checking; the transport stays open (its owner closes it). */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.heartbeatTimer !== undefined) this.clock.clearTimer(this.heartbeatTimer);
    if (this.checkTimer !== undefined) this.clock.clearTimer(this.checkTimer);
    this.heartbeatTimer = undefined;
    this.checkTimer = undefined;
  }

  /** Every member, this node first, then peers in id order. */
  members(): readonly MemberView[] {
    const now = this.clock.now();
    const self: MemberView = { id: this.nodeId, state: "alive", voter: this.voters.includes(this.nodeId), phi: 0, lastHeartbeatAt: undefined, since: this.started };
    const others = [...this.peers.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((p) => ({ id: p.id, state: p.state, voter: this.voters.includes(p.id), phi: p.detector.phi(now), lastHeartbeatAt: p.detector.lastHeartbeat, since: p.since }));
    return freeze([self, ...others], true);
  }

  /** The quorum as this node sees it: a voter counts when it is `alive` (suspects do not). */
  quorum(): QuorumView {
    const reachable = new Set<string>([this.nodeId]);
    for (const peer of this.peers.values()) if (peer.state === "alive") reachable.add(peer.id);
    return freeze(quorumOf(this.voters, reachable), true);
  }

  /** Whether this node currently reaches a majority of the voters. */
  hasQuorum(): boolean {
    return this.quorumHeld;
  }

  /** Whether this node is fenced: it must not grant leases or act on leadership while so. */
  isFenced(): boolean {
    return this.fencedReason !== undefined;
  }

  /** Fences this node (idempotent). */
  fence(reason = "fenced by request"): void {
    // Fenced by hand now: healing must no longer lift it, even if quorum loss fenced it first.
    this.fencedByQuorumLoss = false;
    if (this.fencedReason !== undefined) return;
    this.fencedReason = reason;
    this.emit("fenced", { reason, at: this.clock.now() });
  }

  /** Lifts the fence (idempotent). */
  unfence(): void {
    if (this.fencedReason === undefined) return;
    this.fencedReason = undefined;
    this.fencedByQuorumLoss = false;
    this.emit("unfenced", { at: this.clock.now() });
  }

  status(): MembershipStatus {
    const counts = { alive: 1, suspect: 0, dead: 0 };
    let bound = 0;
    for (const peer of this.peers.values()) {
      counts[peer.state]++;
      bound = Math.max(bound, peer.detector.timeToSuspectMs());
    }
    return freeze({ nodeId: this.nodeId, hasQuorum: this.quorumHeld, fenced: this.isFenced(), ...counts, detectionBoundMs: Math.ceil(bound) + this.options.checkIntervalMs });
  }

  /** Re-evaluates every peer now (the check timer calls it every `checkIntervalMs`). */
  check(): void {
    const now = this.clock.now();
    for (const peer of this.peers.values()) {
      if (peer.state === "alive") {
        const phi = peer.detector.phi(now);
        if (phi >= peer.detector.options.threshold) this.transition(peer, "suspect", now, phi);
      } else if (peer.state === "suspect" && now - peer.since >= this.options.deadAfterMs) {
        this.transition(peer, "dead", now, 0);
      }
    }
    this.updateQuorum(now);
  }

  private onHeartbeat(from: NodeId): void {
    const peer = this.peers.get(from);
    if (peer === undefined) return;
    const now = this.clock.now();
    peer.detector.heartbeat(now);
    if (peer.state !== "alive") {
      this.transition(peer, "alive", now, 0);
      this.updateQuorum(now);
    }
  }

  private transition(peer: Peer, state: MemberState, at: number, phi: number): void {
    peer.state = state;
    peer.since = at;
    if (state === "suspect") this.emit("peer:suspect", { peer: peer.id, phi, at });
    else if (state === "dead") this.emit("peer:dead", { peer: peer.id, at });
    else this.emit("peer:alive", { peer: peer.id, at });
  }

  private updateQuorum(at: number): void {
    const quorum = this.quorum();
    if (quorum.hasQuorum === this.quorumHeld) return;
    this.quorumHeld = quorum.hasQuorum;
    if (!quorum.hasQuorum) {
      this.emit("partition:detected", { at, quorum });
      if (this.options.fencing === "on-quorum-loss" && !this.isFenced()) {
        const reason = `lost quorum: reaches ${quorum.reachable.length} of ${quorum.voters.length} voters, needs ${quorum.needed}`;
        this.fencedReason = reason;
        this.fencedByQuorumLoss = true;
        this.emit("fenced", { reason, at });
      }
    } else {
      this.emit("partition:healed", { at, quorum });
      // A fence set by hand stays until lifted by hand.
      if (this.fencedByQuorumLoss) this.unfence();
    }
  }

  private sendHeartbeats(): void {
    const message: MembershipMessage = { type: "heartbeat", seq: this.seq++ };
    for (const id of this.peers.keys()) {
      try {
        this.transport.send(id, message);
      } catch {
        // An unreachable peer is exactly what the detector is for; its silence is the signal.
      }
    }
    this.heartbeatTimer = this.clock.setTimer(this.options.heartbeatIntervalMs, () => this.sendHeartbeats(), { background: true });
  }

  private scheduleCheck(): void {
    this.checkTimer = this.clock.setTimer(this.options.checkIntervalMs, () => {
      this.check();
      this.scheduleCheck();
    }, { background: true });
  }
}
