/**
 * One step function per role (etcd's stepLeader / stepCandidate / stepFollower), selected by the
 * current role. Term checks and vote requests are handled before these run.
 *
 * @module
 */
import type { AppendMessage, HeartbeatMessage, RaftMessage, SnapshotMessage } from "./messages.js";
import type { Snapshot } from "../storage/types.js";
import type { Raft } from "./raft.js";
import { handleSnapshotResponse, receiveSnapshotChunk } from "./snapshot-stream.js";
import { maybeCommit, maybeSendAppend, recvReadAck, sendAppend, sendTimeoutNow, handleReadIndex } from "./replication.js";

/** The largest index at or below `index` whose term is at or below `term` (skips a whole term per round trip). */
function findConflictByTerm(r: Raft, index: number, term: number): number {
  let i = index;
  for (;;) {
    const t = r.log.term(i);
    if (t === undefined || t <= term) return i;
    i--;
  }
}

function handleAppend(r: Raft, m: AppendMessage): void {
  if (m.index < r.log.committed) {
    r.send({ type: "append_response", to: m.from, index: r.log.committed, reject: false, rejectHint: 0, hintTerm: 0 });
    return;
  }
  const last = r.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
  if (last !== undefined) {
    r.send({ type: "append_response", to: m.from, index: last, reject: false, rejectHint: 0, hintTerm: 0 });
    return;
  }
  const hint = findConflictByTerm(r, Math.min(m.index, r.log.lastIndex()), m.logTerm);
  r.send({ type: "append_response", to: m.from, index: m.index, reject: true, rejectHint: hint, hintTerm: r.log.term(hint) ?? 0 });
}

function handleHeartbeat(r: Raft, m: HeartbeatMessage): void {
  r.log.commitTo(Math.min(m.commit, r.log.lastIndex()));
  r.send({ type: "heartbeat_response", to: m.from, context: m.context });
}

function handleSnapshot(r: Raft, m: SnapshotMessage): void {
  const { index, term } = m.metadata;
  let snapshot: Snapshot | undefined;
  if (index <= r.log.committed || r.log.matchTerm(index, term)) {
    // The log already covers it: no need for the data, say where this member stands.
    r.incomingSnapshot = null;
    snapshot = { metadata: m.metadata, data: "" };
  } else {
    snapshot = receiveSnapshotChunk(r, m);
    if (snapshot === undefined) return;
  }
  const last = r.restore(snapshot) ? r.log.lastIndex() : r.log.committed;
  r.send({ type: "append_response", to: m.from, index: last, reject: false, rejectHint: 0, hintTerm: 0 });
}

export function stepFollower(r: Raft, m: RaftMessage): void {
  switch (m.type) {
    case "append":
      r.electionElapsed = 0;
      r.lead = m.from;
      handleAppend(r, m);
      return;
    case "heartbeat":
      r.electionElapsed = 0;
      r.lead = m.from;
      handleHeartbeat(r, m);
      return;
    case "snapshot":
      r.electionElapsed = 0;
      r.lead = m.from;
      handleSnapshot(r, m);
      return;
    case "timeout_now":
      // The leader hands over: campaign at once, skipping pre-vote and the lease check.
      r.hup(true);
      return;
    case "read_index_response":
      r.readStates.push({ index: m.index, context: m.context });
      return;
    default:
      return;
  }
}

export function stepCandidate(r: Raft, m: RaftMessage): void {
  const responseType = r.role === "pre_candidate" ? "pre_vote_response" : "vote_response";
  switch (m.type) {
    case "append":
      r.becomeFollower(m.term, m.from);
      handleAppend(r, m);
      return;
    case "heartbeat":
      r.becomeFollower(m.term, m.from);
      handleHeartbeat(r, m);
      return;
    case "snapshot":
      r.becomeFollower(m.term, m.from);
      handleSnapshot(r, m);
      return;
    case "vote_response":
    case "pre_vote_response": {
      if (m.type !== responseType) return;
      const outcome = r.poll(m.from, !m.reject);
      if (outcome === "won") {
        if (r.role === "pre_candidate") r.campaign("vote", false);
        else r.becomeLeader();
      } else if (outcome === "lost") {
        r.becomeFollower(r.term, null);
      }
      return;
    }
    default:
      return;
  }
}

export function stepLeader(r: Raft, m: RaftMessage): void {
  if (m.type === "read_index") {
    handleReadIndex(r, m.from, m.context);
    return;
  }
  const pr = r.progress.get(m.from);
  if (pr === undefined) return;
  if (m.type === "snapshot_response") {
    pr.recentActive = true;
    handleSnapshotResponse(r, pr, m);
    return;
  }
  if (m.type === "append_response") {
    pr.recentActive = true;
    if (m.reject) {
      const hint = m.hintTerm > 0 ? findConflictByTerm(r, m.rejectHint, m.hintTerm) : m.rejectHint;
      if (pr.maybeDecrTo(m.index, hint)) {
        if (pr.state === "replicate") pr.becomeProbe();
        sendAppend(r, m.from);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index)) {
      if (wasPaused && !pr.isPaused()) sendAppend(r, m.from);
      return;
    }
    if (pr.state === "probe") pr.becomeReplicate();
    else if (pr.state === "snapshot" && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === "replicate") pr.inflights.freeTo(m.index);
    if (maybeCommit(r)) r.commitBroadcastPending = true;
    // Keep the window full with what the member still lacks.
    while (maybeSendAppend(r, m.from, false));
    if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) sendTimeoutNow(r, m.from);
    return;
  }
  if (m.type === "heartbeat_response") {
    pr.recentActive = true;
    pr.probeSent = false;
    if (pr.state === "replicate" && pr.inflights.full()) pr.inflights.freeFirst();
    if (pr.match < r.log.lastIndex()) sendAppend(r, m.from);
    // Also in lease_based mode: reads fall back to a quorum round once the lease was handed away.
    if (m.context !== null) recvReadAck(r, m.from, m.context);
  }
}
