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

/** What an attempt needs only once something asks for it: most trivial nodes never do. */
interface AttemptExtras {
  controller: AbortController | undefined;
  aborted: boolean;
  abortReason: unknown;
  random: Random | undefined;
  logger: Logger | undefined;
}

export class AttemptContext implements NodeContext {
  readonly nodeId: string;
  readonly nodeType: string;
  readonly attempt: number;
  private readonly scope: RunScope;
  // One field for all the lazy state: a context is allocated per node attempt, and its size is what
  // a wide layer of nodes in flight keeps alive.
  private extras: AttemptExtras | undefined;

  constructor(scope: RunScope, nodeId: string, nodeType: string, attempt: number) {
    this.scope = scope;
    this.nodeId = nodeId;
    this.nodeType = nodeType;
    this.attempt = attempt;
  }

  private get lazy(): AttemptExtras {
    this.extras ??= { controller: undefined, aborted: false, abortReason: undefined, random: undefined, logger: undefined };
    return this.extras;
  }

  /** Created on first use: most trivial nodes never look at it. */
  get signal(): AbortSignal {
    const lazy = this.lazy;
    if (lazy.controller === undefined) {
      lazy.controller = new AbortController();
      if (lazy.aborted) lazy.controller.abort(lazy.abortReason);
    }
    return lazy.controller.signal;
  }

  /** Aborts this attempt's signal (timeout, cancellation, or the run stopping). */
  abort(reason: unknown): void {
    const lazy = this.lazy;
    if (lazy.aborted) return;
    lazy.aborted = true;
    lazy.abortReason = reason;
    lazy.controller?.abort(reason);
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
    const lazy = this.lazy;
    lazy.random ??= new Random(`${this.scope.seed}/${this.nodeId}/${this.attempt}`);
    return lazy.random;
  }

  get logger(): Logger {
    const lazy = this.lazy;
    lazy.logger ??= childLogger(this.scope.logger, { runId: this.scope.runId, nodeId: this.nodeId, attempt: this.attempt });
    return lazy.logger;
  }

  progress(fraction: number, message?: string): void {
    if (!(fraction >= 0 && fraction <= 1)) throw ValidationError.of("fraction", `progress must be in [0, 1], got ${fraction}`);
    this.scope.onProgress(this.nodeId, fraction, message);
  }
}
