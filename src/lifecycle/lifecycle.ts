/**
 * {@link EdgeLifecycle}: owns one xstate actor per edge, arms state deadlines on the injected clock,
 * mirrors each edge's state into the {@link EdgeInfrastructure} registry, and persists / restores.
 *
 * @module
 */
import { freeze } from "immer";
import { createActor, type Actor } from "xstate";
import { z } from "zod";
import type { Clock, TimerHandle } from "../core/clock.js";
import { NotFoundError, ValidationError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { serviceKey, type ServiceKey } from "../core/services.js";
import { parseWith } from "../core/validation.js";
import type { EdgeInfrastructure } from "../infra/infrastructure.js";
import { lifecycleStateSchema } from "../infra/schemas.js";
import type { EdgeLifecycleState } from "../infra/types.js";
import { InvalidTransitionError } from "./errors.js";
import { edgeLifecycleMachine, type LifecycleContext, type LifecycleMachineEvent } from "./machine.js";
import {
  LIFECYCLE_EVENT_TYPES,
  type EdgeLifecycleSnapshot,
  type EdgeMetadata,
  type LifecycleEvent,
  type LifecycleEventType,
  type LifecycleEvents,
  type LifecycleSettings,
} from "./types.js";

/** The key under which nodes find the shared {@link EdgeLifecycle}. */
export const EDGE_LIFECYCLE: ServiceKey<EdgeLifecycle> = serviceKey<EdgeLifecycle>("lifecycle.edges");

/** Default timings: 60 s to warm up, 300 s to drain, 3 recoveries between two visits to `active`. */
export const DEFAULT_LIFECYCLE_SETTINGS: LifecycleSettings = Object.freeze({
  warmupTimeoutMs: 60_000,
  drainTimeoutMs: 300_000,
  maxRecoveryAttempts: 3,
});

const idSchema = z.string().trim().min(1, "must not be empty");
const metadataSchema = z.record(z.string().min(1), z.union([z.string(), z.number().finite(), z.boolean()]));
const settingsSchema = z.object({
  warmupTimeoutMs: z.number().int().positive().optional(),
  drainTimeoutMs: z.number().int().positive().optional(),
  maxRecoveryAttempts: z.number().int().nonnegative().optional(),
});
const eventSchema = z.object({ type: z.enum(LIFECYCLE_EVENT_TYPES as [LifecycleEventType, ...LifecycleEventType[]]), reason: z.string().optional() });

const persistedEdgeSchema = z
  .object({
    status: z.enum(["active", "done"]),
    value: lifecycleStateSchema,
    context: z.object({
      edgeId: idSchema,
      metadata: metadataSchema,
      recoveryAttempts: z.number().int().nonnegative(),
      expiresAt: z.number().finite().nullable(),
      failureReason: z.string().nullable(),
      enteredAt: z.number().finite(),
      settings: z.object({
        warmupTimeoutMs: z.number().int().positive(),
        drainTimeoutMs: z.number().int().positive(),
        maxRecoveryAttempts: z.number().int().nonnegative(),
      }),
    }),
  })
  .passthrough()
  .superRefine((edge, ctx) => {
    // A snapshot must be one the machine could have produced: timed states carry their deadline (else
    // the edge would stay there forever), the others none, and only `terminated` is final.
    const timed = edge.value === "warming" || edge.value === "draining";
    if (timed !== (edge.context.expiresAt !== null)) {
      ctx.addIssue({
        code: "custom",
        path: ["context", "expiresAt"],
        message: timed ? `state "${edge.value}" needs a deadline` : `state "${edge.value}" has no deadline`,
      });
    }
    if ((edge.status === "done") !== (edge.value === "terminated")) {
      ctx.addIssue({ code: "custom", path: ["status"], message: `status "${edge.status}" does not match state "${edge.value}"` });
    }
  });

const persistedSchema = z.object({ version: z.literal(1), edges: z.record(idSchema, persistedEdgeSchema) });

/** What {@link EdgeLifecycle.persist} returns: JSON-safe, one xstate persisted snapshot per edge. */
export interface PersistedLifecycle {
  readonly version: 1;
  readonly edges: Readonly<Record<string, unknown>>;
}

/** Options for {@link EdgeLifecycle}. */
export interface EdgeLifecycleOptions {
  readonly clock: Clock;
  /** When given, every state change is mirrored into the registry (for edges registered there). */
  readonly infrastructure?: EdgeInfrastructure;
  /** Defaults for edges added without their own settings. */
  readonly defaults?: Partial<LifecycleSettings>;
}

/** Options for one edge. */
export interface AddEdgeOptions extends Partial<LifecycleSettings> {
  readonly metadata?: EdgeMetadata;
  /**
   * Adopt an edge already in this state (default `"initialized"`), e.g. one the registry lists as
   * `active`. A `warming` or `draining` edge gets a fresh deadline from now.
   */
  readonly initialState?: EdgeLifecycleState;
}

type EdgeActor = Actor<typeof edgeLifecycleMachine>;

interface Entry {
  readonly actor: EdgeActor;
  timer: TimerHandle | undefined;
}

/**
 * Edge lifecycles: `initialized → warming → active → draining → terminated`, plus `failed` with
 * guarded recovery back to `warming`. Events a state does not accept throw {@link InvalidTransitionError}.
 *
 * @example
 * ```ts
 * const lifecycle = new EdgeLifecycle({ clock, infrastructure });
 * lifecycle.add("edge-1");
 * lifecycle.transition("edge-1", { type: "WARM" });
 * lifecycle.transition("edge-1", { type: "READY" }); // state "active"
 * const saved = lifecycle.persist();                 // JSON-safe
 * const restored = new EdgeLifecycle({ clock }).restore(saved); // deadlines re-armed on `clock`
 * ```
 */
export class EdgeLifecycle {
  /** `lifecycle:transition` on every state change, including deadline-driven ones. */
  readonly events = new TypedEmitter<LifecycleEvents>();
  private readonly clock: Clock;
  private readonly infrastructure: EdgeInfrastructure | undefined;
  private readonly defaults: LifecycleSettings;
  private readonly entries = new Map<string, Entry>();

  constructor(options: EdgeLifecycleOptions) {
    this.clock = options.clock;
    this.infrastructure = options.infrastructure;
    this.defaults = freeze({ ...DEFAULT_LIFECYCLE_SETTINGS, ...parseWith(settingsSchema, options.defaults ?? {}, "defaults") });
  }

  /** Starts tracking an edge in `initialized`. */
  add(edgeId: string, options: AddEdgeOptions = {}): EdgeLifecycleSnapshot {
    const id = parseWith(idSchema, edgeId, "edgeId");
    const { metadata, initialState, ...settings } = options;
    const parsedMetadata = parseWith(metadataSchema, metadata ?? {}, "metadata");
    const parsedSettings = parseWith(settingsSchema, settings, "settings");
    const state = parseWith(lifecycleStateSchema, initialState ?? "initialized", "initialState");
    if (this.entries.has(id)) throw ValidationError.of("edgeId", `edge "${id}" already has a lifecycle`, "duplicate_id");
    const now = this.clock.now();
    const input = { edgeId: id, at: now, metadata: parsedMetadata, settings: { ...this.defaults, ...parsedSettings } };
    if (state === "initialized") return this.adopt(id, createActor(edgeLifecycleMachine, { input }));
    const expiresAt =
      state === "warming" ? now + input.settings.warmupTimeoutMs : state === "draining" ? now + input.settings.drainTimeoutMs : null;
    const context: LifecycleContext = {
      edgeId: id,
      metadata: parsedMetadata,
      recoveryAttempts: 0,
      expiresAt,
      failureReason: state === "failed" ? "adopted in state failed" : null,
      enteredAt: now,
      settings: input.settings,
    };
    // Same shape as a persisted snapshot, so adoption goes through xstate's own restore path.
    const snapshot = { status: state === "terminated" ? "done" : "active", value: state, context, children: {}, historyValue: {} };
    return this.adopt(id, createActor(edgeLifecycleMachine, { snapshot: snapshot as unknown as ReturnType<EdgeActor["getPersistedSnapshot"]>, input }));
  }

  /** Whether the edge has a lifecycle here. */
  has(edgeId: string): boolean {
    return this.entries.has(edgeId);
  }

  /** The edge's current lifecycle; {@link NotFoundError} when unknown. */
  get(edgeId: string): EdgeLifecycleSnapshot {
    return this.snapshotOf(edgeId, this.entry(edgeId).actor);
  }

  /** Every tracked edge, by id. */
  list(): readonly EdgeLifecycleSnapshot[] {
    return freeze([...this.entries.keys()].sort().map((id) => this.get(id)));
  }

  /** Whether `event` would be accepted now (guards included). */
  can(edgeId: string, event: LifecycleEvent): boolean {
    const parsed = parseWith(eventSchema, event, "event");
    return this.entry(edgeId).actor.getSnapshot().can(this.machineEvent(parsed));
  }

  /** Sends `event`; throws {@link InvalidTransitionError} naming the state and event when refused. */
  transition(edgeId: string, event: LifecycleEvent): EdgeLifecycleSnapshot {
    const parsed = parseWith(eventSchema, event, "event");
    const entry = this.entry(edgeId);
    const snapshot = entry.actor.getSnapshot();
    const machineEvent = this.machineEvent(parsed);
    if (!snapshot.can(machineEvent)) {
      const state = snapshot.value as EdgeLifecycleState;
      const detail =
        parsed.type === "RECOVER" && state === "failed"
          ? `recovery attempts exhausted (${snapshot.context.recoveryAttempts} of ${snapshot.context.settings.maxRecoveryAttempts})`
          : undefined;
      throw new InvalidTransitionError(edgeId, state, parsed.type, detail);
    }
    this.send(edgeId, entry, machineEvent);
    return this.get(edgeId);
  }

  /** Merges `metadata` into the edge's metadata (refused once `terminated`). */
  setMetadata(edgeId: string, metadata: EdgeMetadata): EdgeLifecycleSnapshot {
    const parsed = parseWith(metadataSchema, metadata, "metadata");
    const entry = this.entry(edgeId);
    const event: LifecycleMachineEvent = { type: "SET_METADATA", at: this.clock.now(), metadata: parsed };
    if (!entry.actor.getSnapshot().can(event)) {
      throw new InvalidTransitionError(edgeId, entry.actor.getSnapshot().value as EdgeLifecycleState, "SET_METADATA");
    }
    entry.actor.send(event);
    return this.get(edgeId);
  }

  /** Stops tracking an edge; returns its last snapshot. */
  remove(edgeId: string): EdgeLifecycleSnapshot {
    const last = this.get(edgeId);
    const entry = this.entry(edgeId);
    if (entry.timer !== undefined) this.clock.clearTimer(entry.timer);
    entry.actor.stop();
    this.entries.delete(edgeId);
    return last;
  }

  /** JSON-safe state of every edge (xstate persisted snapshots, deadlines included in context). */
  persist(): PersistedLifecycle {
    const edges: Record<string, unknown> = {};
    for (const [id, entry] of this.entries) edges[id] = JSON.parse(JSON.stringify(entry.actor.getPersistedSnapshot())) as unknown;
    return { version: 1, edges };
  }

  /**
   * Loads persisted edges (validated first: nothing is loaded if anything is malformed or already
   * tracked) and re-arms their deadlines on this instance's clock; a deadline already passed fires at
   * once (on the next clock tick).
   */
  restore(persisted: unknown): this {
    const parsed = parseWith(persistedSchema, persisted, "persisted");
    const issues = Object.entries(parsed.edges).flatMap(([id, edge]) => [
      ...(this.entries.has(id) ? [{ path: `persisted.edges.${id}`, message: `edge "${id}" already has a lifecycle`, code: "duplicate_id" }] : []),
      ...(edge.context.edgeId !== id ? [{ path: `persisted.edges.${id}.context.edgeId`, message: `does not match key "${id}"` }] : []),
    ]);
    if (issues.length > 0) throw new ValidationError(issues);
    for (const [id, edge] of Object.entries(parsed.edges)) {
      const actor = createActor(edgeLifecycleMachine, {
        snapshot: edge as unknown as ReturnType<EdgeActor["getPersistedSnapshot"]>,
        input: { edgeId: id, at: this.clock.now(), metadata: {}, settings: this.defaults },
      });
      this.adopt(id, actor);
    }
    return this;
  }

  /** Stops every actor and cancels every deadline. */
  dispose(): void {
    for (const entry of this.entries.values()) {
      if (entry.timer !== undefined) this.clock.clearTimer(entry.timer);
      entry.actor.stop();
    }
    this.entries.clear();
  }

  private adopt(id: string, actor: EdgeActor): EdgeLifecycleSnapshot {
    actor.start();
    const entry: Entry = { actor, timer: undefined };
    this.entries.set(id, entry);
    this.armDeadline(id, entry);
    this.mirror(id, actor.getSnapshot().value as EdgeLifecycleState);
    return this.get(id);
  }

  private send(edgeId: string, entry: Entry, event: LifecycleMachineEvent): void {
    const from = entry.actor.getSnapshot().value as EdgeLifecycleState;
    entry.actor.send(event);
    const to = entry.actor.getSnapshot().value as EdgeLifecycleState;
    this.armDeadline(edgeId, entry);
    if (from !== to) {
      this.mirror(edgeId, to);
      this.events.emit("lifecycle:transition", { edgeId, from, to, event: event.type as LifecycleEventType | "DEADLINE", at: event.at });
    }
  }

  private armDeadline(edgeId: string, entry: Entry): void {
    if (entry.timer !== undefined) this.clock.clearTimer(entry.timer);
    entry.timer = undefined;
    const { expiresAt } = entry.actor.getSnapshot().context;
    if (expiresAt === null) return;
    entry.timer = this.clock.setTimer(Math.max(0, expiresAt - this.clock.now()), () => {
      entry.timer = undefined;
      if (this.entries.get(edgeId) !== entry) return;
      const event: LifecycleMachineEvent = { type: "DEADLINE", at: this.clock.now() };
      if (entry.actor.getSnapshot().can(event)) this.send(edgeId, entry, event);
    }, { background: true });
  }

  private mirror(edgeId: string, state: EdgeLifecycleState): void {
    const infrastructure = this.infrastructure;
    if (infrastructure?.hasEdge(edgeId) && infrastructure.getEdge(edgeId).lifecycleState !== state) {
      infrastructure.setLifecycleState(edgeId, state);
    }
  }

  private machineEvent(event: { type: LifecycleEventType; reason?: string | undefined }): LifecycleMachineEvent {
    const at = this.clock.now();
    return event.type === "FAIL" ? (event.reason === undefined ? { type: "FAIL", at } : { type: "FAIL", at, reason: event.reason }) : { type: event.type, at };
  }

  private entry(edgeId: string): Entry {
    const entry = this.entries.get(edgeId);
    if (entry === undefined) throw new NotFoundError("edge lifecycle", edgeId);
    return entry;
  }

  private snapshotOf(edgeId: string, actor: EdgeActor): EdgeLifecycleSnapshot {
    const { value, context } = actor.getSnapshot();
    return freeze(
      {
        edgeId,
        state: value as EdgeLifecycleState,
        metadata: context.metadata,
        recoveryAttempts: context.recoveryAttempts,
        expiresAt: context.expiresAt,
        failureReason: context.failureReason,
        enteredAt: context.enteredAt,
        settings: context.settings,
      },
      true,
    );
  }
}
