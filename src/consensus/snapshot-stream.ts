/**
 * Snapshots travel in chunks (InstallSnapshot's `offset` and `done`, Raft paper §7; etcd streams
 * them too): the leader sends chunks that each fit the frame limit, a few at a time, and continues
 * from what the follower acknowledges; the follower assembles them in order and installs the
 * snapshot only when the last one arrives. A new term, a new leader or another snapshot starts over.
 *
 * @module
 */
import type { Snapshot, SnapshotMetadata } from "../storage/types.js";
import type { SnapshotMessage, SnapshotResponseMessage } from "./messages.js";
import { MAX_INFLIGHT_SNAPSHOT_CHUNKS, type Progress } from "./progress.js";
import type { Raft } from "./raft.js";
import { jsonStringBytes } from "./sizes.js";

/** Where the chunk of `data` starting at `start` ends so that, as a JSON string, it takes at most `budget` bytes. */
export function chunkEnd(data: string, start: number, budget: number): number {
  let end = Math.min(data.length, start + budget);
  for (;;) {
    const bytes = jsonStringBytes(data.slice(start, end));
    if (bytes <= budget || end - start <= 2) break;
    // Escapes and multi-byte characters made it too big: shrink in proportion, with a margin.
    end = start + Math.max(2, Math.floor(((end - start) * budget) / bytes) - 8);
  }
  // Never split a surrogate pair: a lone half does not survive a UTF-8 wire.
  const last = data.charCodeAt(end - 1);
  if (end < data.length && end - start > 1 && last >= 0xd800 && last <= 0xdbff) end--;
  return end;
}

/** Bytes of one chunk's data that fit a message beside the snapshot's metadata. */
export function chunkBudget(r: Raft, metadata: SnapshotMetadata): number {
  const metadataBytes = jsonStringBytes(JSON.stringify(metadata));
  return Math.max(64, r.appendBudgetBytes - metadataBytes);
}

/** Sends the next chunks of the snapshot being streamed to `to`, up to the in-flight window. */
export function sendSnapshotChunks(r: Raft, to: string, pr: Progress): void {
  const stream = pr.stream;
  if (stream === null || stream.finished) return;
  const { metadata, data } = stream.snapshot;
  const budget = chunkBudget(r, metadata);
  while (!stream.finished && stream.inflight.length < MAX_INFLIGHT_SNAPSHOT_CHUNKS) {
    const offset = stream.sent;
    const end = chunkEnd(data, offset, budget);
    const done = end >= data.length;
    r.send({ type: "snapshot", to, metadata, offset, data: data.slice(offset, end), done });
    stream.sent = end;
    stream.inflight.push(end);
    stream.finished = done;
  }
}

/** The leader hears how much of the snapshot a member holds: continue from there. */
export function handleSnapshotResponse(r: Raft, pr: Progress, m: SnapshotResponseMessage): void {
  const stream = pr.stream;
  if (pr.state !== "snapshot" || stream === null || m.index !== stream.snapshot.metadata.index) return;
  if (m.reject) {
    // A gap (a chunk was lost) or the member started over: go back to what it holds, once per gap —
    // the chunks already in flight behind the lost one each report the same gap.
    if (m.offset === stream.rewoundTo && m.offset >= stream.acked) return;
    stream.rewoundTo = m.offset;
    stream.sent = Math.min(m.offset, stream.snapshot.data.length);
    stream.acked = stream.sent;
    stream.inflight = [];
    stream.finished = false;
  } else if (m.offset > stream.acked) {
    // Only progress counts as life: duplicates acknowledge nothing new.
    pr.snapshotTicks = 0;
    stream.acked = m.offset;
    while (stream.inflight.length > 0 && (stream.inflight[0] as number) <= m.offset) stream.inflight.shift();
  } else return;
  sendSnapshotChunks(r, m.from, pr);
}

/** A member in snapshot state answered a heartbeat but chunks are unacknowledged: resend from the acknowledged offset. */
export function resumeSnapshot(r: Raft, to: string, pr: Progress): void {
  const stream = pr.stream;
  if (stream === null || stream.inflight.length === 0) return;
  stream.sent = stream.acked;
  stream.rewoundTo = stream.acked;
  stream.inflight = [];
  stream.finished = false;
  sendSnapshotChunks(r, to, pr);
}

/** A follower's snapshot being assembled from chunks. */
export interface IncomingSnapshot {
  readonly term: number;
  readonly from: string;
  readonly metadata: SnapshotMetadata;
  readonly chunks: string[];
  received: number;
}

function sameSnapshot(a: SnapshotMetadata, b: SnapshotMetadata): boolean {
  return a.index === b.index && a.term === b.term;
}

/**
 * The follower's side: adds the chunk to the snapshot being assembled and returns the complete
 * snapshot when `m` is its last chunk. Otherwise acknowledges (or, out of order, rejects) the chunk.
 */
export function receiveSnapshotChunk(r: Raft, m: SnapshotMessage): Snapshot | undefined {
  let incoming = r.incomingSnapshot;
  if (m.offset === 0) {
    incoming = { term: m.term, from: m.from, metadata: m.metadata, chunks: [], received: 0 };
    r.incomingSnapshot = incoming;
  }
  const matches = incoming !== null && incoming.term === m.term && incoming.from === m.from && sameSnapshot(incoming.metadata, m.metadata);
  if (incoming === null || !matches) {
    // A chunk of a snapshot this member is not assembling: the leader must start from the beginning.
    r.send({ type: "snapshot_response", to: m.from, index: m.metadata.index, offset: 0, reject: true });
    return undefined;
  }
  if (m.offset !== incoming.received) {
    // Behind: a duplicate, acknowledged again. Ahead: a gap, rejected with where to resume.
    r.send({ type: "snapshot_response", to: m.from, index: m.metadata.index, offset: incoming.received, reject: m.offset > incoming.received });
    return undefined;
  }
  incoming.chunks.push(m.data);
  incoming.received += m.data.length;
  if (!m.done) {
    r.send({ type: "snapshot_response", to: m.from, index: m.metadata.index, offset: incoming.received, reject: false });
    return undefined;
  }
  r.incomingSnapshot = null;
  return { metadata: m.metadata, data: incoming.chunks.join("") };
}
