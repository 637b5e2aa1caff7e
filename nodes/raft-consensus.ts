/**
 * The `RaftConsensus` node: proposes to, reads from, writes keys of and manages a Raft cluster. The
 * key-value operations (`read`, `put`, `compare_and_set`, `delete`, `status`) run against the
 * embedded Raft clusters registered in the shared infrastructure under `RAFT_CLUSTERS`, or
 * against an etcd cluster given in the node's `backend` config.
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../src/core/errors.js";
import { defineNode, fromConfigOrInput } from "../src/workflow/node.js";
import {
  abortable,
  clustersOf,
  consensusBackendSchema,
  consensusKV,
  consensusStatusSchema,
  leaderOf,
  raftOnlyBackendSchema,
  raftStatus,
  raftStatusSchema,
} from "./raft-consensus-backends.js";

const cluster = z.string().min(1).max(256);
const memberId = z.string().min(1).max(256);
/** Key-value operations run on either backend. */
const backend = consensusBackendSchema.optional();
/** The other operations exist only on the embedded Raft. */
const raftOnly = raftOnlyBackendSchema.optional();

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
const raftStatusPort = z.object({ status: raftStatusSchema });

/** The `status` output: which backend answered, and that backend's view of the cluster. */
export type { ConsensusStatus, ConsensusBackend } from "./raft-consensus-backends.js";

export const RaftConsensus = defineNode({
  type: "RaftConsensus",
  description: "Proposes entries to, reads linearizably from, writes keys of, and manages the membership and leadership of a Raft cluster (embedded, or etcd for the key-value operations).",
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
        backend: raftOnly,
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
      description: "A linearizable read barrier, and with a key the key's value.",
      config: z.object({
        cluster,
        backend,
        /** Embedded Raft only: the member to read on (any member gives a linearizable read); default: the local leader or first member. */
        member: memberId.optional(),
        /** The key to read; absent = the `key` input, or just the read barrier. */
        key: key.optional(),
      }),
      outputs: z.object({
        /**
         * Where the read is linearized: it reflects every write acknowledged at or below this position
         * (the Raft read index on the embedded backend, the store revision on etcd).
         */
        readIndex: z.number().int(),
        /** The key read (absent for a bare barrier). */
        key: z.string().optional(),
        /** The key's value (`null`: absent); absent for a bare barrier. */
        value: z.string().nullable().optional(),
      }),
      run: async (ctx, cfg, inputs) => {
        const wanted = cfg.key ?? inputs.key;
        const { readIndex, value } = await (await consensusKV(ctx, cfg)).read(wanted);
        return wanted === undefined ? { readIndex } : { readIndex, key: wanted, value: value ?? null };
      },
    },
    put: {
      description: "Writes a key.",
      config: z.object({
        cluster,
        backend,
        /** The key to write; absent = the `key` input. */
        key: key.optional(),
        /** The value; absent = the `value` input (a non-string value is stored as its JSON text). */
        value: z.string().optional(),
      }),
      outputs: z.object({ key: z.string(), previous: z.string().nullable(), ok: z.boolean() }),
      run: async (ctx, cfg, inputs) => {
        const k = keyOf(cfg.operation, cfg.key, inputs.key);
        const value = valueOf(cfg.operation, cfg.value, inputs.value);
        if (value === null) throw ValidationError.of("value", "put needs a value; use delete to remove a key", "missing_value");
        const written = await (await consensusKV(ctx, cfg)).put(k, value);
        return { key: k, previous: written.previous, ok: written.ok };
      },
    },
    compare_and_set: {
      description: "Writes (or deletes) a key only if it holds the expected value.",
      config: z.object({
        cluster,
        backend,
        key: key.optional(),
        /** The value the key must hold (`null`: absent) for the write to happen. */
        expected: z.string().nullable(),
        /** The new value (`null` deletes); absent = the `value` input. */
        value: z.string().nullable().optional(),
      }),
      outputs: z.object({ key: z.string(), ok: z.boolean() }),
      run: async (ctx, cfg, inputs) => {
        const k = keyOf(cfg.operation, cfg.key, inputs.key);
        const value = valueOf(cfg.operation, cfg.value, inputs.value);
        const ok = await (await consensusKV(ctx, cfg)).compareAndSet(k, cfg.expected, value);
        return { key: k, ok };
      },
    },
    delete: {
      description: "Deletes a key.",
      config: z.object({ cluster, backend, key: key.optional() }),
      outputs: z.object({
        key: z.string(),
        previous: z.string().nullable(),
        /** Whether the key existed. */
        ok: z.boolean(),
      }),
      run: async (ctx, cfg, inputs) => {
        const k = keyOf(cfg.operation, cfg.key, inputs.key);
        const deleted = await (await consensusKV(ctx, cfg)).delete(k);
        return { key: k, previous: deleted.previous, ok: deleted.ok };
      },
    },
    status: {
      description: "The cluster as a member sees it: `status.backend` tells the embedded Raft's shape from etcd's.",
      config: z.object({
        cluster,
        backend,
        /** Embedded Raft only: the member to ask; default: the local leader or first member. */
        member: memberId.optional(),
      }),
      outputs: z.object({ status: consensusStatusSchema }),
      run: async (ctx, cfg) => ({ status: await (await consensusKV(ctx, cfg)).status() }),
    },
    transfer_leader: {
      config: z.object({ cluster, backend: raftOnly, target: memberId }),
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
        backend: raftOnly,
        memberId,
        /** Promote the learner once it is within this many entries of the leader. */
        maxLag: z.number().int().min(0).default(0),
      }),
      outputs: raftStatusPort,
      run: async (ctx, cfg) => {
        const leader = leaderOf(clustersOf(ctx), cfg.cluster);
        await abortable(ctx.signal, leader.addMember(cfg.memberId, { maxLag: cfg.maxLag }));
        return { status: raftStatus(leader.status()) };
      },
    },
    remove_member: {
      config: z.object({ cluster, backend: raftOnly, memberId }),
      outputs: raftStatusPort,
      run: async (ctx, cfg) => {
        const leader = leaderOf(clustersOf(ctx), cfg.cluster);
        await abortable(ctx.signal, leader.removeMember(cfg.memberId));
        return { status: raftStatus(leader.status()) };
      },
    },
  },
});
