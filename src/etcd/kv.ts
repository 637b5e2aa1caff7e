/**
 * {@link EtcdKV}: the key-value operations of the `RaftConsensus` node (`put`, `read`,
 * `compare_and_set`, `delete`, `status`) on an etcd cluster, with the same result shapes as the
 * embedded `ReplicatedKV`, so a workflow switches backends by configuration alone.
 *
 * @module
 */
import type { IKeyValue } from "etcd3";
import { z } from "zod";
import { serviceKey, type ServiceKey } from "../core/services.js";
import { parseWith } from "../core/validation.js";
import type { EtcdCallOptions } from "./call.js";
import { EtcdClientOwner } from "./client.js";
import type { EtcdConnectionOptions } from "./connection.js";

/** Result of a write: the value before it (`null`: absent) and, for deletes, whether the key existed. */
export interface EtcdWriteResult {
  readonly previous: string | null;
  readonly ok: boolean;
  /** etcd's revision after the write: writes are totally ordered by it. */
  readonly revision: number;
}

/** One member of the etcd cluster, as the cluster lists it. */
export interface EtcdMemberInfo {
  /** etcd's member id (a 64-bit number in decimal). */
  readonly id: string;
  /** Empty while the member has not started. */
  readonly name: string;
  readonly clientUrls: readonly string[];
  readonly peerUrls: readonly string[];
  /** A learner replicates but does not vote. */
  readonly isLearner: boolean;
}

/** What `status` reports about the member that answered, and the cluster's members. */
export interface EtcdStatus {
  readonly memberId: string;
  readonly leaderId: string;
  readonly isLeader: boolean;
  readonly term: number;
  readonly raftIndex: number;
  readonly revision: number;
  readonly dbSizeBytes: number;
  readonly version: string;
  readonly members: readonly EtcdMemberInfo[];
}

const keySchema = z.string().min(1).max(4096);
const valueSchema = z.string().max(1_500_000);
// Built once: building a zod schema per call cost more than the etcd round trip's client-side work.
const putArgs = z.object({ key: keySchema, value: valueSchema });
const keyArgs = z.object({ key: keySchema });
const casArgs = z.object({ key: keySchema, expected: valueSchema.nullable(), value: valueSchema.nullable() });
const clusterNameArgs = z.object({ name: z.string().min(1).max(256) });

/**
 * Keys and values in etcd under a prefix. Reads are linearizable (etcd's default), writes are
 * acknowledged once committed by a quorum.
 *
 * @example
 * ```ts
 * const kv = new EtcdKV({ clock: new SystemClock(), hosts: ["http://127.0.0.1:2379"] });
 * await kv.put("leader/placement", "edge-west-1");
 * await kv.compareAndSet("lease/x", null, "owner-1"); // true if it was absent
 * ```
 */
export class EtcdKV extends EtcdClientOwner {

  constructor(options: EtcdConnectionOptions) {
    super("EtcdKV", options);
  }

  /** Writes `value` under `key`. */
  async put(key: string, value: string, options: EtcdCallOptions = {}): Promise<EtcdWriteResult> {
    this.open();
    parseWith(putArgs, { key, value });
    const response = await this.call("put", () => this.client.put(this.full(key)).value(value).getPrevious(), options.signal);
    return { previous: valueOf(response), ok: true, revision: Number(response.header.revision) };
  }

  /** The value of `key` (`null`: absent), read linearizably, with the revision it was read at. */
  async read(key: string, options: EtcdCallOptions = {}): Promise<{ value: string | null; revision: number }> {
    this.open();
    parseWith(keyArgs, { key });
    const response = await this.call("read", () => this.client.get(this.full(key)).exec(), options.signal);
    const kv = response.kvs[0];
    return { value: kv === undefined ? null : kv.value.toString(), revision: Number(response.header.revision) };
  }

  /**
   * A linearizable read barrier: the store revision every write acknowledged before this call is at
   * or below. Reads nothing but the header.
   */
  async revision(options: EtcdCallOptions = {}): Promise<number> {
    this.open();
    // A linearizable get of one (normally absent) key is the cheapest request whose header carries it.
    const response = await this.call("read", () => this.client.get(this.full("")).exec(), options.signal);
    return Number(response.header.revision);
  }

  /**
   * Sets `key` to `value` (`null` deletes it) only if it holds `expected` (`null`: absent), in one
   * etcd transaction. Returns whether the write happened.
   */
  async compareAndSet(key: string, expected: string | null, value: string | null, options: EtcdCallOptions = {}): Promise<boolean> {
    this.open();
    parseWith(casArgs, { key, expected, value });
    const k = this.full(key);
    const guard = expected === null ? this.client.if(k, "Create", "==", 0) : this.client.if(k, "Value", "==", expected);
    const write = value === null ? this.client.delete().key(k) : this.client.put(k).value(value);
    const response = await this.call("compare_and_set", () => guard.then(write).commit(), options.signal);
    return response.succeeded;
  }

  /** Deletes `key`; `ok` says whether it existed. */
  async delete(key: string, options: EtcdCallOptions = {}): Promise<EtcdWriteResult> {
    this.open();
    parseWith(keyArgs, { key });
    const response = await this.call("delete", () => this.client.kv.deleteRange({ key: Buffer.from(this.full(key)), prev_kv: true }), options.signal);
    const before = response.prev_kvs[0];
    return { previous: before === undefined ? null : before.value.toString(), ok: Number(response.deleted) > 0, revision: Number(response.header.revision) };
  }

  /** The answering member's view of the cluster. */
  async status(options: EtcdCallOptions = {}): Promise<EtcdStatus> {
    this.open();
    const [s, list] = await this.call("status", () => Promise.all([this.client.maintenance.status(), this.client.cluster.memberList({})]), options.signal);
    return {
      memberId: s.header.member_id,
      leaderId: s.leader,
      isLeader: s.header.member_id === s.leader,
      term: Number(s.raftTerm),
      raftIndex: Number(s.raftIndex),
      revision: Number(s.header.revision),
      dbSizeBytes: Number(s.dbSize),
      version: s.version,
      members: list.members.map((m) => ({ id: m.ID, name: m.name, clientUrls: m.clientURLs, peerUrls: m.peerURLs, isLearner: m.isLearner })),
    };
  }



  private full(key: string): string {
    return `${this.prefix}kv/${key}`;
  }

}

/** `getPrevious` answers a bare header when the key was absent. */
function valueOf(previous: Partial<IKeyValue>): string | null {
  return previous.value === undefined || previous.value === null ? null : previous.value.toString();
}

/** Named etcd key-value stores a process's workflows may select by cluster name. */
export class EtcdClusters {
  private readonly byName = new Map<string, EtcdKV>();

  /** Makes `kv` selectable as `name`. */
  register(name: string, kv: EtcdKV): this {
    parseWith(clusterNameArgs, { name });
    this.byName.set(name, kv);
    return this;
  }

  /** The store registered as `name`, if any. */
  get(name: string): EtcdKV | undefined {
    return this.byName.get(name);
  }
}

/** The key under which nodes find the process's {@link EtcdClusters}. */
export const ETCD_CLUSTERS: ServiceKey<EtcdClusters> = serviceKey<EtcdClusters>("etcd.clusters");
