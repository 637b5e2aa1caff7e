/**
 * The {@link NodeContext} handed to a node attempt. Per-node randomness and loggers are created
 * lazily: most nodes never touch them, and a 10,000-node run should not pay for them.
 *
 * @module
 */
import type { Clock } from "../core/clock.js";
import { ValidationError } from "../core/errors.js";
import { childLogger, type Logger } from "../core/logger.js";
import { Random } from "../core/random.js";
import type { ServiceRegistry } from "../core/services.js";
import type { NodeContext } from "./node.js";

/** What all attempts of one run share. */
export interface RunScope {
  readonly runId: string;
  readonly seed: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly infrastructure: ServiceRegistry;
  readonly onProgress: (nodeId: string, fraction: number, message: string | undefined) => void;
}

export class AttemptContext implements NodeContext {
  readonly nodeId: string;
  readonly nodeType: string;
  readonly attempt: number;
  private readonly scope: RunScope;
  private controller: AbortController | undefined;
  private abortReason: unknown;
  private aborted = false;
  private lazyRandom: Random | undefined;
  private lazyLogger: Logger | undefined;

  constructor(scope: RunScope, nodeId: string, nodeType: string, attempt: number) {
    this.scope = scope;
    this.nodeId = nodeId;
    this.nodeType = nodeType;
    this.attempt = attempt;
  }

  /** Created on first use: most trivial nodes never look at it. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Aborts this attempt's signal (timeout, cancellation, or the run stopping). */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }

  get runId(): string {
    return this.scope.runId;
  }

  get clock(): Clock {
    return this.scope.clock;
  }

  get infrastructure(): ServiceRegistry {
    return this.scope.infrastructure;
  }

  /** Derived from the run seed, the node id and the attempt: independent of scheduling order. */
  get random(): Random {
    this.lazyRandom ??= new Random(`${this.scope.seed}/${this.nodeId}/${this.attempt}`);
    return this.lazyRandom;
  }

  get logger(): Logger {
    this.lazyLogger ??= childLogger(this.scope.logger, { runId: this.scope.runId, nodeId: this.nodeId, attempt: this.attempt });
    return this.lazyLogger;
  }

  progress(fraction: number, message?: string): void {
    if (!(fraction >= 0 && fraction <= 1)) throw ValidationError.of("fraction", `progress must be in [0, 1], got ${fraction}`);
    this.scope.onProgress(this.nodeId, fraction, message);
  }
}
