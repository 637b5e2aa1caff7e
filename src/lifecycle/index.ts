export { EdgeLifecycle, EDGE_LIFECYCLE, DEFAULT_LIFECYCLE_SETTINGS, type EdgeLifecycleOptions, type AddEdgeOptions, type PersistedLifecycle } from "./lifecycle.js";
export { edgeLifecycleMachine, LIFECYCLE_TRANSITIONS, type LifecycleContext, type LifecycleInput, type LifecycleMachineEvent } from "./machine.js";
export { InMemoryLeaseStore, LEASE_STORE, type LeaseStore } from "./lease-store.js";
export { InvalidTransitionError, LeaseConflictError, LeaseNotHeldError, StaleFencingTokenError } from "./errors.js";
export * from "./types.js";
export { ReplicatedLeaseStore, type LeaseKV, type ReplicatedLeaseStoreOptions, type VersionedLeaseKV } from "./replicated-lease-store.js";
