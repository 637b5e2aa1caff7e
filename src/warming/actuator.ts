/**
 * Carrying out warming decisions. {@link WarmingActuator} is what a platform implements (start a
 * container, load a model, ...); {@link LifecycleWarmingActuator} is the default, which moves the edge
 * through the lifecycle engine: `initialized → warming`, runs the platform's `prepare` step, then
 * `warming → active` (or `failed` with the reason when preparing fails).
 *
 * @module
 */
import { sleep, type Clock } from "../core/clock.js";
import { CancelledError, errorMessage } from "../core/errors.js";
import type { EdgeLifecycle } from "../lifecycle/lifecycle.js";
import type { WarmOutcome, WarmingDecision } from "./types.js";

/** Carries out one warming decision on a platform. */
export interface WarmingActuator {
  /** Makes capacity warm on `decision.edge`; resolves with what happened. Must be idempotent. */
  warm(decision: WarmingDecision, options?: { signal?: AbortSignal }): Promise<WarmOutcome>;
}

/** Settings of {@link LifecycleWarmingActuator}. */
export interface LifecycleWarmingActuatorOptions {
  readonly lifecycle: EdgeLifecycle;
  readonly clock: Clock;
  /**
   * The platform's warm-up work between `warming` and `active` (pull an image, load a model, ...).
   * Default: wait `warmupMs` on the clock.
   */
  readonly prepare?: (decision: WarmingDecision, signal: AbortSignal | undefined) => Promise<void>;
  /** Duration of the default `prepare`, ms (default 0). */
  readonly warmupMs?: number;
}

/**
 * Warms edges through {@link EdgeLifecycle}: an unknown edge is added, an `initialized` one gets
 * `WARM`, a `failed` one `RECOVER`; after `prepare` it gets `READY`. Edges already `warming` or
 * `active` are left alone; `draining` or `terminated` ones are reported as failed (they are going away).
 *
 * @example
 * ```ts
 * const actuator = new LifecycleWarmingActuator({ lifecycle, clock, prepare: (d) => platform.start(d.edge) });
 * await actuator.warm(decision); // { edge, outcome: "warmed", state: "active" }
 * ```
 */
export class LifecycleWarmingActuator implements WarmingActuator {
  private readonly lifecycle: EdgeLifecycle;
  private readonly prepare: (decision: WarmingDecision, signal: AbortSignal | undefined) => Promise<void>;
  /** Edges being warmed now, so concurrent decisions for one edge share one warm-up. */
  private readonly inProgress = new Map<string, Promise<WarmOutcome>>();

  constructor(options: LifecycleWarmingActuatorOptions) {
    this.lifecycle = options.lifecycle;
    const clock = options.clock;
    const warmupMs = options.warmupMs ?? 0;
    this.prepare = options.prepare ?? ((_decision, signal) => (warmupMs > 0 ? sleep(clock, warmupMs, signal) : Promise.resolve()));
  }

  async warm(decision: WarmingDecision, options: { signal?: AbortSignal } = {}): Promise<WarmOutcome> {
    const running = this.inProgress.get(decision.edge);
    if (running !== undefined) return running;
    const attempt = this.attempt(decision, options.signal).finally(() => this.inProgress.delete(decision.edge));
    this.inProgress.set(decision.edge, attempt);
    return attempt;
  }

  private async attempt(decision: WarmingDecision, signal: AbortSignal | undefined): Promise<WarmOutcome> {
    const edge = decision.edge;
    if (signal?.aborted) throw new CancelledError("warming cancelled", { cause: signal.reason });
    if (!this.lifecycle.has(edge)) this.lifecycle.add(edge);
    const state = this.lifecycle.get(edge).state;
    if (state === "active") return { edge, outcome: "already_active", state };
    if (state === "warming") return { edge, outcome: "already_warming", state };
    if (state === "draining" || state === "terminated") return { edge, outcome: "failed", state, reason: `edge is ${state}` };
    if (state === "failed" && !this.lifecycle.can(edge, { type: "RECOVER" })) {
      return { edge, outcome: "failed", state, reason: "edge is failed and out of recovery attempts" };
    }
    this.lifecycle.transition(edge, { type: state === "failed" ? "RECOVER" : "WARM" });
    try {
      await this.prepare(decision, signal);
    } catch (error) {
      const reason = signal?.aborted ? "warming cancelled" : `warm-up failed: ${errorMessage(error)}`;
      if (this.lifecycle.get(edge).state === "warming") this.lifecycle.transition(edge, { type: "FAIL", reason });
      if (signal?.aborted) throw new CancelledError(reason, { cause: signal.reason });
      return { edge, outcome: "failed", state: this.lifecycle.get(edge).state, reason };
    }
    // The warm-up deadline may have failed the edge meanwhile.
    const now = this.lifecycle.get(edge).state;
    if (now !== "warming") return { edge, outcome: "failed", state: now, reason: `edge left warming (${now}) before the warm-up finished` };
    return { edge, outcome: "warmed", state: this.lifecycle.transition(edge, { type: "READY" }).state };
  }
}
