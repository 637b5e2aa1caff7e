/**
 * `edgeflow/etcd`: etcd backends of edgeflow's control plane (leases with fencing tokens, the
 * `RaftConsensus` key-value operations, the decision log), for fleets that already run etcd. Kept out
 * of the root entry because the etcd client loads gRPC.
 *
 * @example
 * ```ts
 * import { EtcdLeaseStore } from "edgeflow/etcd";
 * const leases = new EtcdLeaseStore({ clock: new SystemClock(), hosts: ["http://127.0.0.1:2379"] });
 * ```
 *
 * @module edgeflow/etcd
 */
export { boundedCall, type EtcdCallOptions } from "./call.js";
export { EtcdCompactedError, EtcdUnavailableError, translateEtcdError } from "./errors.js";
export { EtcdLeaseStore, type EtcdLeaseStoreOptions } from "./lease-kv.js";
export { EtcdClusters, ETCD_CLUSTERS, EtcdKV, type EtcdMemberInfo, type EtcdStatus, type EtcdWriteResult } from "./kv.js";
export { EtcdConnections, ETCD_CONNECTIONS, etcdClusterSettingsSchema, type EtcdClusterSettings } from "./connections.js";
export { EtcdDecisionLog, type EtcdDecision, type EtcdDecisionLogOptions } from "./decision-log.js";
export { etcdSettingsSchema, type EtcdConnectionOptions } from "./connection.js";
export { EtcdEdgeRegistry, ETCD_EDGE_REGISTRY, type EtcdEdgeRegistryEvents, type EtcdEdgeRegistryOptions } from "./registry.js";
export { EtcdStateStore, type EtcdStateStoreOptions } from "./state-store.js";
