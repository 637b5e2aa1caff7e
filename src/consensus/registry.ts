/**
 * Where workflow nodes find Raft clusters: a registry of named clusters, published in the shared
 * infrastructure under {@link RAFT_CLUSTERS}.
 *
 * @module
 */
import { serviceKey } from "../core/services.js";
import { NotFoundError, ValidationError } from "../core/errors.js";
import type { MemberId } from "../storage/types.js";
import type { RaftHost } from "./host.js";
import type { ReplicatedKV } from "./kv.js";

/** The members of one cluster that this process runs (one host per member id), and its KV stores if any. */
export interface RaftClusterEntry {
  readonly hosts: ReadonlyMap<MemberId, RaftHost>;
  readonly kv?: ReadonlyMap<MemberId, ReplicatedKV>;
}

/**
 * Named Raft clusters this process takes part in.
 *
 * @example
 * ```ts
 * const clusters = infrastructure.getOrCreate(RAFT_CLUSTERS, () => new RaftClusters());
 * clusters.registerKV("config", [kvA, kvB, kvC]);
 * clusters.leader("config"); // the RaftHost currently leading, if this process runs it
 * ```
 */
export class RaftClusters {
  private readonly clusters = new Map<string, { hosts: Map<MemberId, RaftHost>; kv: Map<MemberId, ReplicatedKV> }>();

  /** Registers (or extends) cluster `name` with hosts. */
  register<R>(name: string, hosts: readonly RaftHost<R>[]): void {
    if (typeof name !== "string" || name.trim() === "") throw ValidationError.of("name", "cluster name must be a non-empty string", "invalid_name");
    if (!Array.isArray(hosts)) throw ValidationError.of("hosts", "must be an array of RaftHost", "invalid_type");
    const ids = new Set<MemberId>();
    hosts.forEach((h, i) => {
      if (typeof h !== "object" || h === null || typeof h.id !== "string") throw ValidationError.of(`hosts[${i}]`, "must be a RaftHost", "invalid_type");
      if (ids.has(h.id)) throw ValidationError.of(`hosts[${i}]`, `member "${h.id}" is listed twice`, "duplicate_id");
      ids.add(h.id);
    });
    const entry = this.clusters.get(name) ?? { hosts: new Map(), kv: new Map() };
    // Results are only handed back to the caller that proposed; the registry forgets their type.
    for (const h of hosts) entry.hosts.set(h.id, h as unknown as RaftHost);
    this.clusters.set(name, entry);
  }

  /** Registers KV stores (and their hosts) under cluster `name`. */
  registerKV(name: string, stores: readonly ReplicatedKV[]): void {
    this.register(name, stores.map((s) => s.host));
    const entry = this.clusters.get(name);
    for (const s of stores) entry?.kv.set(s.host.id, s);
  }

  unregister(name: string): boolean {
    return this.clusters.delete(name);
  }

  names(): string[] {
    return [...this.clusters.keys()];
  }

  get(name: string): RaftClusterEntry {
    const entry = this.clusters.get(name);
    if (entry === undefined) throw new NotFoundError("raft cluster", name);
    return entry;
  }

  /** A host of the cluster: `memberId` if given, else the local leader, else the first member. */
  host(name: string, memberId?: MemberId): RaftHost {
    const entry = this.get(name);
    if (memberId !== undefined) {
      const host = entry.hosts.get(memberId);
      if (host === undefined) throw new NotFoundError("raft member", `${name}/${memberId}`);
      return host;
    }
    const leader = this.leader(name);
    const first = leader ?? entry.hosts.values().next().value;
    if (first === undefined) throw new NotFoundError("raft member", `${name}/*`, `cluster "${name}" has no members in this process`);
    return first;
  }

  /** The local host that currently leads cluster `name`, if any. */
  leader(name: string): RaftHost | undefined {
    for (const h of this.get(name).hosts.values()) if (h.isLeader()) return h;
    return undefined;
  }
}

/** Service key of the {@link RaftClusters} registry in the shared infrastructure. */
export const RAFT_CLUSTERS = serviceKey<RaftClusters>("consensus.clusters");
