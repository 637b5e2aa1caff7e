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
import type { RaftHostStatus } from "../src/consensus/host-types.js";
import { defineNode, enginePort, fromConfigOrInput, type NodeContext } from "../src/workflow/node.js";

const cluster = z.string().min(1).max(256);
const memberId = z.string().min(1).max(256);

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

function clustersOf(ctx: NodeContext): RaftClusters {
  return ctx.infrastructure.getOrCreate(RAFT_CLUSTERS, () => new RaftClusters());
}

/** A key from the config or the `key` input. */
function keyOf(operation: string, configured: string | undefined, input: string | undefined): string {
  return fromConfigOrInput(operation, "key", "a key", configured, input);
}

/** A value from the config or the `value` input; a non-string input value is stored as its JSON text. */
function valueOf(operation: string, configured: string | null | undefined, input: unknown): string | null {
  const value = fromConfigOrInput<unknown>(operation, "value", "a value", configured, input);
  return typeof value === "string" || value === null ? value : JSON.stringify(value);
}

const key = z.string().min(1);
const status = z.object({ status: enginePort<RaftHostStatus>("a Raft host status") });

export const RaftConsensus = defineNode({
  type: "RaftConsensus",
  description: "Proposes entries to, reads linearizably from, and manages the membership and leadership of a Raft cluster.",
  inputs: z.object({
    /** Data for `propose` when the config has none. */
    data: z.string().min(1).optional(),
    /** Key for `read`, `put`, `compare_and_set` and `delete` when the config has none. */
    key: z.string().min(1).optional(),
    /** Value for `put` / `compare_and_set` when the config has none. */
    value: z.unknown().optional(),
  }),
  operations: {
    propose: {
      description: "Appends an entry through the leader and waits until it is committed and applied.",
      config: z.object({
        cluster,
        /** The entry's data; absent = taken from the `data` input. */
        data: z.string().min(1).optional(),
      }),
      outputs: z.object({
        index: z.number().int(),
        term: z.number().int(),
        /** What the cluster's apply callback returned for the entry. */
        result: z.unknown(),
      }),
      run: async (ctx, cfg, inputs) => {
        const data = fromConfigOrInput(cfg.operation, "data", "data", cfg.data, inputs.data);
        const { index, term, result } = await abortable(ctx.signal, leaderOf(clustersOf(ctx), cfg.cluster).propose(data));
        return { index, term, result };
      },
    },
    read: {
      description: "A linearizable read barrier on a member, and with a ReplicatedKV cluster the key's value.",
      config: z.object({
        cluster,
        /** Member to read on (any member gives a linearizable read); default: the local leader or first member. */
        member: memberId.optional(),
        /** With a ReplicatedKV cluster: the key to read; absent = the `key` input, or just the read barrier. */
        key: key.optional(),
      }),
      outputs: z.object({
        readIndex: z.number().int(),
        /** The key read (absent for a bare barrier). */
        key: z.string().optional(),
        /** The key's value (`null`: absent); absent for a bare barrier. */
        value: z.string().nullable().optional(),
      }),
      run: async (ctx, cfg, inputs) => {
        const clusters = clustersOf(ctx);
        const host = clusters.host(cfg.cluster, cfg.member);
        const readIndex = await abortable(ctx.signal, host.read());
        const wanted = cfg.key ?? inputs.key;
        if (wanted === undefined) return { readIndex };
        const kv = clusters.get(cfg.cluster).kv?.get(host.id);
        if (kv === undefined) throw ValidationError.of("key", `cluster "${cfg.cluster}" has no key-value store on "${host.id}"`, "not_kv");
        return { readIndex, key: wanted, value: kv.localGet(wanted) };
      },
    },
    put: {
      description: "Writes a key of a ReplicatedKV cluster.",
      config: z.object({
        cluster,
        /** With a ReplicatedKV cluster: the key to write; absent = the `key` input. */
        key: key.optional(),
        /** The value; absent = the `value` input (a non-string value is stored as its JSON text). */
        value: z.string().optional(),
      }),
      outputs: z.object({ key: z.string(), previous: z.string().nullable(), ok: z.boolean() }),
      run: async (ctx, cfg, inputs) => {
        const k = keyOf(cfg.operation, cfg.key, inputs.key);
        const value = valueOf(cfg.operation, cfg.value, inputs.value);
        if (value === null) throw ValidationError.of("value", "put needs a value; use delete to remove a key", "missing_value");
        const written = await abortable(ctx.signal, leaderKv(clustersOf(ctx), cfg.cluster).put(k, value));
        return { key: k, previous: written.previous, ok: written.ok };
      },
    },
    compare_and_set: {
      description: "Writes (or deletes) a key only if it holds the expected value.",
      config: z.object({
        cluster,
        key: key.optional(),
        /** The value the key must hold (`null`: absent) for the write to happen. */
        expected: z.string().nullable(),
        /** The new value (`null` deletes); absent = the `value` input. */
        value: z.string().nullable().optional(),
      }),
      outputs: z.object({ key: z.string(), ok: z.boolean() }),
      run: async (ctx, cfg, inputs) => {
        const k = keyOf(cfg.operation, cfg.key, inputs.key);
        const kv = leaderKv(clustersOf(ctx), cfg.cluster);
        const ok = await abortable(ctx.signal, kv.compareAndSet(k, cfg.expected, valueOf(cfg.operation, cfg.value, inputs.value)));
        return { key: k, ok };
      },
    },
    delete: {
      description: "Deletes a key of a ReplicatedKV cluster.",
      config: z.object({ cluster, key: key.optional() }),
      outputs: z.object({
        key: z.string(),
        previous: z.string().nullable(),
        /** Whether the key existed. */
        ok: z.boolean(),
      }),
      run: async (ctx, cfg, inputs) => {
        const k = keyOf(cfg.operation, cfg.key, inputs.key);
        const deleted = await abortable(ctx.signal, leaderKv(clustersOf(ctx), cfg.cluster).delete(k));
        return { key: k, previous: deleted.previous, ok: deleted.ok };
      },
    },
    status: {
      config: z.object({ cluster, member: memberId.optional() }),
      outputs: status,
      run: async (ctx, cfg) => ({ status: clustersOf(ctx).host(cfg.cluster, cfg.member).status() }),
    },
    transfer_leader: {
      config: z.object({ cluster, target: memberId }),
      outputs: z.object({ leaderId: z.string(), previousLeader: z.string() }),
      run: async (ctx, cfg) => {
        const leader = leaderOf(clustersOf(ctx), cfg.cluster);
        await abortable(ctx.signal, leader.transferLeader(cfg.target));
        return { leaderId: cfg.target, previousLeader: leader.id };
      },
    },
    add_member: {
      config: z.object({
        cluster,
        memberId,
        /** Promote the learner once it is within this many entries of the leader. */
        maxLag: z.number().int().min(0).default(0),
      }),
      outputs: status,
      run: async (ctx, cfg) => {
        const leader = leaderOf(clustersOf(ctx), cfg.cluster);
        await abortable(ctx.signal, leader.addMember(cfg.memberId, { maxLag: cfg.maxLag }));
        return { status: leader.status() };
      },
    },
    remove_member: {
      config: z.object({ cluster, memberId }),
      outputs: status,
      run: async (ctx, cfg) => {
        const leader = leaderOf(clustersOf(ctx), cfg.cluster);
        await abortable(ctx.signal, leader.removeMember(cfg.memberId));
        return { status: leader.status() };
      },
    },
  },
});
