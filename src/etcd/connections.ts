/**
 * {@link EtcdConnections}: the etcd clients a process's workflow nodes open from their configuration,
 * one per distinct cluster setting, loaded on first use so that a process which never selects etcd
 * never loads the etcd client (and gRPC).
 *
 * @module
 */
import type { z } from "zod";
import type { Clock } from "../core/clock.js";
import { ClosedError } from "../core/errors.js";
import { serviceKey, type ServiceKey } from "../core/services.js";
import { etcdSettingsSchema } from "./connection.js";
import type { EtcdKV } from "./kv.js";

/** Schema of an etcd cluster selected by configuration: its members, key prefix and request timeout. */
export const etcdClusterSettingsSchema = etcdSettingsSchema.strict();

/** An etcd cluster selected by configuration (see {@link etcdClusterSettingsSchema}). */
export type EtcdClusterSettings = z.output<typeof etcdClusterSettingsSchema>;

/**
 * Opens one {@link EtcdKV} per distinct (hosts, prefix, timeout) and shares it between every node
 * that names the same settings. Closing it closes every client it opened; it is published in the
 * infrastructure under {@link ETCD_CONNECTIONS}, so closing the infrastructure closes them.
 */
export class EtcdConnections {
  private readonly clock: Clock;
  private readonly open = new Map<string, Promise<EtcdKV>>();
  private closed = false;

  /** @param clock the clock request timeouts run on (the runtime's clock). */
  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** The key-value client for `settings`, opened (and the etcd module loaded) on first use. */
  kv(settings: EtcdClusterSettings): Promise<EtcdKV> {
    if (this.closed) return Promise.reject(new ClosedError("EtcdConnections"));
    const id = JSON.stringify([settings.hosts, settings.prefix ?? null, settings.requestTimeoutMs ?? null]);
    let kv = this.open.get(id);
    if (kv === undefined) {
      kv = import("./kv.js").then(({ EtcdKV }) => new EtcdKV({ clock: this.clock, ...settings }));
      this.open.set(id, kv);
      // A failed open is not cached: the next use tries again.
      kv.catch(() => this.open.delete(id));
    }
    return kv;
  }

  /** Closes every client opened. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const opened = await Promise.allSettled(this.open.values());
    this.open.clear();
    await Promise.all(opened.map((o) => (o.status === "fulfilled" ? o.value.close() : undefined)));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Where nodes find the process's {@link EtcdConnections}. */
export const ETCD_CONNECTIONS: ServiceKey<EtcdConnections> = serviceKey<EtcdConnections>("etcd.connections");
