/**
 * The edge lifecycle as an xstate v5 machine.
 *
 * No xstate `after` delays: deadlines live in context as `expiresAt` and the owner arms them on the
 * injected clock, sending `DEADLINE`. xstate does not restore pending delayed transitions from a
 * persisted snapshot (statelyai/xstate#5331), whereas a deadline in context survives persistence and is
 * re-armed on restore. Every event carries `at`, the clock time, so the machine itself never reads time.
 *
 * @module
 */
import { assign, setup } from "xstate";
import type { EdgeLifecycleState } from "../infra/types.js";
import type { EdgeLifecycleSnapshot, EdgeMetadata, LifecycleEventType, LifecycleSettings } from "./types.js";

/**
 * Machine context: everything a snapshot reports except the state, which xstate holds. JSON-safe so
 * persisted snapshots round-trip.
 */
export type LifecycleContext = Omit<EdgeLifecycleSnapshot, "state">;

/** Events the machine accepts: caller events plus the owner's `DEADLINE` and `SET_METADATA`. */
export type LifecycleMachineEvent =
  | { readonly type: Exclude<LifecycleEventType, "FAIL">; readonly at: number }
  | { readonly type: "FAIL"; readonly at: number; readonly reason?: string }
  | { readonly type: "DEADLINE"; readonly at: number }
  | { readonly type: "SET_METADATA"; readonly at: number; readonly metadata: EdgeMetadata };

export interface LifecycleInput {
  readonly edgeId: string;
  readonly at: number;
  readonly metadata: EdgeMetadata;
  readonly settings: LifecycleSettings;
}

/**
 * The declared state changes, `from -> event -> to`. The machine below implements exactly these
 * (plus `SET_METADATA`, which never changes state); tests check the machine against an independent copy.
 */
export const LIFECYCLE_TRANSITIONS: Readonly<Record<EdgeLifecycleState, Readonly<Partial<Record<LifecycleEventType | "DEADLINE", EdgeLifecycleState>>>>> =
  Object.freeze({
    initialized: { WARM: "warming", FAIL: "failed", TERMINATE: "terminated" },
    warming: { READY: "active", FAIL: "failed", DEADLINE: "failed", TERMINATE: "terminated" },
    active: { DRAIN: "draining", FAIL: "failed" },
    draining: { TERMINATE: "terminated", DEADLINE: "terminated", FAIL: "failed" },
    failed: { RECOVER: "warming", TERMINATE: "terminated" },
    terminated: {},
  });

/** The lifecycle machine. Create actors through `EdgeLifecycle`, which owns the clock. */
export const edgeLifecycleMachine = setup({
  types: {
    context: {} as LifecycleContext,
    events: {} as LifecycleMachineEvent,
    input: {} as LifecycleInput,
  },
  guards: {
    canRecover: ({ context }) => context.recoveryAttempts < context.settings.maxRecoveryAttempts,
    deadlinePassed: ({ context, event }) => context.expiresAt !== null && event.at >= context.expiresAt,
  },
  actions: {
    enter: assign({ enteredAt: ({ event }) => event.at, expiresAt: () => null }),
    startWarmup: assign({
      enteredAt: ({ event }) => event.at,
      expiresAt: ({ context, event }) => event.at + context.settings.warmupTimeoutMs,
    }),
    startDrain: assign({
      enteredAt: ({ event }) => event.at,
      expiresAt: ({ context, event }) => event.at + context.settings.drainTimeoutMs,
    }),
    becomeActive: assign({ enteredAt: ({ event }) => event.at, expiresAt: () => null, recoveryAttempts: () => 0, failureReason: () => null }),
    recordFailure: assign({
      enteredAt: ({ event }) => event.at,
      expiresAt: () => null,
      failureReason: ({ event }) =>
        event.type === "FAIL" ? (event.reason ?? "failure reported") : event.type === "DEADLINE" ? "warm-up deadline passed" : "failure",
    }),
    mergeMetadata: assign({
      metadata: ({ context, event }) => (event.type === "SET_METADATA" ? { ...context.metadata, ...event.metadata } : context.metadata),
    }),
    countRecovery: assign({ recoveryAttempts: ({ context }) => context.recoveryAttempts + 1 }),
  },
}).createMachine({
  id: "edgeLifecycle",
  initial: "initialized",
  context: ({ input }) => ({
    edgeId: input.edgeId,
    metadata: input.metadata,
    recoveryAttempts: 0,
    expiresAt: null,
    failureReason: null,
    enteredAt: input.at,
    settings: input.settings,
  }),
  states: {
    initialized: {
      on: {
        WARM: { target: "warming", actions: "startWarmup" },
        FAIL: { target: "failed", actions: "recordFailure" },
        TERMINATE: { target: "terminated", actions: "enter" },
        SET_METADATA: { actions: "mergeMetadata" },
      },
    },
    warming: {
      on: {
        READY: { target: "active", actions: "becomeActive" },
        FAIL: { target: "failed", actions: "recordFailure" },
        DEADLINE: { target: "failed", guard: "deadlinePassed", actions: "recordFailure" },
        TERMINATE: { target: "terminated", actions: "enter" },
        SET_METADATA: { actions: "mergeMetadata" },
      },
    },
    active: {
      on: {
        DRAIN: { target: "draining", actions: "startDrain" },
        FAIL: { target: "failed", actions: "recordFailure" },
        SET_METADATA: { actions: "mergeMetadata" },
      },
    },
    draining: {
      on: {
        TERMINATE: { target: "terminated", actions: "enter" },
        DEADLINE: { target: "terminated", guard: "deadlinePassed", actions: "enter" },
        FAIL: { target: "failed", actions: "recordFailure" },
        SET_METADATA: { actions: "mergeMetadata" },
      },
    },
    failed: {
      on: {
        RECOVER: { target: "warming", guard: "canRecover", actions: ["countRecovery", "startWarmup"] },
        TERMINATE: { target: "terminated", actions: "enter" },
        SET_METADATA: { actions: "mergeMetadata" },
      },
    },
    terminated: { type: "final" },
  },
});
