/**
 * The simulated network's in-flight messages: a binary min-heap ordered by (due time, sequence
 * number), so ties are broken by send order and the delivery order depends only on the seed.
 *
 * @module
 */
import { MinHeap } from "../core/heap.js";
import type { NodeId } from "./types.js";

/** One message copy on its way. */
export interface InFlight {
  readonly due: number;
  /** Global, strictly increasing: the tie-breaker that makes the order total. */
  readonly seq: number;
  /** Id of the original send (shared by a message and its duplicate), for traces. */
  readonly messageId: number;
  readonly from: NodeId;
  readonly to: NodeId;
  /** The serialized message (`cloneMessages`) or the message itself. */
  readonly payload: unknown;
  readonly serialized: boolean;
}

function before(a: InFlight, b: InFlight): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

/** In-flight copies, earliest due first, ties in send order. */
export class DeliveryQueue extends MinHeap<InFlight> {
  constructor() {
    super(before);
  }
}
