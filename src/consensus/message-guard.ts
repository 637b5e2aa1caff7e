/**
 * A fast structural check of a message handed to `RaftNode.step`. Transports validate received
 * messages with {@link raftMessageSchema}; this guard keeps a caller that skips that from feeding the
 * engine a non-finite term, a missing field or a gap in an append's entries, without paying for a
 * full schema parse on every message.
 *
 * @module
 */
import { ValidationError, type ValidationIssue } from "../core/errors.js";
import type { RaftMessage, RaftMessageType } from "./messages.js";

type FieldKind = "index" | "boolean" | "string" | "nullable_string" | "entries" | "snapshot_metadata";

const FIELDS: Readonly<Record<RaftMessageType, Readonly<Record<string, FieldKind>>>> = {
  append: { logTerm: "index", index: "index", commit: "index", entries: "entries" },
  append_response: { index: "index", reject: "boolean", rejectHint: "index", hintTerm: "index" },
  vote: { logTerm: "index", index: "index", force: "boolean" },
  pre_vote: { logTerm: "index", index: "index", force: "boolean" },
  vote_response: { reject: "boolean" },
  pre_vote_response: { reject: "boolean" },
  heartbeat: { commit: "index", context: "nullable_string" },
  heartbeat_response: { context: "nullable_string" },
  snapshot: { metadata: "snapshot_metadata", offset: "index", data: "string", done: "boolean" },
  snapshot_response: { index: "index", offset: "index", reject: "boolean" },
  timeout_now: {},
  read_index: { context: "string" },
  read_index_response: { context: "string", index: "index" },
};

function isIndex(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function isId(v: unknown): v is string {
  return typeof v === "string" && v !== "";
}

function checkEntries(m: Record<string, unknown>, issues: ValidationIssue[]): void {
  const entries = m["entries"];
  if (!Array.isArray(entries)) {
    issues.push({ path: "message.entries", message: "must be an array", code: "invalid_type" });
    return;
  }
  const index = m["index"] as number;
  let previous = m["logTerm"] as number;
  const term = m["term"] as number;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as Record<string, unknown> | null;
    const at = `message.entries[${i}]`;
    if (typeof e !== "object" || e === null) {
      issues.push({ path: at, message: "must be an entry", code: "invalid_type" });
      return;
    }
    if (e["index"] !== index + 1 + i) issues.push({ path: `${at}.index`, message: `must be ${index + 1 + i} (entries follow index ${index} contiguously)`, code: "invalid_entry" });
    const t = e["term"];
    if (!isIndex(t) || t < previous || t > term) issues.push({ path: `${at}.term`, message: `must be an integer between ${previous} and the message term ${term}`, code: "invalid_entry" });
    else previous = t;
    if (e["type"] !== "normal" && e["type"] !== "conf_change") issues.push({ path: `${at}.type`, message: 'must be "normal" or "conf_change"', code: "invalid_entry" });
    if (typeof e["data"] !== "string") issues.push({ path: `${at}.data`, message: "must be a string", code: "invalid_type" });
    if (issues.length > 0) return;
  }
}

function checkSnapshotMetadata(v: unknown, issues: ValidationIssue[]): void {
  const md = v as Record<string, unknown> | null;
  const conf = typeof md === "object" && md !== null ? (md["confState"] as Record<string, unknown> | null) : null;
  const ids = (x: unknown): boolean => Array.isArray(x) && x.every(isId);
  if (typeof md !== "object" || md === null || !isIndex(md["index"]) || !isIndex(md["term"]) || typeof conf !== "object" || conf === null || !ids(conf["voters"]) || !ids(conf["learners"])) {
    issues.push({ path: "message.metadata", message: "must be snapshot metadata { index, term, confState: { voters, learners } }", code: "invalid_type" });
  }
}

/** Throws a {@link ValidationError} naming every malformed field of `message`. */
export function checkMessage(message: unknown): asserts message is RaftMessage {
  if (typeof message !== "object" || message === null) throw ValidationError.of("message", "must be a Raft message object", "invalid_type");
  const m = message as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const type = m["type"];
  const fields = typeof type === "string" && Object.hasOwn(FIELDS, type) ? FIELDS[type as RaftMessageType] : undefined;
  if (fields === undefined) issues.push({ path: "message.type", message: `must be one of ${Object.keys(FIELDS).join(", ")}`, code: "invalid_type" });
  if (!isId(m["from"])) issues.push({ path: "message.from", message: "must be a non-empty member id", code: "invalid_type" });
  if (!isId(m["to"])) issues.push({ path: "message.to", message: "must be a non-empty member id", code: "invalid_type" });
  if (!isIndex(m["term"])) issues.push({ path: "message.term", message: "must be a non-negative integer", code: "invalid_type" });
  for (const [name, kind] of Object.entries(fields ?? {})) {
    const v = m[name];
    const path = `message.${name}`;
    switch (kind) {
      case "index":
        if (!isIndex(v)) issues.push({ path, message: "must be a non-negative integer", code: "invalid_type" });
        break;
      case "boolean":
        if (typeof v !== "boolean") issues.push({ path, message: "must be a boolean", code: "invalid_type" });
        break;
      case "string":
        if (typeof v !== "string") issues.push({ path, message: "must be a string", code: "invalid_type" });
        break;
      case "nullable_string":
        if (v !== null && typeof v !== "string") issues.push({ path, message: "must be a string or null", code: "invalid_type" });
        break;
      case "snapshot_metadata":
        checkSnapshotMetadata(v, issues);
        break;
      case "entries":
        if (issues.length === 0) checkEntries(m, issues);
        break;
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
}
