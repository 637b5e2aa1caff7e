/**
 * Errors of the lifecycle engine. All are {@link ConflictError}s (code `"conflict"`): the request was
 * well formed but the current state refuses it.
 *
 * @module
 */
import { ConflictError } from "../core/errors.js";
import type { EdgeLifecycleState } from "../infra/types.js";

/** An event that the edge's current state does not accept (or whose guard refused it). */
export class InvalidTransitionError extends ConflictError {
  readonly edgeId: string;
  readonly state: EdgeLifecycleState;
  readonly event: string;

  constructor(edgeId: string, state: EdgeLifecycleState, event: string, detail?: string) {
    super(`edge "${edgeId}" in state "${state}" does not accept event "${event}"${detail === undefined ? "" : `: ${detail}`}`);
    this.edgeId = edgeId;
    this.state = state;
    this.event = event;
  }
}

/** The resource is leased to someone else until `expiresAt`. */
export class LeaseConflictError extends ConflictError {
  readonly resource: string;
  readonly holder: string;
  readonly expiresAt: number;

  constructor(resource: string, holder: string, expiresAt: number) {
    super(`resource "${resource}" is leased to "${holder}" until ${expiresAt}`);
    this.resource = resource;
    this.holder = holder;
    this.expiresAt = expiresAt;
  }
}

/** A renew or release by someone who does not (or no longer) hold the lease with that token. */
export class LeaseNotHeldError extends ConflictError {
  readonly resource: string;
  readonly holder: string;
  readonly token: number;

  constructor(resource: string, holder: string, token: number, why: string) {
    super(`"${holder}" does not hold resource "${resource}" with token ${token}: ${why}`);
    this.resource = resource;
    this.holder = holder;
    this.token = token;
  }
}

/** A write carrying a fencing token that is no longer the live lease's token. */
export class StaleFencingTokenError extends ConflictError {
  readonly resource: string;
  readonly token: number;
  /** The live lease's token, or `null` when the resource is free. */
  readonly currentToken: number | null;

  constructor(resource: string, token: number, currentToken: number | null) {
    super(
      `fencing token ${token} for resource "${resource}" is stale: ` +
        (currentToken === null ? "no lease is live" : `the live lease has token ${currentToken}`),
    );
    this.resource = resource;
    this.token = token;
    this.currentToken = currentToken;
  }
}
