/**
 * An encoded frame as the encoder hands it to the send queue: a range of the encoder's scratch
 * space, into which large byte arrays of the message are still to be spliced. A byte array is
 * copied once, straight from the caller's memory to where the frame is kept, instead of into the
 * scratch space first and then out again with the rest of the frame: for a 64 KiB snapshot chunk
 * that halves the bytes the send path copies.
 *
 * @module
 * @internal
 */

/** A byte array of the message, to be written before byte `at` of the frame's scratch range. */
export interface Splice {
  readonly at: number;
  readonly bytes: Uint8Array;
}

/** No splices: shared, so that frames without large byte arrays allocate nothing for them. */
export const NO_SPLICES: readonly Splice[] = Object.freeze([]);

/** Where the encoder put a frame: bytes `[start, end)` of `bytes`, with `splices` written in between. */
export interface EncodedFrame {
  readonly bytes: Buffer;
  readonly start: number;
  readonly end: number;
  /** In order of `at`, each within `[start, end]`. */
  readonly splices: readonly Splice[];
  /** Bytes of the whole frame: `end - start` and every splice. */
  readonly length: number;
  /**
   * Whether the frame's memory is the caller's to keep (then it has no splices). Any other frame
   * lies in the encoder's scratch space, overwritten by the next encoding, and its splices in the
   * caller's byte arrays, which the caller may change after sending: it must be copied before
   * either happens (the send queue copies it at once).
   */
  readonly owned: boolean;
}

/** Writes the whole frame into `target` from `offset`; `target` must have {@link EncodedFrame.length} bytes there. */
export function copyFrame(frame: EncodedFrame, target: Uint8Array, offset: number): void {
  const { bytes, splices } = frame;
  if (splices.length === 0) {
    bytes.copy(target, offset, frame.start, frame.end);
    return;
  }
  let from = frame.start;
  let to = offset;
  for (const splice of splices) {
    bytes.copy(target, to, from, splice.at);
    to += splice.at - from;
    target.set(splice.bytes, to);
    to += splice.bytes.length;
    from = splice.at;
  }
  bytes.copy(target, to, from, frame.end);
}
