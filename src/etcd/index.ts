/**
 * etcd backends of edgeflow's control plane, for fleets that already run etcd. Published as the
 * `edgeflow/etcd` entry because the etcd client loads gRPC, which the root entry must not pull in.
 *
 * @module
 */
export { boundedCall, type EtcdCallOptions } from "./call.js";
export { EtcdCompactedError, EtcdUnavailableError, translateEtcdError } from "./errors.js";
export { EtcdLeaseStore, type EtcdLeaseStoreOptions } from "./lease-kv.js";
export { EtcdClusters, ETCD_CLUSTERS, EtcdKV, type EtcdStatus, type EtcdWriteResult } from "./kv.js";
export { EtcdDecisionLog, type EtcdDecision } from "./decision-log.js";
export type { EtcdConnectionOptions } from "./connection.js";
