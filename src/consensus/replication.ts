/**
 * The leader's side of log replication: appends (batched, bounded in flight), snapshots for members
 * whose next entry was compacted away, heartbeats, commit by counting, and ReadIndex.
 *
 * @module
 */
import type { MemberId } from "../storage/types.js";
import type { Raft } from "./raft.js";
import { sendSnapshotChunks } from "./snapshot-stream.js";

/** Sends the next append (or a snapshot) to `to` unless its progress is paused; returns whether it sent. */
export function maybeSendAppend(r: Raft, to: MemberId, sendIfEmpty: boolean): boolean {
  const pr = r.progress.get(to);
  if (pr === undefined || pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  const prevTerm = r.log.term(prevIndex);
  const entries = r.log.slice(pr.next, r.log.lastIndex() + 1, r.cfg.maxEntriesPerMsg, r.appendBudgetBytes);
  if (prevTerm === undefined || entries === undefined) {
    const snapshot = r.log.snapshot;
    if (snapshot === null) return false;
    pr.becomeSnapshot(snapshot);
    sendSnapshotChunks(r, to, pr);
    return true;
  }
  if (entries.length === 0 && !sendIfEmpty) return false;
  r.send({ type: "append", to, logTerm: prevTerm, index: prevIndex, commit: r.log.committed, entries });
  const last = entries[entries.length - 1];
  pr.sentAppend(entries.length, last === undefined ? prevIndex : last.index);
  return true;
}

export function sendAppend(r: Raft, to: MemberId): void {
  maybeSendAppend(r, to, true);
}

/** Sends what the batched proposals and commit advances since the last `Ready` owe each member. */
export function flushBroadcast(r: Raft): void {
  if (!r.broadcastPending && !r.commitBroadcastPending) return;
  const commit = r.commitBroadcastPending;
  r.broadcastPending = false;
  r.commitBroadcastPending = false;
  for (const id of r.progress.keys()) {
    if (id === r.id) continue;
    let sent = false;
    while (maybeSendAppend(r, id, false)) sent = true;
    if (!sent && commit) maybeSendAppend(r, id, true);
  }
}

export function bcastHeartbeat(r: Raft, context: string | null): void {
  for (const [id, pr] of r.progress) {
    if (id === r.id) continue;
    // Never tell a member to commit beyond what it is known to hold.
    r.send({ type: "heartbeat", to: id, commit: Math.min(pr.match, r.log.committed), context });
  }
}

export function sendTimeoutNow(r: Raft, to: MemberId): void {
  r.leaseGivenAway = true;
  r.send({ type: "timeout_now", to });
}

/** Advances commit to the highest index a quorum of voters holds, if it is of the current term. */
export function maybeCommit(r: Raft): boolean {
  const matches: number[] = [];
  for (const id of r.voters) matches.push(r.progress.get(id)?.match ?? 0);
  if (matches.length === 0) return false;
  matches.sort((a, b) => b - a);
  const quorumIndex = matches[r.quorum() - 1] ?? 0;
  const committed = r.log.maybeCommit(quorumIndex, r.term);
  if (committed && r.pendingReads.length > 0 && r.log.term(r.log.committed) === r.term) {
    const waiting = r.pendingReads;
    r.pendingReads = [];
    for (const read of waiting) handleReadIndex(r, read.from, read.context);
  }
  return committed;
}

function respondRead(r: Raft, to: MemberId, index: number, context: string): void {
  if (to === r.id) r.readStates.push({ index, context });
  else r.send({ type: "read_index_response", to, index, context });
}

/** Serves a read request on the leader: answers at once when safe, else starts a heartbeat round. */
export function handleReadIndex(r: Raft, from: MemberId, context: string): void {
  if (r.voters.size === 1 && r.voters.has(r.id)) {
    respondRead(r, from, r.log.committed, context);
    return;
  }
  if (r.log.term(r.log.committed) !== r.term) {
    // Until it commits an entry of its term the leader does not know the latest commit index.
    r.pendingReads.push({ from, context });
    return;
  }
  if (r.cfg.readOnlyOption === "lease_based" && !r.leaseGivenAway) {
    respondRead(r, from, r.log.committed, context);
    return;
  }
  r.readOnly.add(context, r.log.committed, from, r.id);
  bcastHeartbeat(r, context);
}

/** Records a heartbeat ack carrying a read context; releases the reads a quorum has confirmed. */
export function recvReadAck(r: Raft, from: MemberId, context: string): void {
  for (const read of r.readOnly.recvAck(from, context, (acks) => r.hasQuorum(acks))) {
    respondRead(r, read.from, read.index, read.context);
  }
}
