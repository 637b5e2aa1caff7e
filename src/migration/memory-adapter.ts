/**
 * {@link InMemoryWorkloadAdapter}: edges, workloads and their key-value state in memory, with a client
 * write path, a traffic router, an outage timeline on the clock and a fault hook. For tests, the demo
 * and the benchmark.
 *
 * @module
 */
import type { Clock } from "../core/clock.js";
import { EdgeflowError } from "../core/errors.js";
import type { ReplicaInfo, SnapshotPage, StateEntry, WorkloadAdapter, WorkloadRef } from "./adapter.js";
import { StateHasher } from "./chunk.js";

/** A call refused because the edge is down or the workload does not accept it. */
export class WorkloadUnavailableError extends EdgeflowError {
  constructor(message: string) {
    super("migration.unavailable", message);
  }
}

/** Names of the adapter's methods, as passed to the fault hook. */
export type AdapterOperation = Exclude<keyof WorkloadAdapter, never>;

/**
 * Called before every adapter operation. Throw to fail the call; return a promise that never settles
 * to make it hang (the executor's timeout fires).
 */
export type FaultHook = (operation: AdapterOperation, target: string) => void | Promise<void>;

interface Tracking {
  /** Key → write sequence of its latest unacknowledged write. */
  readonly dirty: Map<string, number>;
  /** Key → sequence as last handed out by `changes`. */
  readonly handed: Map<string, number>;
}

interface Instance {
  running: boolean;
  draining: boolean;
  readonly data: Map<string, Uint8Array>;
  tracking: Tracking | null;
}

interface Edge {
  up: boolean;
  readonly workloads: Map<string, Instance>;
}

/**
 * @example
 * ```ts
 * const adapter = new InMemoryWorkloadAdapter({ clock, edges: ["edge-a", "edge-b"] });
 * adapter.seed("cache", "edge-a", new Map([["k1", new Uint8Array([1])]]));
 * adapter.write("cache", "k2", new Uint8Array([2])); // routed to edge-a
 * ```
 */
export class InMemoryWorkloadAdapter implements WorkloadAdapter {
  private readonly clock: Clock;
  private readonly edges = new Map<string, Edge>();
  private readonly routes = new Map<string, string>();
  private readonly replicaList = new Map<string, ReplicaInfo[]>();
  private readonly outage = new Map<string, { since: number | null; totalMs: number; bothServing: boolean }>();
  private seq = 0;
  /** Fault injection; see {@link FaultHook}. */
  faultHook: FaultHook | undefined;

  constructor(options: { clock: Clock; edges: readonly string[]; faultHook?: FaultHook }) {
    this.clock = options.clock;
    this.faultHook = options.faultHook;
    for (const id of options.edges) this.edges.set(id, { up: true, workloads: new Map() });
  }

  // ---- setup and the client's view ----

  /** Creates a running, routed workload on an edge with the given state. */
  seed(workloadId: string, edgeId: string, data: ReadonlyMap<string, Uint8Array> = new Map()): void {
    const edge = this.edge(edgeId);
    edge.workloads.set(workloadId, { running: true, draining: false, data: new Map(data), tracking: null });
    this.routes.set(workloadId, edgeId);
    this.observe(workloadId);
  }

  /** Declares a replica of a workload (its state lives on `edgeId` like any instance). */
  addReplica(workloadId: string, edgeId: string, data: ReadonlyMap<string, Uint8Array>, asOf: number): void {
    this.edge(edgeId).workloads.set(workloadId, { running: false, draining: false, data: new Map(data), tracking: null });
    const list = [...(this.replicaList.get(workloadId) ?? []), { edgeId, asOf }].sort((a, b) => b.asOf - a.asOf);
    this.replicaList.set(workloadId, list);
  }

  /** Takes an edge down or brings it back (its data survives, as on a restarted host). */
  setEdgeUp(edgeId: string, up: boolean): void {
    this.edge(edgeId).up = up;
    for (const workloadId of this.routes.keys()) this.observe(workloadId);
  }

  /**
   * A client write through the router. Resolves (acknowledged) once applied; throws
   * {@link WorkloadUnavailableError} (not acknowledged) when no edge accepts it.
   */
  write(workloadId: string, key: string, value: Uint8Array | null): void {
    const edgeId = this.routes.get(workloadId);
    const edge = edgeId === undefined ? undefined : this.edges.get(edgeId);
    const instance = edge?.workloads.get(workloadId);
    if (edge === undefined || !edge.up || instance === undefined || !instance.running || instance.draining) {
      throw new WorkloadUnavailableError(`workload "${workloadId}" accepts no writes now`);
    }
    this.put(instance, key, value);
  }

  /** The edge currently routed to, if any. */
  route(workloadId: string): string | undefined {
    return this.routes.get(workloadId);
  }

  /** A copy of the workload's state on an edge (empty when absent). */
  data(workloadId: string, edgeId: string): Map<string, Uint8Array> {
    return new Map(this.edge(edgeId).workloads.get(workloadId)?.data ?? []);
  }

  /** Whether the workload has an instance (running or not) on the edge. */
  present(workloadId: string, edgeId: string): boolean {
    return this.edge(edgeId).workloads.has(workloadId);
  }

  /** Edges that accept the workload's writes right now. */
  servingEdges(workloadId: string): string[] {
    const out: string[] = [];
    for (const [id, edge] of this.edges) {
      const instance = edge.workloads.get(workloadId);
      if (edge.up && instance !== undefined && instance.running && !instance.draining && this.routes.get(workloadId) === id) out.push(id);
    }
    return out;
  }

  /** Edges whose instance would accept writes if traffic came (up, running, not draining). */
  acceptingEdges(workloadId: string): number {
    let n = 0;
    for (const edge of this.edges.values()) {
      const instance = edge.workloads.get(workloadId);
      if (edge.up && instance !== undefined && instance.running && !instance.draining) n++;
    }
    return n;
  }

  /** Clock time with no edge serving the workload, ms, and whether two edges ever served at once. */
  outageOf(workloadId: string): { totalMs: number; ongoing: boolean; bothServing: boolean } {
    const o = this.outage.get(workloadId) ?? { since: null, totalMs: 0, bothServing: false };
    return { totalMs: o.totalMs + (o.since === null ? 0 : this.clock.now() - o.since), ongoing: o.since !== null, bothServing: o.bothServing };
  }

  // ---- WorkloadAdapter ----

  async size(ref: WorkloadRef): Promise<number> {
    const instance = await this.instance("size", ref);
    let bytes = 0;
    for (const [k, v] of instance?.data ?? []) bytes += k.length + v.length;
    return bytes;
  }

  async snapshot(ref: WorkloadRef, cursor: string | null, limit: number): Promise<SnapshotPage> {
    const instance = await this.instance("snapshot", ref);
    const keys = [...(instance?.data.keys() ?? [])].filter((k) => cursor === null || k > cursor).sort();
    const page = keys.slice(0, limit);
    return { keys: page, next: keys.length > limit ? (page[page.length - 1] as string) : null };
  }

  async read(ref: WorkloadRef, keys: readonly string[]): Promise<StateEntry[]> {
    const instance = await this.instance("read", ref);
    return keys.map((key) => {
      const value = instance?.data.get(key);
      return { key, value: value === undefined ? null : new Uint8Array(value) };
    });
  }

  async apply(ref: WorkloadRef, entries: readonly StateEntry[]): Promise<void> {
    await this.enter("apply", ref.edgeId);
    const edge = this.edge(ref.edgeId);
    let instance = edge.workloads.get(ref.workloadId);
    if (instance === undefined) {
      instance = { running: false, draining: false, data: new Map(), tracking: null };
      edge.workloads.set(ref.workloadId, instance);
    }
    for (const e of entries) this.put(instance, e.key, e.value === null ? null : new Uint8Array(e.value));
  }

  async trackChanges(ref: WorkloadRef): Promise<void> {
    const instance = await this.instance("trackChanges", ref);
    if (instance !== undefined && instance.tracking === null) instance.tracking = { dirty: new Map(), handed: new Map() };
  }

  async isTracking(ref: WorkloadRef): Promise<boolean> {
    return (await this.instance("isTracking", ref))?.tracking != null;
  }

  async changes(ref: WorkloadRef): Promise<string[]> {
    const tracking = (await this.instance("changes", ref))?.tracking;
    if (tracking == null) return [];
    for (const [k, s] of tracking.dirty) tracking.handed.set(k, s);
    return [...tracking.dirty.keys()].sort();
  }

  async ackChanges(ref: WorkloadRef, keys: readonly string[]): Promise<void> {
    const tracking = (await this.instance("ackChanges", ref))?.tracking;
    if (tracking == null) return;
    for (const k of keys) {
      const handed = tracking.handed.get(k);
      if (handed !== undefined && tracking.dirty.get(k) === handed) tracking.dirty.delete(k);
      tracking.handed.delete(k);
    }
  }

  async untrackChanges(ref: WorkloadRef): Promise<void> {
    const instance = await this.instance("untrackChanges", ref);
    if (instance !== undefined) instance.tracking = null;
  }

  async checksum(ref: WorkloadRef): Promise<string> {
    const instance = await this.instance("checksum", ref);
    const hasher = new StateHasher();
    const data = instance?.data ?? new Map<string, Uint8Array>();
    for (const key of [...data.keys()].sort()) hasher.add(key, data.get(key) as Uint8Array);
    return hasher.digest();
  }

  async start(ref: WorkloadRef): Promise<void> {
    await this.enter("start", ref.edgeId);
    const edge = this.edge(ref.edgeId);
    const instance = edge.workloads.get(ref.workloadId);
    if (instance === undefined) edge.workloads.set(ref.workloadId, { running: true, draining: false, data: new Map(), tracking: null });
    else instance.running = true;
    this.observe(ref.workloadId);
  }

  async stop(ref: WorkloadRef): Promise<void> {
    const instance = await this.instance("stop", ref);
    if (instance !== undefined) instance.running = false;
    this.observe(ref.workloadId);
  }

  async drain(ref: WorkloadRef): Promise<void> {
    const instance = await this.instance("drain", ref);
    if (instance !== undefined) instance.draining = true;
    this.observe(ref.workloadId);
  }

  async undrain(ref: WorkloadRef): Promise<void> {
    const instance = await this.instance("undrain", ref);
    if (instance !== undefined) instance.draining = false;
    this.observe(ref.workloadId);
  }

  async switchTraffic(workloadId: string, edgeId: string): Promise<void> {
    await this.enter("switchTraffic", edgeId);
    this.routes.set(workloadId, edgeId);
    this.observe(workloadId);
  }

  async delete(ref: WorkloadRef): Promise<void> {
    await this.enter("delete", ref.edgeId);
    this.edge(ref.edgeId).workloads.delete(ref.workloadId);
    this.observe(ref.workloadId);
  }

  async healthy(edgeId: string): Promise<boolean> {
    return this.edges.get(edgeId)?.up ?? false;
  }

  async replicas(workloadId: string): Promise<ReplicaInfo[]> {
    return [...(this.replicaList.get(workloadId) ?? [])];
  }

  // ---- internals ----

  private put(instance: Instance, key: string, value: Uint8Array | null): void {
    if (value === null) instance.data.delete(key);
    else instance.data.set(key, value);
    instance.tracking?.dirty.set(key, ++this.seq);
  }

  private edge(edgeId: string): Edge {
    const edge = this.edges.get(edgeId);
    if (edge === undefined) throw new WorkloadUnavailableError(`unknown edge "${edgeId}"`);
    return edge;
  }

  private async enter(operation: AdapterOperation, edgeId: string): Promise<void> {
    await this.faultHook?.(operation, edgeId);
    if (!this.edge(edgeId).up) throw new WorkloadUnavailableError(`edge "${edgeId}" is down`);
  }

  private async instance(operation: AdapterOperation, ref: WorkloadRef): Promise<Instance | undefined> {
    await this.enter(operation, ref.edgeId);
    return this.edge(ref.edgeId).workloads.get(ref.workloadId);
  }

  private observe(workloadId: string): void {
    const now = this.clock.now();
    const o = this.outage.get(workloadId) ?? { since: null, totalMs: 0, bothServing: false };
    const serving = this.servingEdges(workloadId).length;
    if (this.acceptingEdges(workloadId) > 1) o.bothServing = true;
    if (serving === 0 && o.since === null) o.since = now;
    if (serving > 0 && o.since !== null) {
      o.totalMs += now - o.since;
      o.since = null;
    }
    this.outage.set(workloadId, o);
  }
}
