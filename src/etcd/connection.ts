/**
 * Options and validation shared by the etcd backends.
 *
 * @module
 */
import { z } from "zod";
import type { Clock } from "../core/clock.js";
import { ValidationError } from "../core/errors.js";
import { requireClock } from "../lifecycle/lease-store.js";
import { requireObject } from "../core/validation.js";

/** Where an etcd backend finds its cluster. */
export interface EtcdConnectionOptions {
  /** Time source for request timeouts. */
  readonly clock: Clock;
  /** Client URLs of the cluster's members, e.g. `["http://10.0.0.1:2379", ...]`. */
  readonly hosts: readonly string[];
  /** Key prefix, so several deployments can share one etcd (default `"edgeflow/"`). */
  readonly prefix?: string;
  /** Per-request timeout in ms (default 5 000). */
  readonly requestTimeoutMs?: number;
}

/** Schema of the cluster settings in {@link EtcdConnectionOptions} (everything but the clock). */
export const etcdSettingsSchema = z.object({
  hosts: z.array(z.string().url()).min(1, "must list at least one member"),
  prefix: z.string().min(1).max(512).optional(),
  requestTimeoutMs: z.number().int().positive().max(600_000).optional(),
});

/** Validates `options` (naming the offending field) and fills the defaults. */
export function parseConnection(options: unknown): { clock: Clock; hosts: string[]; prefix: string; requestTimeoutMs: number } {
  const raw = requireObject(options, "options");
  requireClock(raw["clock"]);
  const parsed = etcdSettingsSchema.safeParse({ hosts: raw["hosts"], prefix: raw["prefix"], requestTimeoutMs: raw["requestTimeoutMs"] });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw ValidationError.of(`options.${issue?.path.join(".") ?? ""}`, issue?.message ?? "invalid");
  }
  return { clock: raw["clock"], hosts: parsed.data.hosts, prefix: parsed.data.prefix ?? "edgeflow/", requestTimeoutMs: parsed.data.requestTimeoutMs ?? 5_000 };
}
