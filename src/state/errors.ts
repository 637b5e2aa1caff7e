/**
 * Typed errors of edge state objects. Every one is thrown before anything changes.
 *
 * @module
 */
import { EdgeflowError } from "../core/errors.js";

/** `increment` on a non-number or `append` on a non-list. */
export class StateWrongTypeError extends EdgeflowError {
  /** The key whose value has the wrong type. */
  readonly key: string;
  /** The type the operation needs. */
  readonly expected: "number" | "list";
  /** The type the value has. */
  readonly actual: string;

  constructor(key: string, expected: "number" | "list", actual: string) {
    super("state.wrong_type", `key "${key}" holds a ${actual}, the operation needs a ${expected}`);
    this.name = "StateWrongTypeError";
    this.key = key;
    this.expected = expected;
    this.actual = actual;
  }
}

/** A write while another owner holds the object's lock. */
export class StateLockedError extends EdgeflowError {
  /** Who holds the lock. */
  readonly owner: string;
  /** When the lock lapses, on the object's clock. */
  readonly expiresAt: number;

  constructor(stateId: string, owner: string, expiresAt: number) {
    super("state.locked", `state "${stateId}" is locked by "${owner}" until ${expiresAt}`);
    this.name = "StateLockedError";
    this.owner = owner;
    this.expiresAt = expiresAt;
  }
}

/** A write carrying a fencing token older than one the store has already accepted. */
export class StateFencedError extends EdgeflowError {
  /** The refused token. */
  readonly token: number;
  /** The newest token the store has accepted. */
  readonly current: number;

  constructor(stateId: string, token: number, current: number) {
    super("state.fenced", `write to state "${stateId}" with fencing token ${token} refused: token ${current} already wrote`);
    this.name = "StateFencedError";
    this.token = token;
    this.current = current;
  }
}

/** An operation sent to an edge that is no longer (or not) the object's home. */
export class StateRedirectError extends EdgeflowError {
  /** The edge now holding the object, or `null` when no edge holds it at this instant. */
  readonly owner: string | null;

  constructor(stateId: string, edgeId: string, owner: string | null) {
    super("state.redirect", owner === null
      ? `state "${stateId}" has no home at the moment; edge "${edgeId}" could not take it`
      : `state "${stateId}" lives on edge "${owner}", not on "${edgeId}"`);
    this.name = "StateRedirectError";
    this.owner = owner;
  }
}

/**
 * A save based on a version other than the stored one: the stored state moved under this home (a
 * write whose outcome was unknown landed late, or a former home's last write raced the takeover).
 * Nothing was written; the home reloads before its next operation.
 */
export class StateConflictError extends EdgeflowError {
  /** The version the refused record was based on. */
  readonly basedOn: number;
  /** The version the store holds. */
  readonly stored: number;

  constructor(stateId: string, basedOn: number, stored: number) {
    super("state.conflict", `write to state "${stateId}" based on version ${basedOn} refused: the store holds version ${stored}`);
    this.name = "StateConflictError";
    this.basedOn = basedOn;
    this.stored = stored;
  }
}

/**
 * A migration of a state object that did not complete. The engine rolled it back: the object keeps
 * its old home, its data and a working lease.
 */
export class StateMigrationFailedError extends EdgeflowError {
  /** The migration's id in the migration engine. */
  readonly migrationId: string;
  /** Where the migration ended (`rolled_back`, or `paused` when someone paused it). */
  readonly phase: string;

  constructor(stateId: string, migrationId: string, phase: string, reason: string | null) {
    super("state.migration_failed", `migration ${migrationId} of state "${stateId}" ended ${phase}${reason === null ? "" : `: ${reason}`}`);
    this.name = "StateMigrationFailedError";
    this.migrationId = migrationId;
    this.phase = phase;
  }
}
