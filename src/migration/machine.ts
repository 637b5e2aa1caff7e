/**
 * The executor's phase graph as an xstate v5 machine. It holds no timers and runs no effects: the
 * executor performs each phase's work and sends the event that moves on, and the machine refuses any
 * move the graph does not have. The phase is persisted and the machine resolved from it on restart.
 *
 * @module
 */
import { createActor, setup, type SnapshotFrom } from "xstate";
import type { MigrationPhase } from "./types.js";

/** Events of the phase machine. */
export type MigrationMachineEvent =
  | { readonly type: "NEXT" }
  | { readonly type: "NEXT_WAVE" }
  | { readonly type: "FAIL" }
  | { readonly type: "ROLLBACK" }
  | { readonly type: "ROLLED_BACK" };

/** The declared moves, `from → event → to`; the machine implements exactly these. */
export const MIGRATION_TRANSITIONS: Readonly<Record<MigrationPhase, Readonly<Partial<Record<MigrationMachineEvent["type"], MigrationPhase>>>>> =
  Object.freeze({
    planning: { NEXT: "pre_sync", FAIL: "failed" },
    pre_sync: { NEXT: "sync", FAIL: "failed" },
    sync: { NEXT: "cutover", FAIL: "failed" },
    cutover: { NEXT: "validation", FAIL: "failed" },
    // `staged` returns to pre_sync for the next wave once a wave passed its validation gate.
    validation: { NEXT: "cleanup", NEXT_WAVE: "pre_sync", FAIL: "failed" },
    cleanup: { NEXT: "completed", FAIL: "failed" },
    completed: {},
    failed: { ROLLBACK: "rolling_back" },
    rolling_back: { ROLLED_BACK: "rolled_back" },
    rolled_back: {},
  });

/** The machine's state nodes, one per phase, derived from {@link MIGRATION_TRANSITIONS}. */
export type MigrationPhaseStates = { [P in MigrationPhase]: { on?: Record<string, string>; type?: "final" } };

function states(): MigrationPhaseStates {
  const out = {} as MigrationPhaseStates;
  for (const [phase, moves] of Object.entries(MIGRATION_TRANSITIONS) as Array<[MigrationPhase, Record<string, MigrationPhase>]>) {
    out[phase] = Object.keys(moves).length === 0 ? { type: "final" } : { on: { ...moves } };
  }
  return out;
}

/** The phase machine. */
export const migrationMachine = setup({ types: { events: {} as MigrationMachineEvent } }).createMachine({
  id: "migration",
  initial: "planning",
  states: states(),
});

/** A running phase machine, started at `phase`. */
export class PhaseMachine {
  private readonly actor;

  constructor(phase: MigrationPhase) {
    const snapshot: SnapshotFrom<typeof migrationMachine> = migrationMachine.resolveState({ value: phase });
    this.actor = createActor(migrationMachine, { snapshot });
    this.actor.start();
  }

  /** The current phase. */
  get phase(): MigrationPhase {
    return this.actor.getSnapshot().value as MigrationPhase;
  }

  /** Whether `event` is allowed now. */
  can(event: MigrationMachineEvent["type"]): boolean {
    return this.actor.getSnapshot().can({ type: event });
  }

  /** Sends `event`; returns the new phase, or throws when the graph has no such move. */
  send(event: MigrationMachineEvent["type"]): MigrationPhase {
    if (!this.can(event)) throw new Error(`phase "${this.phase}" has no move "${event}"`);
    this.actor.send({ type: event });
    return this.phase;
  }

  stop(): void {
    this.actor.stop();
  }
}
