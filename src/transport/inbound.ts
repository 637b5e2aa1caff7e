/**
 * Validation of received messages against the engine's schema: the single gate between bytes from
 * a peer and engine code.
 *
 * @module
 */
import { zodIssues } from "../core/validation.js";
import { TransportError, type MessageSchema, type NodeId } from "./types.js";

/** The outcome of checking one received message. */
export type InboundResult<M> = { readonly ok: true; readonly message: M } | { readonly ok: false; readonly error: TransportError };

/**
 * Checks `value` against `schema` (no schema: accepted as is). A failure becomes a
 * {@link TransportError} with reason `"invalid_message"` naming every problem.
 */
export function checkInbound<M>(schema: MessageSchema<M> | undefined, value: unknown, from: NodeId): InboundResult<M> {
  if (schema === undefined) return { ok: true, message: value as M };
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, message: result.data };
  const issues = zodIssues(result.error)
    .slice(0, 5)
    .map((i) => `${i.path === "" ? "(root)" : i.path}: ${i.message}`)
    .join("; ");
  return {
    ok: false,
    error: new TransportError("invalid_message", `message from "${from}" does not match the schema: ${issues}`, { peer: from, cause: result.error }),
  };
}
