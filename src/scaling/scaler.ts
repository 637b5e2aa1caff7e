/**
 * {@link ResourceScaler}: per-service scaling on recorded usage, with one strategy (KPA, HPA,
 * predictive, scheduled or hybrid) and a preset, producing {@link ScalingDecision}s that are judged
 * later against actual demand.
 *
 * Hybrid takes the largest of the reactive KPA count, the predictive plan and the schedule's floor, so
 * it never has less than the reactive autoscaler would, and gets capacity ready before forecast demand.
 *
 * @module
 */
import { z } from "zod";
import type { Clock, TimerHandle } from "../core/clock.js";
import { ClosedError, NotFoundError, ValidationError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { serviceKey, type ServiceKey } from "../core/services.js";
import { parseWith } from "../core/validation.js";
import { HoltWintersForecaster } from "../forecast/holt-winters.js";
import { SeasonalNaiveForecaster } from "../forecast/seasonal-naive.js";
import type { SyncForecaster } from "../forecast/types.js";
import { buildDecision, DecisionEvaluator, instancesFor, intervalConfidence } from "./decisions.js";
import { HpaAutoscaler } from "./hpa.js";
import { KpaAutoscaler } from "./kpa.js";
import { PredictivePlanner } from "./predictive.js";
import { SCALING_PRESETS } from "./presets.js";
import { capacityScheduleSchema, ScheduledScaler } from "./scheduled.js";
import { forecastHorizonSchema, HORIZON_MS, scalingPresetSchema, scalingStrategySchema, type DecisionEvaluation, type DemandForecast, type ForecastHorizon, type ScalingDecision, type ScalingStrategy } from "./schemas.js";

/** The key under which nodes find the shared {@link ResourceScaler}. */
export const RESOURCE_SCALER: ServiceKey<ResourceScaler> = serviceKey<ResourceScaler>("scaling.scaler");

/** Settings of a {@link ResourceScaler}. */
export const scalerConfigSchema = z.object({
  strategy: scalingStrategySchema.default("hybrid"),
  preset: scalingPresetSchema.default("balanced"),
  /** Demand (e.g. concurrent requests) one instance is sized for. */
  perInstance: z.number().positive().default(1),
  /** Step of the demand history the forecasts work on. */
  stepMs: z.number().int().positive().default(60_000),
  /** Season length in steps; absent = no seasonality. */
  period: z.number().int().min(2).optional(),
  leadTimeMs: z.number().int().min(0).default(120_000),
  minInstances: z.number().int().min(0).default(0),
  maxInstances: z.number().int().min(1).default(1000),
  pricePerInstanceHour: z.number().min(0).default(0.1),
  currency: z.string().min(1).default("USD"),
  /** Forecasting model for predictive and hybrid. */
  model: z.enum(["seasonal_naive", "holt_winters"]).default("holt_winters"),
  schedules: z.array(capacityScheduleSchema).default([]),
  /** Evaluations learn at this rate (see `DecisionEvaluator`). */
  learningRate: z.number().gt(0).max(1).default(0.1),
});
/** What a caller may pass as scaler settings. */
export type ScalerConfigInput = z.input<typeof scalerConfigSchema>;
/** Resolved scaler settings. */
export type ScalerConfig = z.output<typeof scalerConfigSchema>;

/** Schema of one usage record. */
export const usageRecordSchema = z.object({
  service: z.string().min(1),
  /** Demand now (concurrent requests, requests per second, ...). */
  demand: z.number().finite().min(0),
  /** Instances running, if known. */
  instances: z.number().int().min(0).optional(),
  /** Default: the clock's now. */
  timestamp: z.number().finite().optional(),
});
/** What a caller may pass to {@link ResourceScaler.recordUsage}. */
export type UsageRecordInput = z.input<typeof usageRecordSchema>;

interface ServiceState {
  readonly samples: { time: number; demand: number }[];
  readonly kpa: KpaAutoscaler;
  readonly hpa: HpaAutoscaler;
  readonly planner: PredictivePlanner;
  current: number;
  lastDemand: number;
}

/** Events of the scaler. */
export interface ScalerEvents {
  [event: string]: unknown;
  decision: ScalingDecision;
}

/**
 * @example
 * ```ts
 * const scaler = new ResourceScaler({ strategy: "hybrid", perInstance: 10, stepMs: 60_000, period: 1440 }, { clock });
 * scaler.recordUsage({ service: "api", demand: 42, instances: 4 });
 * const decision = scaler.predictScaling("api");   // target, urgency, confidence, cost, risk, approval
 * scaler.evaluateDecision(decision.id, 55);         // later: how it fared; adapts the threshold
 * ```
 */
export class ResourceScaler {
  readonly config: ScalerConfig;
  private readonly clock: Clock;
  private readonly services = new Map<string, ServiceState>();
  private readonly decisions = new Map<string, ScalingDecision>();
  private readonly evaluator: DecisionEvaluator;
  private readonly scheduled: ScheduledScaler;
  private readonly events = new TypedEmitter<ScalerEvents>();
  private readonly forecasterFactory: () => SyncForecaster;
  private timer: TimerHandle | undefined;
  private nextId = 1;
  private closed = false;

  constructor(config: ScalerConfigInput, options: { readonly clock: Clock; readonly forecaster?: () => SyncForecaster }) {
    this.config = parseWith(scalerConfigSchema, config, "config");
    if (this.config.maxInstances < this.config.minInstances) throw ValidationError.of("config.maxInstances", "maxInstances must be >= minInstances");
    this.clock = options.clock;
    this.scheduled = new ScheduledScaler(this.config.schedules);
    const preset = SCALING_PRESETS[this.config.preset];
    this.evaluator = new DecisionEvaluator({ initialThreshold: preset.confidenceThreshold, learningRate: this.config.learningRate, overTolerance: 0.25, minThreshold: 0.05, maxThreshold: 0.95 });
    this.forecasterFactory = options.forecaster ?? (() => (this.config.model === "holt_winters" ? new HoltWintersForecaster() : new SeasonalNaiveForecaster()));
  }

  /** Subscribes to decisions made by the periodic scaler. */
  on(event: "decision", listener: (decision: ScalingDecision) => void): () => void {
    this.events.on(event, listener);
    return () => {
      this.events.off(event, listener);
    };
  }

  /** Records one usage sample of a service. */
  recordUsage(record: UsageRecordInput): void {
    this.assertOpen();
    const r = parseWith(usageRecordSchema, record, "record");
    const time = r.timestamp ?? this.clock.now();
    const state = this.state(r.service);
    const lastTime = state.samples[state.samples.length - 1]?.time;
    if (lastTime !== undefined && time < lastTime) throw ValidationError.of("record.timestamp", `samples must come in time order (${time} < ${lastTime})`);
    state.samples.push({ time, demand: r.demand });
    const keep = (this.config.period ?? 1) * 3 + 5000;
    if (state.samples.length > keep * 4) state.samples.splice(0, state.samples.length - keep * 4);
    state.kpa.observe(time, r.demand);
    state.lastDemand = r.demand;
    if (r.instances !== undefined) state.current = r.instances;
  }

  /** Services with recorded usage. */
  serviceNames(): string[] {
    return [...this.services.keys()];
  }

  /** Decides the instance count of `service` now, with the configured (or given) strategy. */
  predictScaling(service: string, options: { readonly strategy?: ScalingStrategy; readonly current?: number } = {}): ScalingDecision {
    this.assertOpen();
    const state = this.services.get(service);
    if (state === undefined) throw new NotFoundError("service", service, `no usage recorded for service "${service}"`);
    const strategy = options.strategy === undefined ? this.config.strategy : parseWith(scalingStrategySchema, options.strategy, "strategy");
    if (options.current !== undefined) {
      if (!Number.isInteger(options.current) || options.current < 0) throw ValidationError.of("current", "current must be an integer >= 0");
      state.current = options.current;
    }
    const now = this.clock.now();
    const c = this.config;
    const preset = SCALING_PRESETS[c.preset];
    const observed = state.lastDemand;
    const reasons: string[] = [];
    let target = 0;
    let confidence = 1;
    let forecast: { mean: number; lower: number; upper: number } | undefined;
    let effectiveAt = now;
    const reactiveKpa = (): number => {
      const r = state.kpa.scale(now, state.current);
      reasons.push(`KPA: ${r.reason}`);
      return r.desired;
    };
    const predictive = (): number => {
      const plan = state.planner.plan(this.history(state, now), observed, c.perInstance, this.evaluator.threshold(strategy));
      reasons.push(`predictive: ${plan.reason}`);
      if (plan.applied) {
        confidence = plan.confidence;
        forecast = plan.forecast;
        effectiveAt = now + c.leadTimeMs;
      }
      return plan.target;
    };
    const bounds = this.scheduled.boundsAt(now);
    switch (strategy) {
      case "kpa":
        target = reactiveKpa();
        break;
      case "hpa": {
        const pods = Array.from({ length: state.current }, () => ({ ready: true, value: state.current > 0 ? observed / state.current : 0 }));
        const r = state.hpa.recommend(now, Math.max(state.current, observed > 0 ? 1 : 0), { demand: { pods } });
        reasons.push(`HPA: ${r.reason}`);
        target = r.desired;
        break;
      }
      case "predictive":
        target = predictive();
        break;
      case "scheduled":
        target = Math.max(bounds.minInstances, instancesFor(observed, c.perInstance));
        reasons.push(bounds.active.length > 0 ? `schedule ${bounds.active.join(", ")} holds at least ${bounds.minInstances}` : "no schedule active; sized on observed demand");
        break;
      case "hybrid": {
        const k = reactiveKpa();
        const p = predictive();
        target = Math.max(k, p, bounds.minInstances);
        reasons.push(`hybrid takes the largest of KPA ${k}, predictive ${p} and schedule floor ${bounds.minInstances}`);
        break;
      }
    }
    if (strategy !== "scheduled" && bounds.minInstances > target) {
      target = bounds.minInstances;
      reasons.push(`raised to the schedule floor ${bounds.minInstances}`);
    }
    if (bounds.maxInstances !== undefined && target > bounds.maxInstances) target = bounds.maxInstances;
    target = Math.min(c.maxInstances, Math.max(c.minInstances, target));
    const decision = buildDecision({
      id: `${service}-d${this.nextId++}`,
      service,
      strategy,
      now,
      current: state.current,
      target,
      effectiveAt,
      confidence,
      reason: reasons.join("; "),
      observed,
      ...(forecast === undefined ? {} : { forecast }),
      perInstance: c.perInstance,
      pricePerInstanceHour: c.pricePerInstanceHour,
      currency: c.currency,
      confidenceThreshold: this.evaluator.threshold(strategy),
      approvalStep: preset.approvalStep,
    });
    this.decisions.set(decision.id, decision);
    if (this.decisions.size > 10_000) {
      const oldest = this.decisions.keys().next().value;
      if (oldest !== undefined) this.decisions.delete(oldest);
    }
    return decision;
  }

  /** Marks a decision as carried out: the service now runs its target. */
  apply(decisionId: string): ScalingDecision {
    const decision = this.decision(decisionId);
    this.state(decision.service).current = decision.target;
    return decision;
  }

  /** A past decision. */
  decision(decisionId: string): ScalingDecision {
    const decision = this.decisions.get(decisionId);
    if (decision === undefined) throw new NotFoundError("decision", decisionId);
    return decision;
  }

  /** Forecast of `service`'s demand over a named horizon (5 min, 15 min, 1 h, 24 h). */
  forecast(service: string, horizon: ForecastHorizon): DemandForecast {
    this.assertOpen();
    const h = parseWith(forecastHorizonSchema, horizon, "horizon");
    const state = this.services.get(service);
    if (state === undefined) throw new NotFoundError("service", service, `no usage recorded for service "${service}"`);
    const now = this.clock.now();
    const history = this.history(state, now);
    const steps = Math.max(1, Math.ceil(HORIZON_MS[h] / this.config.stepMs));
    const start = (Math.floor(now / this.config.stepMs) + 1) * this.config.stepMs;
    const f = state.planner.forecast(history, steps);
    if (f === undefined) {
      throw new ValidationError([{ path: "service", code: "insufficient_history", message: `service "${service}" has ${history.length} steps of history; forecasting needs ${state.planner.minHistory}` }]);
    }
    const confidences = f.mean.map((m, i) => intervalConfidence(m, f.lower[i] ?? m, f.upper[i] ?? m));
    return {
      service,
      horizon: h,
      horizonMs: HORIZON_MS[h],
      stepMs: this.config.stepMs,
      start,
      mean: [...f.mean],
      lower: [...f.lower],
      upper: [...f.upper],
      level: f.level,
      model: f.model,
      confidence: confidences.reduce((a, b) => a + b, 0) / Math.max(1, confidences.length),
      peakInstances: instancesFor(Math.max(0, ...f.upper), this.config.perInstance),
    };
  }

  /** Judges a decision against the demand that came, adapting the strategy's confidence threshold. */
  evaluateDecision(decisionId: string, actualDemand: number): DecisionEvaluation {
    this.assertOpen();
    return this.evaluator.evaluate(this.decision(decisionId), actualDemand);
  }

  /** Current confidence threshold of a strategy (moved by evaluations). */
  confidenceThreshold(strategy: ScalingStrategy): number {
    return this.evaluator.threshold(strategy);
  }

  /** Decides for every service every `intervalMs` on the clock, emitting `decision` events. */
  start(intervalMs: number): void {
    this.assertOpen();
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw ValidationError.of("intervalMs", "intervalMs must be > 0");
    this.stop();
    const tick = (): void => {
      this.timer = this.clock.setTimer(intervalMs, tick);
      for (const service of this.services.keys()) this.events.emit("decision", this.predictScaling(service));
    };
    this.timer = this.clock.setTimer(intervalMs, tick);
  }

  /** Whether the periodic scaler runs. */
  isRunning(): boolean {
    return this.timer !== undefined;
  }

  /** Stops the periodic scaler. */
  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.stop();
    this.closed = true;
    this.events.removeAllListeners();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Mean demand per complete step, gaps carried forward from the previous step. */
  private history(state: ServiceState, now: number): number[] {
    const step = this.config.stepMs;
    const samples = state.samples;
    const first = samples[0];
    if (first === undefined) return [];
    const firstStep = Math.floor(first.time / step);
    const lastStep = Math.floor(now / step) - 1;
    if (lastStep < firstStep) return [];
    const sums = new Float64Array(lastStep - firstStep + 1);
    const counts = new Uint32Array(lastStep - firstStep + 1);
    for (const s of samples) {
      const k = Math.floor(s.time / step) - firstStep;
      if (k < 0 || k >= sums.length) continue;
      sums[k] = (sums[k] ?? 0) + s.demand;
      counts[k] = (counts[k] ?? 0) + 1;
    }
    const out: number[] = [];
    let carry = 0;
    for (let k = 0; k < sums.length; k++) {
      const n = counts[k] ?? 0;
      carry = n > 0 ? (sums[k] ?? 0) / n : carry;
      out.push(carry);
    }
    return out;
  }

  private state(service: string): ServiceState {
    let state = this.services.get(service);
    if (state === undefined) {
      const c = this.config;
      const preset = SCALING_PRESETS[c.preset];
      state = {
        samples: [],
        kpa: new KpaAutoscaler({
          targetConcurrency: c.perInstance / preset.targetUtilization,
          targetUtilization: preset.targetUtilization,
          scaleDownDelayMs: preset.scaleDownDelayMs,
          minScale: c.minInstances,
          maxScale: c.maxInstances,
        }),
        hpa: new HpaAutoscaler({ minReplicas: Math.max(1, c.minInstances), maxReplicas: c.maxInstances, metrics: [{ name: "demand", target: { type: "AverageValue", averageValue: c.perInstance } }] }),
        planner: new PredictivePlanner(
          { stepMs: c.stepMs, period: c.period, leadTimeMs: c.leadTimeMs, windowMs: c.stepMs, buffer: preset.buffer, bound: preset.bound, level: preset.level, confidenceThreshold: preset.confidenceThreshold },
          this.forecasterFactory(),
        ),
        current: c.minInstances,
        lastDemand: 0,
      };
      this.services.set(service, state);
    }
    return state;
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError("resource scaler");
  }
}
