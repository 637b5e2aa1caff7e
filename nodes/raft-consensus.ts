/**
 * The `RaftConsensus` node: proposes to, reads from, writes keys of (ReplicatedKV clusters) and
 * manages a Raft cluster registered in the
 * shared infrastructure under {@link RAFT_CLUSTERS}.
 *
 * @module
 */
import { z } from "zod";
import { CancelledError, ValidationError } from "../src/core/errors.js";
import { NotLeaderError } from "../src/consensus/errors.js";
import type { RaftHost } from "../src/consensus/host.js";
import type { ReplicatedKV } from "../src/consensus/kv.js";
import { RAFT_CLUSTERS, RaftClusters } from "../src/consensus/registry.js";
import { defineNode, fromConfigOrInput } from "../src/workflow/node.js";

const cluster = z.string().min(1).max(256);
const memberId = z.string().min(1).max(256);

const config = z.discriminatedUnion("operation", [
  z.object({
    operation: z.literal("propose"),
    cluster,
    /** The entry's data; absent = taken from the `data` input. */
    data: z.string().min(1).optional(),
  }),
  z.object({
    operation: z.literal("read"),
    cluster,
    /** Member to read on (any member gives a linearizable read); default: the local leader or first member. */
    member: memberId.optional(),
    /** With a ReplicatedKV cluster: the key to read; absent = the `key` input, or just the read barrier. */
    key: z.string().min(1).optional(),
  }),
  z.object({
    operation: z.literal("put"),
    cluster,
    /** With a ReplicatedKV cluster: the key to write; absent = the `key` input. */
    key: z.string().min(1).optional(),
    /** The value; absent = the `value` input (a non-string value is stored as its JSON text). */
    value: z.string().optional(),
  }),
  z.object({
    operation: z.literal("compare_and_set"),
    cluster,
    key: z.string().min(1).optional(),
    /** The value the key must hold (`null`: absent) for the write to happen. */
    expected: z.string().nullable(),
    /** The new value (`null` deletes); absent = the `value` input. */
    value: z.string().nullable().optional(),
  }),
  z.object({ operation: z.literal("delete"), cluster, key: z.string().min(1).optional() }),
  z.object({ operation: z.literal("status"), cluster, member: memberId.optional() }),
  z.object({ operation: z.literal("transfer_leader"), cluster, target: memberId }),
  z.object({
    operation: z.literal("add_member"),
    cluster,
    memberId,
    /** Promote the learner once it is within this many entries of the leader. */
    maxLag: z.number().int().min(0).default(0),
  }),
  z.object({ operation: z.literal("remove_member"), cluster, memberId }),
]);

function leaderOf(clusters: RaftClusters, name: string): RaftHost {
  const leader = clusters.leader(name);
  if (leader !== undefined) return leader;
  throw new NotLeaderError(clusters.host(name).leaderId(), `no member of cluster "${name}" in this process is the leader`);
}

/** The key-value store on the leader of a ReplicatedKV cluster that this process runs. */
function leaderKv(clusters: RaftClusters, name: string): ReplicatedKV {
  const leader = leaderOf(clusters, name);
  const kv = clusters.get(name).kv?.get(leader.id);
  if (kv === undefined) throw ValidationError.of("cluster", `cluster "${name}" has no key-value store (register it with registerKV)`, "not_kv");
  return kv;
}

function abortable<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CancelledError("RaftConsensus cancelled", { cause: signal.reason }));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

export const RaftConsensus = defineNode({
  type: "RaftConsensus",
  description: "Proposes entries to, reads linearizably from, and manages the membership and leadership of a Raft cluster.",
  config,
  inputs: z.object({
    /** Data for `propose` when the config has none. */
    data: z.string().min(1).optional(),
    /** Key for `read`, `put`, `compare_and_set` and `delete` when the config has none. */
    key: z.string().min(1).optional(),
    /** Value for `put` / `compare_and_set` when the config has none. */
    value: z.unknown().optional(),
  }),
  outputs: z.object({ result: z.unknown() }),
  run: async (ctx, cfg, inputs) => {
    const clusters = ctx.infrastructure.getOrCreate(RAFT_CLUSTERS, () => new RaftClusters());
    const keyOf = (configured: string | undefined): string => fromConfigOrInput(cfg.operation, "key", "a key", configured, inputs.key);
    const valueOf = (configured: string | null | undefined): string | null => {
      const value = fromConfigOrInput<unknown>(cfg.operation, "value", "a value", configured, inputs.value);
      return typeof value === "string" || value === null ? value : JSON.stringify(value);
    };
    switch (cfg.operation) {
      case "propose": {
        const data = fromConfigOrInput(cfg.operation, "data", "data", cfg.data, inputs.data);
        const { index, term, result } = await abortable(ctx.signal, leaderOf(clusters, cfg.cluster).propose(data));
        return { result: { index, term, result } };
      }
      case "read": {
        const host = clusters.host(cfg.cluster, cfg.member);
        const readIndex = await abortable(ctx.signal, host.read());
        const key = cfg.key ?? inputs.key;
        if (key === undefined) return { result: { readIndex } };
        const kv = clusters.get(cfg.cluster).kv?.get(host.id);
        if (kv === undefined) throw ValidationError.of("key", `cluster "${cfg.cluster}" has no key-value store on "${host.id}"`, "not_kv");
        return { result: { readIndex, key, value: kv.localGet(key) } };
      }
      case "put": {
        const key = keyOf(cfg.key);
        const value = valueOf(cfg.value);
        if (value === null) throw ValidationError.of("value", "put needs a value; use delete to remove a key", "missing_value");
        const kv = leaderKv(clusters, cfg.cluster);
        return { result: { key, ...(await abortable(ctx.signal, kv.put(key, value))) } };
      }
      case "compare_and_set": {
        const key = keyOf(cfg.key);
        const kv = leaderKv(clusters, cfg.cluster);
        const ok = await abortable(ctx.signal, kv.compareAndSet(key, cfg.expected, valueOf(cfg.value)));
        return { result: { key, ok } };
      }
      case "delete": {
        const key = keyOf(cfg.key);
        return { result: { key, ...(await abortable(ctx.signal, leaderKv(clusters, cfg.cluster).delete(key))) } };
      }
      case "status":
        return { result: clusters.host(cfg.cluster, cfg.member).status() };
      case "transfer_leader": {
        const leader = leaderOf(clusters, cfg.cluster);
        await abortable(ctx.signal, leader.transferLeader(cfg.target));
        return { result: { leaderId: cfg.target, previousLeader: leader.id } };
      }
      case "add_member": {
        const leader = leaderOf(clusters, cfg.cluster);
        await abortable(ctx.signal, leader.addMember(cfg.memberId, { maxLag: cfg.maxLag }));
        return { result: leader.status() };
      }
      case "remove_member": {
        const leader = leaderOf(clusters, cfg.cluster);
        await abortable(ctx.signal, leader.removeMember(cfg.memberId));
        return { result: leader.status() };
      }
    }
  },
});
