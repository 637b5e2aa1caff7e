/**
 * The two control planes behind the `RaftConsensus` node's key-value operations: the embedded Raft
 * clusters this process runs (`ReplicatedKV`) and an etcd cluster named in the node's config. Both
 * answer with the same shapes, so a workflow switches backends by changing `backend` alone.
 *
 * @module
 */
import { z } from "zod";
import { CancelledError, ValidationError } from "../src/core/errors.js";
import { NotLeaderError } from "../src/consensus/errors.js";
import type { RaftHost } from "../src/consensus/host.js";
import type { RaftHostStatus } from "../src/consensus/host-types.js";
import type { ReplicatedKV } from "../src/consensus/kv.js";
import { RAFT_CLUSTERS, RaftClusters } from "../src/consensus/registry.js";
import { ETCD_CONNECTIONS, EtcdConnections, etcdClusterSettingsSchema } from "../src/etcd/connections.js";
import type { EtcdStatus } from "../src/etcd/kv.js";
import type { NodeContext } from "../src/workflow/node.js";

/**
 * Which control plane an operation runs against. Absent: `{ kind: "raft" }`, the embedded Raft
 * cluster named by `cluster`. With `{ kind: "etcd", hosts, ... }` the keys of `cluster` live in etcd
 * under `<prefix><cluster>/` (`prefix` defaults to `"edgeflow/"`), so several logical clusters can
 * share one etcd.
 */
export const consensusBackendSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("raft") }).strict(),
  z.object({ kind: z.literal("etcd"), ...etcdClusterSettingsSchema.shape }).strict(),
]);

/** The `backend` of a `RaftConsensus` key-value operation (see {@link consensusBackendSchema}). */
export type ConsensusBackend = z.input<typeof consensusBackendSchema>;

/** For the operations only the embedded Raft has (proposals, leadership, membership). */
export const raftOnlyBackendSchema = z
  .object({ kind: z.literal("raft", { error: "this operation exists only on the embedded Raft backend" }) })
  .strict();

const count = z.number().int().nonnegative();

/** Status of a member of an embedded Raft cluster. */
export const raftStatusSchema = z.object({
  backend: z.literal("raft"),
  id: z.string(),
  term: count,
  role: z.enum(["follower", "pre_candidate", "candidate", "leader"]),
  leaderId: z.string().nullable(),
  commitIndex: count,
  appliedIndex: count,
  lastIndex: count,
  voters: z.array(z.string()).readonly(),
  learners: z.array(z.string()).readonly(),
  /** Match index of every member, as the leader knows it (empty on followers). */
  matchIndex: z.record(z.string(), count),
  running: z.boolean(),
});

/** Status of an etcd cluster, from the member that answered. */
export const etcdStatusSchema = z.object({
  backend: z.literal("etcd"),
  /** The answering member's id (etcd member ids are 64-bit numbers, in decimal). */
  memberId: z.string(),
  /** The leader's member id ("0" while there is none). */
  leaderId: z.string(),
  isLeader: z.boolean(),
  /** etcd's Raft term. */
  term: count,
  raftIndex: count,
  /** The key-value store's revision: every write bumps it. */
  revision: count,
  dbSizeBytes: count,
  version: z.string(),
  members: z
    .array(z.object({ id: z.string(), name: z.string(), clientUrls: z.array(z.string()).readonly(), peerUrls: z.array(z.string()).readonly(), isLearner: z.boolean() }))
    .readonly(),
});

/** What the `status` operation reports, by backend. */
export const consensusStatusSchema = z.discriminatedUnion("backend", [raftStatusSchema, etcdStatusSchema]);

/** The `status` output of `RaftConsensus`: `backend` says which of the two shapes it is. */
export type ConsensusStatus = z.output<typeof consensusStatusSchema>;

/** The key-value operations, as both backends carry them out. */
export interface ConsensusKV {
  /** A linearizable read (of `key`, when given) and the log position it is linearized at. */
  read(key: string | undefined): Promise<{ readIndex: number; value?: string | null }>;
  put(key: string, value: string): Promise<{ previous: string | null; ok: boolean }>;
  compareAndSet(key: string, expected: string | null, value: string | null): Promise<boolean>;
  delete(key: string): Promise<{ previous: string | null; ok: boolean }>;
  status(): Promise<ConsensusStatus>;
}

/** Settles with `work` unless `signal` aborts first. */
export function abortable<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(new CancelledError("RaftConsensus cancelled", { cause: signal.reason }));
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

/** The Raft clusters this process runs. */
export function clustersOf(ctx: NodeContext): RaftClusters {
  return ctx.infrastructure.getOrCreate(RAFT_CLUSTERS, () => new RaftClusters());
}

/** The local leader of cluster `name`, or a {@link NotLeaderError} naming the leader elsewhere. */
export function leaderOf(clusters: RaftClusters, name: string): RaftHost {
  const leader = clusters.leader(name);
  if (leader !== undefined) return leader;
  throw new NotLeaderError(clusters.host(name).leaderId(), `no member of cluster "${name}" in this process is the leader`);
}

/** The status of an embedded Raft member, tagged with its backend. */
export function raftStatus(status: RaftHostStatus): z.input<typeof raftStatusSchema> {
  return { backend: "raft", ...status };
}

function kvOn(clusters: RaftClusters, name: string, host: RaftHost): ReplicatedKV {
  const kv = clusters.get(name).kv?.get(host.id);
  if (kv === undefined) throw ValidationError.of("cluster", `cluster "${name}" has no key-value store on "${host.id}" (register it with registerKV)`, "not_kv");
  return kv;
}

/** Writes go through the local leader; reads may be served by any member (`member`). */
function raftKV(ctx: NodeContext, name: string, member: string | undefined): ConsensusKV {
  const clusters = clustersOf(ctx);
  const leaderKv = (): ReplicatedKV => kvOn(clusters, name, leaderOf(clusters, name));
  const signal = ctx.signal;
  return {
    read: async (key) => {
      const host = clusters.host(name, member);
      const readIndex = await abortable(signal, host.read());
      return key === undefined ? { readIndex } : { readIndex, value: kvOn(clusters, name, host).localGet(key) };
    },
    put: (key, value) => abortable(signal, leaderKv().put(key, value)),
    compareAndSet: (key, expected, value) => abortable(signal, leaderKv().compareAndSet(key, expected, value)),
    delete: (key) => abortable(signal, leaderKv().delete(key)),
    status: async () => raftStatus(clusters.host(name, member).status()),
  };
}

/** etcd answers every request linearizably from whichever member it reaches. */
async function etcdKV(ctx: NodeContext, name: string, settings: z.output<typeof etcdClusterSettingsSchema>): Promise<ConsensusKV> {
  const connections = ctx.infrastructure.getOrCreate(ETCD_CONNECTIONS, () => new EtcdConnections(ctx.clock));
  // Percent-encoding keeps one cluster's keys from ever being a prefix of another's.
  const prefix = `${settings.prefix ?? "edgeflow/"}${encodeURIComponent(name)}/`;
  const kv = await abortable(ctx.signal, connections.kv({ ...settings, prefix }));
  const options = { signal: ctx.signal };
  return {
    read: async (key) => {
      if (key === undefined) return { readIndex: await kv.revision(options) };
      const { value, revision } = await kv.read(key, options);
      return { readIndex: revision, value };
    },
    put: (key, value) => kv.put(key, value, options),
    compareAndSet: (key, expected, value) => kv.compareAndSet(key, expected, value, options),
    delete: (key) => kv.delete(key, options),
    status: async () => etcdStatus(await kv.status(options)),
  };
}

function etcdStatus(status: EtcdStatus): z.input<typeof etcdStatusSchema> {
  return { backend: "etcd", ...status };
}

/** The key-value operations of cluster `name` on the configured backend. */
export async function consensusKV(
  ctx: NodeContext,
  config: { readonly cluster: string; readonly member?: string | undefined; readonly backend?: z.output<typeof consensusBackendSchema> | undefined },
): Promise<ConsensusKV> {
  const backend = config.backend;
  if (backend === undefined || backend.kind === "raft") return raftKV(ctx, config.cluster, config.member);
  if (config.member !== undefined) {
    throw ValidationError.of("member", "etcd serves linearizable reads from any member; `member` names an embedded Raft member", "not_supported");
  }
  const { kind: _kind, ...settings } = backend;
  return etcdKV(ctx, config.cluster, settings);
}
