/**
 * {@link StateMigrationAdapter}: the migration engine's {@link WorkloadAdapter} for edge state objects,
 * so moving an object is a real migration (plan, pre-copy, cutover, verify, rollback).
 *
 * An object's state is seen as keys: `data/<key>` per data key and `meta` (created, last modified,
 * version), each a JSON value. The source's view is its home's live record; the target's view is a
 * staged copy the executor fills with `apply`. Cutover (`switchTraffic`) is the fenced lease handover:
 * the old home resigns and the target adopts its staged copy under a new fencing token, which the
 * store accepts only when the copy carries the stored version.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { ReplicaInfo, SnapshotPage, StateEntry, WorkloadAdapter, WorkloadRef } from "../migration/adapter.js";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import type { EdgeStateObject } from "./object.js";
import { jsonValueSchema, type JsonValue, type StateMetadata, type StoredState } from "./types.js";

/** Workload id of a state object in a migration (kept apart from other workloads' ids and locks). */
export function stateWorkloadId(stateId: string): string {
  return `state:${stateId}`;
}

/** What the adapter needs from the registry of objects. */
export interface StateMigrationHost {
  /** The registered home instance of `stateId`, if any. */
  home(stateId: string): EdgeStateObject | undefined;
  /** The instance of `stateId` on `edgeId`: the same one on every call for the same pair. */
  instance(stateId: string, edgeId: string): EdgeStateObject;
  /** Records `object` as the object's home once it holds the lease. */
  moved(object: EdgeStateObject): void;
  /** Whether `edgeId` answers (an edge the infrastructure knows and does not consider failed). */
  healthy(edgeId: string): boolean;
}

type View = Map<string, string>;
type CopyMetadata = Omit<StateMetadata, "accessCount">;

const META = "meta";
const DATA = "data/";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function viewOf(record: StoredState): View {
  const view: View = new Map();
  const { created, lastModified, version } = record.metadata;
  view.set(META, JSON.stringify({ created, lastModified, version }));
  for (const [k, v] of Object.entries(record.data)) view.set(DATA + k, JSON.stringify(v));
  return view;
}

function recordOf(stateId: string, view: View): { data: Record<string, JsonValue>; metadata: CopyMetadata } | undefined {
  const meta = view.get(META);
  if (meta === undefined) return undefined;
  const parsed = JSON.parse(meta) as unknown;
  if (typeof parsed !== "object" || parsed === null) throw ValidationError.of(`state "${stateId}" copy`, "has no metadata", "corrupt_record");
  const m = parsed as Record<string, unknown>;
  const { created, lastModified, version } = m;
  if (typeof created !== "number" || typeof lastModified !== "number" || typeof version !== "number") {
    throw ValidationError.of(`state "${stateId}" copy`, "has malformed metadata", "corrupt_record");
  }
  const data: Record<string, JsonValue> = {};
  for (const [k, raw] of view) if (k.startsWith(DATA)) data[k.slice(DATA.length)] = parseWith(jsonValueSchema, JSON.parse(raw), `state "${stateId}" copy.${k}`);
  return { data, metadata: { created, lastModified, version } };
}

/**
 * Change tracking by difference: `baseline` is what the target is known to have (values as of
 * tracking start, then as acknowledged), so a key is pending while the source's value differs from it.
 */
interface Tracking {
  readonly baseline: Map<string, string | null>;
  readonly handed: Map<string, string | null>;
}

/**
 * @example
 * ```ts
 * const states = new EdgeStates({ clock, leases, store, migrations: (adapter) => new MigrationService({ clock, adapter }) });
 * const moved = await states.migrate("cart:42", "edge-b"); // { path: "migration", migrationId, object }
 * ```
 */
export class StateMigrationAdapter implements WorkloadAdapter {
  private readonly host: StateMigrationHost;
  /** Staged copies, by workload id then edge. */
  private readonly staged = new Map<string, Map<string, View>>();
  private readonly tracking = new Map<string, Tracking>();

  constructor(host: StateMigrationHost) {
    this.host = host;
  }

  async size(ref: WorkloadRef): Promise<number> {
    let bytes = 0;
    for (const [k, v] of await this.view(ref)) bytes += k.length + v.length;
    return bytes;
  }

  async snapshot(ref: WorkloadRef, cursor: string | null, limit: number): Promise<SnapshotPage> {
    const keys = [...(await this.view(ref)).keys()].filter((k) => cursor === null || k > cursor).sort();
    const page = keys.slice(0, limit);
    return { keys: page, next: keys.length > limit ? (page[page.length - 1] ?? null) : null };
  }

  async read(ref: WorkloadRef, keys: readonly string[]): Promise<StateEntry[]> {
    const view = await this.view(ref);
    return keys.map((k) => {
      const v = view.get(k);
      return { key: k, value: v === undefined ? null : encoder.encode(v) };
    });
  }

  async apply(ref: WorkloadRef, entries: readonly StateEntry[]): Promise<void> {
    const home = this.home(ref);
    if (home !== undefined) throw ValidationError.of("edgeId", `edge "${ref.edgeId}" is the live home of "${ref.workloadId}": its record changes only through the object`, "live_home");
    const view = this.stage(ref);
    for (const e of entries) {
      if (e.value === null) view.delete(e.key);
      else view.set(e.key, decoder.decode(e.value));
    }
  }

  async trackChanges(ref: WorkloadRef): Promise<void> {
    const id = this.trackingId(ref);
    if (this.tracking.has(id)) return;
    // The scan that follows copies everything present now; only what changes after it is pending.
    this.tracking.set(id, { baseline: new Map(await this.view(ref)), handed: new Map() });
  }

  async isTracking(ref: WorkloadRef): Promise<boolean> {
    return this.tracking.has(this.trackingId(ref));
  }

  async changes(ref: WorkloadRef): Promise<string[]> {
    const tracking = this.tracking.get(this.trackingId(ref));
    if (tracking === undefined) return [];
    const view = await this.view(ref);
    const pending: string[] = [];
    for (const k of new Set([...view.keys(), ...tracking.baseline.keys()])) {
      const now = view.get(k) ?? null;
      if (now !== (tracking.baseline.get(k) ?? null)) {
        pending.push(k);
        tracking.handed.set(k, now);
      }
    }
    return pending.sort();
  }

  async ackChanges(ref: WorkloadRef, keys: readonly string[]): Promise<void> {
    const tracking = this.tracking.get(this.trackingId(ref));
    if (tracking === undefined) return;
    for (const k of keys) {
      // A key written again after `changes` handed it out differs from the baseline and stays pending.
      if (tracking.handed.has(k)) tracking.baseline.set(k, tracking.handed.get(k) ?? null);
      tracking.handed.delete(k);
    }
  }

  async untrackChanges(ref: WorkloadRef): Promise<void> {
    this.tracking.delete(this.trackingId(ref));
  }

  async checksum(ref: WorkloadRef): Promise<string> {
    const view = await this.view(ref);
    const hash = createHash("sha256");
    for (const k of [...view.keys()].sort()) hash.update(`${k.length}:${k}${(view.get(k) ?? "").length}:${view.get(k) ?? ""}`);
    return hash.digest("hex");
  }

  async start(): Promise<void> {
    // An object needs no process of its own: it runs wherever it holds the lease.
  }

  async stop(ref: WorkloadRef): Promise<void> {
    const object = this.host.instance(this.stateId(ref), ref.edgeId);
    if (object.drained) await object.undrain();
  }

  async drain(ref: WorkloadRef): Promise<void> {
    const object = this.home(ref);
    if (object !== undefined) await object.drain("migration to another edge");
  }

  async undrain(ref: WorkloadRef): Promise<void> {
    const stateId = this.stateId(ref);
    const object = this.host.instance(stateId, ref.edgeId);
    const home = this.host.home(stateId);
    if (home !== undefined && home !== object) {
      // A handover that went through although the engine saw it fail: take the object back. The
      // store holds every write acknowledged at either edge, so the old home reloads from it.
      await home.drain("migration rollback");
      await home.resign();
      await object.undrain();
      await object.metadata();
      this.host.moved(object);
      return;
    }
    await object.undrain();
  }

  async switchTraffic(workloadId: string, edgeId: string): Promise<void> {
    const stateId = this.stateId({ workloadId, edgeId });
    const target = this.host.instance(stateId, edgeId);
    const copy = this.staged.get(workloadId)?.get(edgeId);
    const record = copy === undefined ? undefined : recordOf(stateId, copy);
    if (record === undefined) throw ValidationError.of("edgeId", `edge "${edgeId}" holds no copy of "${stateId}" to take over with`, "no_copy");
    const live = this.host.home(stateId);
    if (live === target) return;
    // The old home stays drained after resigning, so nothing is acknowledged there in between.
    if (live !== undefined) await live.resign();
    await target.adopt(record);
    this.staged.get(workloadId)?.delete(edgeId);
    this.host.moved(target);
  }

  async delete(ref: WorkloadRef): Promise<void> {
    this.staged.get(ref.workloadId)?.delete(ref.edgeId);
  }

  async healthy(edgeId: string): Promise<boolean> {
    return this.host.healthy(edgeId);
  }

  async replicas(): Promise<ReplicaInfo[]> {
    // The store is the replica: an object moves from its store, so there is no separate copy to restore.
    return [];
  }

  private stateId(ref: WorkloadRef): string {
    if (!ref.workloadId.startsWith("state:")) throw ValidationError.of("workloadId", `"${ref.workloadId}" is not a state object's workload`, "invalid_workload");
    return ref.workloadId.slice("state:".length);
  }

  private trackingId(ref: WorkloadRef): string {
    return `${ref.edgeId}\u0000${ref.workloadId}`;
  }

  /** The instance on `ref.edgeId` when it is the object's home. */
  private home(ref: WorkloadRef): EdgeStateObject | undefined {
    const object = this.host.home(this.stateId(ref));
    return object?.edgeId === ref.edgeId ? object : undefined;
  }

  private stage(ref: WorkloadRef): View {
    let byEdge = this.staged.get(ref.workloadId);
    if (byEdge === undefined) this.staged.set(ref.workloadId, (byEdge = new Map()));
    let view = byEdge.get(ref.edgeId);
    if (view === undefined) byEdge.set(ref.edgeId, (view = new Map()));
    return view;
  }

  private async view(ref: WorkloadRef): Promise<View> {
    const home = this.home(ref);
    if (home !== undefined) return viewOf(await home.snapshot());
    return new Map(this.staged.get(ref.workloadId)?.get(ref.edgeId) ?? []);
  }
}
