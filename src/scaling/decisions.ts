/**
 * Building {@link ScalingDecision}s (urgency, confidence, cost, risk, approval) and judging them
 * afterwards against the demand that actually came, which moves each strategy's confidence threshold.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import type { DecisionEvaluation, ScalingDecision, ScalingStrategy } from "./schemas.js";

/** Confidence from a forecast interval: `mean / (mean + half-width)`; 1 when both are zero. */
export function intervalConfidence(mean: number, lower: number, upper: number): number {
  const m = Math.max(0, mean);
  const half = Math.max(0, (upper - lower) / 2);
  if (m + half === 0) return 1; // a certain forecast of zero demand
  return m / (m + half);
}

/** Instances needed for `demand` at `perInstance` each; zero demand needs zero. */
export function instancesFor(demand: number, perInstance: number): number {
  if (!(perInstance > 0)) throw ValidationError.of("perInstance", `must be > 0, got ${String(perInstance)}`);
  return demand <= 0 ? 0 : Math.ceil(demand / perInstance - 1e-9);
}

/** What {@link buildDecision} needs. */
export interface DecisionInput {
  readonly id: string;
  readonly service: string;
  readonly strategy: ScalingStrategy;
  readonly now: number;
  readonly current: number;
  readonly target: number;
  readonly effectiveAt: number;
  readonly confidence: number;
  readonly reason: string;
  readonly observed: number;
  readonly forecast?: { readonly mean: number; readonly lower: number; readonly upper: number };
  readonly perInstance: number;
  readonly pricePerInstanceHour: number;
  readonly currency: string;
  /** Below this confidence, the decision needs approval. */
  readonly confidenceThreshold: number;
  /** A change of more than this many instances needs approval. */
  readonly approvalStep: number;
}

/** Assembles a decision, deriving urgency, risk, cost and whether a person must approve it. */
export function buildDecision(input: DecisionInput): ScalingDecision {
  const { current, target, perInstance } = input;
  const direction = target > current ? "up" : target < current ? "down" : "hold";
  const peak = Math.max(input.observed, input.forecast?.upper ?? 0);
  const currentCapacity = current * perInstance;
  // Load against what is running now; no capacity with demand is the most urgent case of all.
  const pressure = currentCapacity > 0 ? input.observed / currentCapacity : input.observed > 0 ? Number.POSITIVE_INFINITY : 0;
  const urgency: ScalingDecision["urgency"] =
    direction !== "up" ? "low" : pressure >= 1.5 ? "critical" : pressure >= 1 ? "high" : pressure >= 0.8 ? "medium" : "low";
  const reasons: string[] = [];
  if (target * perInstance < peak) reasons.push(`target capacity ${target * perInstance} is below the peak demand ${round(peak)} (observed or forecast upper bound)`);
  if (input.confidence < input.confidenceThreshold) reasons.push(`confidence ${round(input.confidence)} is below the threshold ${round(input.confidenceThreshold)}`);
  const change = Math.abs(target - current);
  if (change > input.approvalStep) reasons.push(`changes ${change} instances at once (more than ${input.approvalStep})`);
  if (direction === "down" && target === 0) reasons.push("scales to zero: the next request waits for a cold start");
  const level: ScalingDecision["risk"]["level"] =
    reasons.length === 0 ? "low" : direction === "down" && target * perInstance < peak ? "high" : reasons.length >= 2 ? "high" : "medium";
  const requiresApproval = level === "high" || change > input.approvalStep || (input.forecast !== undefined && input.confidence < input.confidenceThreshold);
  const delta = target - current;
  return {
    id: input.id,
    service: input.service,
    strategy: input.strategy,
    createdAt: input.now,
    current,
    target,
    direction,
    effectiveAt: input.effectiveAt,
    urgency,
    confidence: clamp01(input.confidence),
    costEstimate: { instanceDelta: delta, hourlyDelta: delta * input.pricePerInstanceHour, hourlyTotal: target * input.pricePerInstanceHour, currency: input.currency },
    risk: { level, reasons },
    requiresApproval,
    reason: input.reason,
    demand: input.forecast === undefined ? { observed: input.observed } : { observed: input.observed, forecast: input.forecast.mean, lower: input.forecast.lower, upper: input.forecast.upper },
    perInstance,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/** Settings of the {@link DecisionEvaluator}. */
export interface EvaluatorSettings {
  /** Starting confidence threshold per strategy. */
  readonly initialThreshold: number;
  /** How far one outcome moves the threshold (fraction of the distance to the bound). */
  readonly learningRate: number;
  /** Over-provisioning beyond this share of the need counts as a miss. */
  readonly overTolerance: number;
  readonly minThreshold: number;
  readonly maxThreshold: number;
}

/**
 * Judges decisions against actual demand and adapts each strategy's confidence threshold: a wrong
 * decision that was confident enough to act raises the bar, a right one lowers it a little.
 */
export class DecisionEvaluator {
  private readonly thresholds = new Map<ScalingStrategy, number>();
  private readonly tallies = new Map<ScalingStrategy, { correct: number; total: number }>();

  constructor(private readonly settings: EvaluatorSettings) {}

  /** The current threshold of `strategy`. */
  threshold(strategy: ScalingStrategy): number {
    return this.thresholds.get(strategy) ?? this.settings.initialThreshold;
  }

  /** Scores `decision` against the demand that came. */
  evaluate(decision: ScalingDecision, actualDemand: number): DecisionEvaluation {
    if (!Number.isFinite(actualDemand) || actualDemand < 0) throw ValidationError.of("actualDemand", `must be a finite number >= 0, got ${String(actualDemand)}`);
    const needed = instancesFor(actualDemand, decision.perInstance);
    const outcome: DecisionEvaluation["outcome"] =
      decision.target < needed ? "under_provisioned" : decision.target > Math.ceil(needed * (1 + this.settings.overTolerance)) + (needed === 0 ? 0 : 1) ? "over_provisioned" : "correct";
    const before = this.threshold(decision.strategy);
    const s = this.settings;
    let after = before;
    if (decision.confidence >= before && outcome !== "correct") after = before + s.learningRate * (s.maxThreshold - before);
    else if (outcome === "correct") after = before - (s.learningRate / 2) * (before - s.minThreshold);
    this.thresholds.set(decision.strategy, after);
    const tally = this.tallies.get(decision.strategy) ?? { correct: 0, total: 0 };
    tally.total += 1;
    if (outcome === "correct") tally.correct += 1;
    this.tallies.set(decision.strategy, tally);
    return {
      decisionId: decision.id,
      strategy: decision.strategy,
      actualDemand,
      needed,
      target: decision.target,
      outcome,
      thresholdBefore: before,
      thresholdAfter: after,
      accuracy: tally.correct / tally.total,
      evaluated: tally.total,
    };
  }
}
