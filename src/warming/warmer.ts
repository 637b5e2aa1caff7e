/**
 * The predictive warmer: records usage, predicts which edges need warm capacity within a horizon with
 * one of several strategies (or their adaptive hybrid), carries decisions out through a
 * {@link WarmingActuator}, and scores its past predictions against the usage that followed (precision,
 * recall, F1), feeding the scores back into the hybrid's weights.
 *
 * @module
 */
import { freeze } from "immer";
import { z } from "zod";
import type { Clock, TimerHandle } from "../core/clock.js";
import { ClosedError, errorMessage } from "../core/errors.js";
import type { Random } from "../core/random.js";
import { parseWith } from "../core/validation.js";
import type { SyncForecaster } from "../forecast/types.js";
import { EdgeLifecycle } from "../lifecycle/lifecycle.js";
import { LifecycleWarmingActuator, type WarmingActuator } from "./actuator.js";
import { idleTimePolicyOptionsSchema, type IdleTimePolicyOptions } from "./idle-histogram.js";
import { STRATEGY_FUNCTIONS, workloadResources, type Candidate, type StrategyInput } from "./strategies.js";
import {
  BASE_STRATEGIES,
  WARMING_STRATEGIES,
  edgeSiteSchema,
  usageRecordSchema,
  type BaseStrategy,
  type ClassificationScores,
  type EdgeSite,
  type UsageRecordInput,
  type WarmOutcome,
  type WarmerMetrics,
  type WarmingDecision,
  type WarmingEvaluation,
  type WarmingStrategy,
} from "./types.js";
import { UsageStore } from "./usage-store.js";

/** Settings of {@link PredictiveWarmer}. */
export interface PredictiveWarmerOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** Carries decisions out; default a {@link LifecycleWarmingActuator} on `lifecycle`. */
  readonly actuator?: WarmingActuator;
  /** Lifecycle engine of the default actuator (default: a new one on `clock`). */
  readonly lifecycle?: EdgeLifecycle;
  /** Default strategy of {@link PredictiveWarmer.predict} (default `"hybrid"`). */
  readonly strategy?: WarmingStrategy;
  /** Default horizon, ms (default 10 minutes). */
  readonly horizonMs?: number;
  /** Bucket of the time-series strategy, ms (default 5 minutes). */
  readonly bucketMs?: number;
  /** Season of the time-series strategy, ms (default one day). */
  readonly seasonMs?: number;
  /** What "recent" means for the workload and geographic strategies, ms (default 30 minutes). */
  readonly recentMs?: number;
  /** How long use times are kept, ms (default 14 days). */
  readonly retentionMs?: number;
  /** Decisions need at least this confidence (default 0.5). */
  readonly threshold?: number;
  /** How far one evaluation moves the hybrid weights toward the strategies' F1 (default 0.3). */
  readonly learningRate?: number;
  /** Hybrid weights never drop below this, so a strategy can recover (default 0.05). */
  readonly minWeight?: number;
  /** Starting hybrid weights (default 1 each). */
  readonly weights?: Partial<Record<BaseStrategy, number>>;
  /** Settings of the idle-time histogram policy. */
  readonly idleTime?: IdleTimePolicyOptions;
  /** Forecaster of the time-series strategy, given the number of buckets of history. */
  readonly forecaster?: (buckets: number) => SyncForecaster;
  /** Known edge locations for the geographic strategy. */
  readonly sites?: readonly EdgeSite[];
}

const positive = z.number().finite().positive();
const optionsSchema = z.object({
  strategy: z.enum(WARMING_STRATEGIES).optional(),
  horizonMs: positive.optional(),
  bucketMs: positive.optional(),
  seasonMs: positive.optional(),
  recentMs: positive.optional(),
  retentionMs: positive.optional(),
  threshold: z.number().min(0).max(1).optional(),
  learningRate: z.number().min(0).max(1).optional(),
  minWeight: z.number().min(0).max(1).optional(),
  weights: z.record(z.enum(BASE_STRATEGIES), z.number().min(0)).optional(),
  idleTime: idleTimePolicyOptionsSchema.optional(),
  sites: z.array(edgeSiteSchema).optional(),
});

/** Options of {@link PredictiveWarmer.predict}. */
export const predictOptionsSchema = z.object({ horizonMs: positive.optional(), strategy: z.enum(WARMING_STRATEGIES).optional() });

/** Options of {@link PredictiveWarmer.startAuto}. */
export const autoOptionsSchema = z.object({
  intervalMs: positive,
  horizonMs: positive.optional(),
  strategy: z.enum(WARMING_STRATEGIES).optional(),
  /** Carry decisions out through the actuator (default true). */
  warm: z.boolean().optional(),
});

/** Options of {@link PredictiveWarmer.startAuto}. */
export type AutoWarmingOptions = z.input<typeof autoOptionsSchema>;

interface Round {
  readonly madeAt: number;
  readonly end: number;
  readonly returned: ReadonlySet<string>;
  readonly byStrategy: ReadonlyMap<WarmingStrategy, ReadonlySet<string>>;
}

interface Tally {
  tp: number;
  fp: number;
  fn: number;
}

function scores(t: Tally): ClassificationScores {
  const precision = t.tp + t.fp === 0 ? 0 : t.tp / (t.tp + t.fp);
  const recall = t.tp + t.fn === 0 ? 0 : t.tp / (t.tp + t.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives: t.tp, falsePositives: t.fp, falseNegatives: t.fn, precision, recall, f1 };
}

const MAX_PENDING_ROUNDS = 10_000;

/**
 * Predicts where warm capacity will be needed and warms it.
 *
 * @example
 * ```ts
 * const warmer = new PredictiveWarmer({ clock, random: new Random(1) });
 * warmer.recordUsage({ edge: "edge-1", workloadType: "api", timestamp: clock.now(), resources: { cpu: 1 } });
 * const decisions = warmer.predict({ horizonMs: 600_000 });
 * await warmer.warm(decisions);       // edge-1: warming → active through the lifecycle engine
 * clock.advance(600_000);
 * warmer.evaluate();                  // precision / recall / F1; hybrid weights adapt
 * ```
 */
export class PredictiveWarmer {
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly actuator: WarmingActuator;
  private readonly settings: Omit<Required<z.output<typeof optionsSchema>>, "weights" | "sites" | "idleTime">;
  private readonly idleTime: IdleTimePolicyOptions;
  private readonly forecaster: ((buckets: number) => SyncForecaster) | undefined;
  private readonly store: UsageStore;
  private readonly sites = new Map<string, EdgeSite>();
  private readonly currentWeights: Record<BaseStrategy, number>;
  private rounds: Round[] = [];
  private predictions = 0;
  private decisionsMade = 0;
  private warmed = 0;
  private warmFailures = 0;
  private lastEvaluation: WarmingEvaluation | null = null;
  private autoTimer: TimerHandle | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(options: PredictiveWarmerOptions) {
    const o = parseWith(optionsSchema, options, "options");
    this.clock = options.clock;
    this.random = options.random;
    this.settings = {
      strategy: o.strategy ?? "hybrid",
      horizonMs: o.horizonMs ?? 600_000,
      bucketMs: o.bucketMs ?? 300_000,
      seasonMs: o.seasonMs ?? 86_400_000,
      recentMs: o.recentMs ?? 1_800_000,
      retentionMs: o.retentionMs ?? 14 * 86_400_000,
      threshold: o.threshold ?? 0.5,
      learningRate: o.learningRate ?? 0.3,
      minWeight: o.minWeight ?? 0.05,
    };
    this.idleTime = o.idleTime ?? {};
    this.forecaster = options.forecaster;
    this.currentWeights = { time_series: 1, geographic: 1, user_behavior: 1, workload: 1, idle_time: 1, ...o.weights };
    for (const site of o.sites ?? []) this.sites.set(site.id, site);
    this.store = new UsageStore({ retentionMs: this.settings.retentionMs, recentPerEdge: 200, maxIdleTimes: 1000, maxLocated: 5000 });
    this.actuator = options.actuator ?? new LifecycleWarmingActuator({ lifecycle: options.lifecycle ?? new EdgeLifecycle({ clock: this.clock }), clock: this.clock });
  }

  /** Current hybrid weights. */
  get weights(): Readonly<Record<BaseStrategy, number>> {
    return freeze({ ...this.currentWeights });
  }

  /** Records usage; every record is validated before any is stored. Returns how many were recorded. */
  recordUsage(usage: UsageRecordInput | readonly UsageRecordInput[]): number {
    this.ensureOpen();
    const list = Array.isArray(usage) ? usage : [usage as UsageRecordInput];
    const parsed = parseWith(z.array(usageRecordSchema), list, "usage");
    for (const record of parsed) this.store.add(record);
    return parsed.length;
  }

  /** Registers (or moves) an edge's location for the geographic strategy. */
  registerSite(site: EdgeSite): void {
    this.ensureOpen();
    const parsed = parseWith(edgeSiteSchema, site, "site");
    this.sites.set(parsed.id, parsed);
  }

  /**
   * Which edges need warm capacity within the horizon, most confident first. The round is kept for
   * {@link PredictiveWarmer.evaluate}.
   */
  predict(options: { horizonMs?: number; strategy?: WarmingStrategy } = {}): readonly WarmingDecision[] {
    this.ensureOpen();
    const o = parseWith(predictOptionsSchema, options, "options");
    const now = this.clock.now();
    const horizonMs = o.horizonMs ?? this.settings.horizonMs;
    const strategy = o.strategy ?? this.settings.strategy;
    this.store.prune(now);
    const input: StrategyInput = {
      store: this.store,
      now,
      horizonMs,
      bucketMs: this.settings.bucketMs,
      seasonBuckets: Math.max(1, Math.round(this.settings.seasonMs / this.settings.bucketMs)),
      recentMs: this.settings.recentMs,
      sites: this.sites,
      random: this.random,
      idleTime: this.idleTime,
      ...(this.forecaster === undefined ? {} : { forecaster: this.forecaster }),
    };
    const byStrategy = new Map<BaseStrategy, Candidate[]>();
    for (const name of BASE_STRATEGIES) byStrategy.set(name, STRATEGY_FUNCTIONS[name](input));
    const hybrid = this.combine(byStrategy);
    const chosen = strategy === "hybrid" ? hybrid : (byStrategy.get(strategy) ?? []);
    const decisions = chosen
      .filter((c) => c.confidence >= this.settings.threshold)
      .sort((a, b) => b.confidence - a.confidence || (a.edge < b.edge ? -1 : a.edge > b.edge ? 1 : 0))
      .map((c): WarmingDecision => ({ edge: c.edge, confidence: Math.min(1, Math.max(0, c.confidence)), at: c.at, resources: workloadResources(this.store, c.edge), strategy, reasons: [...c.reasons] }));
    const above = (list: readonly Candidate[]): Set<string> => new Set(list.filter((c) => c.confidence >= this.settings.threshold).map((c) => c.edge));
    const sets = new Map<WarmingStrategy, ReadonlySet<string>>([...[...byStrategy].map(([name, list]) => [name, above(list)] as const), ["hybrid", above(hybrid)]]);
    this.rounds.push({ madeAt: now, end: now + horizonMs, returned: new Set(decisions.map((d) => d.edge)), byStrategy: sets });
    if (this.rounds.length > MAX_PENDING_ROUNDS) this.rounds.shift();
    this.predictions++;
    this.decisionsMade += decisions.length;
    return freeze(decisions, true);
  }

  /** Carries decisions out through the actuator, one edge at a time, in order. */
  async warm(decisions: readonly WarmingDecision[], options: { signal?: AbortSignal } = {}): Promise<readonly WarmOutcome[]> {
    this.ensureOpen();
    const out: WarmOutcome[] = [];
    for (const decision of decisions) {
      options.signal?.throwIfAborted();
      let outcome: WarmOutcome;
      try {
        outcome = await this.actuator.warm(decision, options.signal === undefined ? {} : { signal: options.signal });
      } catch (error) {
        if (options.signal?.aborted) throw error;
        outcome = { edge: decision.edge, outcome: "failed", state: "unknown", reason: errorMessage(error) };
      }
      if (outcome.outcome === "warmed") this.warmed++;
      if (outcome.outcome === "failed") this.warmFailures++;
      out.push(outcome);
    }
    return freeze(out, true);
  }

  /**
   * Scores every prediction round whose horizon has passed against the edges actually used in it,
   * then moves each strategy's hybrid weight toward its F1.
   */
  evaluate(): WarmingEvaluation {
    this.ensureOpen();
    const now = this.clock.now();
    const due = this.rounds.filter((r) => r.end <= now);
    this.rounds = this.rounds.filter((r) => r.end > now);
    const overall: Tally = { tp: 0, fp: 0, fn: 0 };
    const tallies = new Map<WarmingStrategy, Tally>(WARMING_STRATEGIES.map((s) => [s, { tp: 0, fp: 0, fn: 0 }]));
    const count = (t: Tally, predicted: ReadonlySet<string>, actual: ReadonlySet<string>): void => {
      for (const e of predicted) if (actual.has(e)) t.tp++;
      else t.fp++;
      for (const e of actual) if (!predicted.has(e)) t.fn++;
    };
    for (const round of due) {
      const actual = new Set(this.store.edgesUsedBetween(round.madeAt, round.end));
      count(overall, round.returned, actual);
      for (const [name, predicted] of round.byStrategy) {
        const t = tallies.get(name);
        if (t !== undefined) count(t, predicted, actual);
      }
    }
    const byStrategy = Object.fromEntries(WARMING_STRATEGIES.map((s) => [s, scores(tallies.get(s) ?? { tp: 0, fp: 0, fn: 0 })])) as Record<WarmingStrategy, ClassificationScores>;
    const rate = this.settings.learningRate;
    for (const s of BASE_STRATEGIES) {
      const t = tallies.get(s);
      if (t === undefined || t.tp + t.fp + t.fn === 0) continue;
      this.currentWeights[s] = Math.max(this.settings.minWeight, (1 - rate) * this.currentWeights[s] + rate * byStrategy[s].f1);
    }
    const evaluation: WarmingEvaluation = { rounds: due.length, overall: scores(overall), byStrategy, weights: { ...this.currentWeights } };
    if (due.length > 0) this.lastEvaluation = evaluation;
    return freeze(evaluation, true);
  }

  /** Counters, weights and the last evaluation. */
  metrics(): WarmerMetrics {
    return freeze(
      {
        records: this.store.records,
        edges: this.store.edges.size,
        users: this.store.users.size,
        predictions: this.predictions,
        decisions: this.decisionsMade,
        warmed: this.warmed,
        warmFailures: this.warmFailures,
        pendingEvaluations: this.rounds.length,
        weights: { ...this.currentWeights },
        lastEvaluation: this.lastEvaluation,
        autoRunning: this.autoTimer !== undefined,
      },
      true,
    );
  }

  /**
   * Every `intervalMs` on the clock: predict, warm (unless `warm: false`) and evaluate. Replaces a
   * running loop.
   */
  startAuto(options: AutoWarmingOptions): void {
    this.ensureOpen();
    const o = parseWith(autoOptionsSchema, options, "options");
    this.stopAuto();
    const tick = (): void => {
      this.autoTimer = this.clock.setTimer(o.intervalMs, tick);
      const decisions = this.predict({ ...(o.horizonMs === undefined ? {} : { horizonMs: o.horizonMs }), ...(o.strategy === undefined ? {} : { strategy: o.strategy }) });
      if (o.warm !== false && decisions.length > 0) {
        const job = this.warm(decisions).catch(() => undefined);
        this.inFlight.add(job);
        void job.finally(() => this.inFlight.delete(job));
      }
      this.evaluate();
    };
    this.autoTimer = this.clock.setTimer(o.intervalMs, tick);
  }

  /** Stops the auto loop; does nothing when it is not running. */
  stopAuto(): void {
    if (this.autoTimer !== undefined) this.clock.clearTimer(this.autoTimer);
    this.autoTimer = undefined;
  }

  /** Stops the auto loop and waits for warm-ups it started. */
  async close(): Promise<void> {
    this.stopAuto();
    this.closed = true;
    await Promise.all([...this.inFlight]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private combine(byStrategy: ReadonlyMap<BaseStrategy, readonly Candidate[]>): Candidate[] {
    const applicable = BASE_STRATEGIES.filter((s) => (byStrategy.get(s)?.length ?? 0) > 0 && this.currentWeights[s] > 0);
    const total = applicable.reduce((sum, s) => sum + this.currentWeights[s], 0);
    if (total === 0) return [];
    const edges = new Set<string>();
    const lookup = new Map<BaseStrategy, Map<string, Candidate>>();
    for (const s of applicable) {
      const byEdge = new Map<string, Candidate>();
      for (const c of byStrategy.get(s) ?? []) {
        edges.add(c.edge);
        byEdge.set(c.edge, c);
      }
      lookup.set(s, byEdge);
    }
    const out: Candidate[] = [];
    for (const edge of [...edges].sort()) {
      let confidence = 0;
      let at = Number.POSITIVE_INFINITY;
      const reasons: string[] = [];
      for (const s of applicable) {
        const c = lookup.get(s)?.get(edge);
        if (c === undefined) continue;
        confidence += (this.currentWeights[s] / total) * c.confidence;
        at = Math.min(at, c.at);
        reasons.push(`${s} (weight ${(this.currentWeights[s] / total).toFixed(2)}, confidence ${c.confidence.toFixed(2)}): ${c.reasons.join("; ")}`);
      }
      out.push({ edge, confidence, at: Number.isFinite(at) ? at : this.clock.now(), reasons });
    }
    return out;
  }

  private ensureOpen(): void {
    if (this.closed) throw new ClosedError("PredictiveWarmer");
  }
}
