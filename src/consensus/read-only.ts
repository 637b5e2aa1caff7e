/**
 * Pending ReadIndex requests on the leader (Raft thesis §6.4): each waits until a quorum answers a
 * heartbeat carrying its context, which proves the leader was still the leader when the read
 * arrived. A quorum ack for one request also confirms every request queued before it.
 *
 * @module
 */
import type { MemberId } from "../storage/types.js";

export interface ReadRequest {
  readonly context: string;
  /** The commit index when the request arrived: the read is safe once this is applied. */
  readonly index: number;
  /** Who asked (this member, or a follower that forwarded it). */
  readonly from: MemberId;
  readonly acks: Set<MemberId>;
}

export class ReadOnlyQueue {
  private queue: ReadRequest[] = [];
  private readonly byContext = new Map<string, ReadRequest>();

  add(context: string, index: number, from: MemberId, self: MemberId): void {
    if (this.byContext.has(context)) return;
    const request: ReadRequest = { context, index, from, acks: new Set([self]) };
    this.queue.push(request);
    this.byContext.set(context, request);
  }

  /**
   * Records `from`'s ack of `context`; when `hasQuorum(acks)` holds, removes and returns that
   * request and every request before it.
   */
  recvAck(from: MemberId, context: string, hasQuorum: (acks: ReadonlySet<MemberId>) => boolean): ReadRequest[] {
    const request = this.byContext.get(context);
    if (request === undefined) return [];
    request.acks.add(from);
    if (!hasQuorum(request.acks)) return [];
    const at = this.queue.indexOf(request);
    const released = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    for (const r of released) this.byContext.delete(r.context);
    return released;
  }

  lastContext(): string | null {
    return this.queue[this.queue.length - 1]?.context ?? null;
  }

  size(): number {
    return this.queue.length;
  }

  reset(): void {
    this.queue = [];
    this.byContext.clear();
  }
}
