/**
 * {@link MigrationPlanner}: validates a migration request against the platform (capacity, compliance,
 * time window) and estimates it with the pre-copy model, recommending a strategy when the requested
 * one cannot meet the downtime budget.
 *
 * @module
 */
import { freeze } from "immer";
import type { Clock } from "../core/clock.js";
import { ValidationError, type ValidationIssue } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import type { WorkloadAdapter } from "./adapter.js";
import type { CapacityChecker, ComplianceChecker } from "./checks.js";
import { ComplianceViolationError, InsufficientCapacityError, OutsideWindowError } from "./errors.js";
import { estimateStrategies, recommendStrategy, type SizedWorkload } from "./estimates.js";
import { predictPreCopy } from "./precopy.js";
import { DEFAULT_MIGRATION_OPTIONS, migrationRequestSchema, type MigrationRequestInput } from "./schemas.js";
import type { MigrationOptions, MigrationPlan, MigrationRequest, PreCopyEstimate } from "./types.js";

/** What the planner consults; each part is optional and its check skipped when absent. */
export interface PlannerDependencies {
  readonly clock: Clock;
  /** Sizes of workloads that do not state them, source health, replicas. */
  readonly adapter?: WorkloadAdapter;
  readonly capacity?: CapacityChecker;
  readonly compliance?: ComplianceChecker;
}

/**
 * @example
 * ```ts
 * const planner = new MigrationPlanner({ clock, adapter, capacity: capacityFromEdges(() => infra.edges()) });
 * const plan = await planner.plan({ source: "edge-a", target: "edge-b", strategy: "live",
 *   workloads: [{ id: "cache", sizeBytes: 2 ** 30, dirtyRateBytesPerSec: 20e6 }] });
 * plan.estimate.downtimeMs; plan.recommendation; // null when "live" meets the budget
 * ```
 */
export class MigrationPlanner {
  private readonly deps: PlannerDependencies;

  constructor(deps: PlannerDependencies) {
    this.deps = deps;
  }

  /**
   * Validates and estimates. Throws {@link ValidationError} for malformed input (every problem, with
   * its path), {@link InsufficientCapacityError}, {@link ComplianceViolationError} or
   * {@link OutsideWindowError} when the platform refuses it.
   */
  async plan(input: MigrationRequestInput, options: { signal?: AbortSignal } = {}): Promise<MigrationPlan> {
    const parsed = parseWith(migrationRequestSchema, input, "request");
    const opts: MigrationOptions = { ...DEFAULT_MIGRATION_OPTIONS, ...parsed.options };
    const request: MigrationRequest & { options: MigrationOptions } = { ...parsed, workloads: parsed.workloads, options: opts };
    options.signal?.throwIfAborted();
    const warnings: string[] = [];
    const sized = await this.sizes(request, warnings);
    await this.checkCapacity(request);
    await this.checkCompliance(request);
    const replicaLagMs = await this.replicaLag(request);
    const estimates = estimateStrategies(sized, opts, replicaLagMs);
    const estimate = estimates[request.strategy];
    const now = this.deps.clock.now();
    this.checkWindow(request, estimate.durationMs, now);
    let recommendation = recommendStrategy(estimates, request.strategy, opts.downtimeBudgetMs);
    if (request.strategy !== "emergency" && this.deps.adapter !== undefined && !(await this.deps.adapter.healthy(request.source))) {
      warnings.push(`source "${request.source}" is unhealthy: only "emergency" can move its workloads`);
      recommendation = "emergency";
    }
    if (request.strategy === "emergency" && replicaLagMs === null && this.deps.adapter !== undefined && !(await this.deps.adapter.healthy(request.source))) {
      warnings.push("no replica and the source is down: emergency has nothing to restore from");
    }
    if (!estimate.feasible) warnings.push(`strategy "${request.strategy}" cannot finish: ${estimate.notes.join("; ")}`);
    else if (estimate.downtimeMs > opts.downtimeBudgetMs) {
      warnings.push(`estimated downtime ${Math.round(estimate.downtimeMs)} ms exceeds the budget of ${opts.downtimeBudgetMs} ms`);
    }
    const preCopy: Record<string, PreCopyEstimate> = {};
    for (const w of sized) {
      preCopy[w.id] = predictPreCopy({
        sizeBytes: w.sizeBytes,
        dirtyRateBytesPerSec: w.dirtyRateBytesPerSec,
        bandwidthBytesPerSec: opts.bandwidthBytesPerSec,
        stopCopyThresholdBytes: opts.stopCopyThresholdBytes,
        maxRounds: opts.maxRounds,
      });
    }
    const totalBytes = sized.reduce((a, w) => a + w.sizeBytes, 0);
    const alternatives = Object.values(estimates).filter((e) => e.strategy !== request.strategy);
    return freeze({ request, totalBytes, estimate, preCopy, recommendation, alternatives, warnings, plannedAt: now }, true);
  }

  private async sizes(request: MigrationRequest, warnings: string[]): Promise<SizedWorkload[]> {
    const issues: ValidationIssue[] = [];
    const out: SizedWorkload[] = [];
    for (const [i, w] of request.workloads.entries()) {
      let size = w.sizeBytes;
      if (size === undefined && this.deps.adapter !== undefined) {
        try {
          size = await this.deps.adapter.size({ workloadId: w.id, edgeId: request.source });
        } catch (error) {
          warnings.push(`size of "${w.id}" unknown (${error instanceof Error ? error.message : String(error)}); estimated as 0`);
          size = 0;
        }
      }
      if (size === undefined) issues.push({ path: `request.workloads[${i}].sizeBytes`, code: "required", message: "size is required when no adapter can measure it" });
      else out.push({ id: w.id, sizeBytes: size, dirtyRateBytesPerSec: w.dirtyRateBytesPerSec ?? 0 });
    }
    if (issues.length > 0) throw new ValidationError(issues);
    return out;
  }

  private async checkCapacity(request: MigrationRequest): Promise<void> {
    if (this.deps.capacity === undefined) return;
    const needed: Record<string, number> = {};
    for (const w of request.workloads) for (const [r, v] of Object.entries(w.requests ?? {})) needed[r] = (needed[r] ?? 0) + v;
    if (Object.keys(needed).length === 0) return;
    const free = await this.deps.capacity.free(request.target);
    if (free === undefined) throw ValidationError.of("request.target", `edge "${request.target}" is unknown to the resource pools`, "unknown_edge");
    const shortfall: Record<string, { needed: number; available: number }> = {};
    for (const [r, n] of Object.entries(needed)) {
      const available = free[r] ?? 0;
      if (n > available) shortfall[r] = { needed: n, available };
    }
    if (Object.keys(shortfall).length > 0) throw new InsufficientCapacityError(request.target, shortfall);
  }

  private async checkCompliance(request: MigrationRequest): Promise<void> {
    if (this.deps.compliance === undefined) return;
    for (const w of request.workloads) {
      const reasons = await this.deps.compliance.violations(request.target, w);
      if (reasons.length > 0) throw new ComplianceViolationError(request.target, w.id, reasons);
    }
  }

  private async replicaLag(request: MigrationRequest): Promise<number | null> {
    if (this.deps.adapter === undefined) return null;
    let lag: number | null = null;
    for (const w of request.workloads) {
      const freshest = (await this.deps.adapter.replicas(w.id))[0];
      if (freshest === undefined) return null;
      lag = Math.max(lag ?? 0, this.deps.clock.now() - freshest.asOf);
    }
    return lag;
  }

  private checkWindow(request: MigrationRequest, durationMs: number, now: number): void {
    const window = request.window;
    if (window === undefined) return;
    if (now >= window.end) throw new OutsideWindowError(`window ended at ${window.end}; it is now ${now}`);
    const start = Math.max(now, window.start);
    if (start + durationMs > window.end) {
      throw new OutsideWindowError(`estimated duration ${Math.round(durationMs)} ms does not fit the window [${window.start}, ${window.end}] starting at ${start}`);
    }
  }
}
