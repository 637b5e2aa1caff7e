/**
 * {@link ResourceAnalyzer}: reads recorded resource metrics for patterns (periodic by
 * autocorrelation, spikes, growth, imbalance across edges), bottlenecks (capacity, allocation,
 * contention, fragmentation, throttling), anomalies (through the monitoring engine's
 * `AnomalyDetector` interface), trends with projections, a health score, and recommendations that
 * cite their evidence.
 *
 * @module
 */
import { z } from "zod";
import type { Clock } from "../core/clock.js";
import { ValidationError } from "../core/errors.js";
import { serviceKey, type ServiceKey } from "../core/services.js";
import { parseWith } from "../core/validation.js";
import { RobustLikelihoodDetector, type AnomalyDetector } from "../monitoring/anomaly.js";
import { linearTrend } from "../monitoring/stats.js";
import {
  resourceMetricSchema,
  type Bottleneck,
  type ResourceAnalysis,
  type ResourceAnomaly,
  type ResourceHealth,
  type ResourceMetricInput,
  type ResourceMetricKind,
  type ResourcePattern,
  type ResourceRecommendation,
  type ResourceTrend,
} from "./analyzer-schemas.js";
import { dominantPeriod, spikeIndices } from "./patterns.js";
import type { FragmentationReport } from "./types.js";

/** The key under which nodes find the shared {@link ResourceAnalyzer}. */
export const RESOURCE_ANALYZER: ServiceKey<ResourceAnalyzer> = serviceKey<ResourceAnalyzer>("resources.analyzer");

/** Thresholds of the analyzer. */
export const analyzerConfigSchema = z.object({
  /** Samples kept per series. */
  retain: z.number().int().min(16).max(100_000).default(2_000),
  /** Least autocorrelation for a period. */
  periodicStrength: z.number().gt(0).max(1).default(0.5),
  /** Robust z-score above which a sample is a spike. */
  spikeZ: z.number().positive().default(3.5),
  /** Least R² for growth. */
  growthR2: z.number().min(0).max(1).default(0.5),
  /** Coefficient of variation of mean utilisation across edges above which load is imbalanced. */
  imbalanceCv: z.number().positive().default(0.3),
  /** Recent utilisation at or above this is a capacity bottleneck. */
  capacityThreshold: z.number().positive().default(0.85),
  /** Throttled share of time at or above this is a throttling bottleneck. */
  throttleThreshold: z.number().positive().default(0.05),
  /** Stranded share of free capacity at or above this is a fragmentation bottleneck. */
  strandedThreshold: z.number().positive().default(0.2),
  /** Anomaly score at or above which a sample is reported. */
  anomalyScore: z.number().gt(0).max(1).default(0.5),
  /** Horizon of trend projections, ms. */
  projectionMs: z.number().int().positive().default(86_400_000),
  /** Share of the newest samples that count as "recent". */
  recentShare: z.number().gt(0).max(1).default(0.1),
});
/** What a caller may pass as analyzer settings. */
export type AnalyzerConfigInput = z.input<typeof analyzerConfigSchema>;

interface Series {
  readonly edgeId: string;
  readonly resource: string;
  readonly kind: ResourceMetricKind;
  readonly times: number[];
  readonly values: number[];
  readonly detector: AnomalyDetector;
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function severity(x: number, medium: number, high: number): "low" | "medium" | "high" {
  return x >= high ? "high" : x >= medium ? "medium" : "low";
}

/**
 * @example
 * ```ts
 * const analyzer = new ResourceAnalyzer({}, { clock });
 * analyzer.recordMetric({ edgeId: "e1", resource: "cpu", value: 0.93 });
 * const { bottlenecks, health } = analyzer.analyze();
 * analyzer.recommendations(); // e.g. scale_up e1 cpu, evidence: recent utilisation 0.93 >= 0.85
 * ```
 */
export class ResourceAnalyzer {
  private readonly config: z.output<typeof analyzerConfigSchema>;
  private readonly clock: Clock;
  private readonly detectorFactory: () => AnomalyDetector;
  private readonly series = new Map<string, Series>();
  private readonly anomalies: ResourceAnomaly[] = [];
  private readonly fragmentation = new Map<string, FragmentationReport>();

  constructor(config: AnalyzerConfigInput, options: { readonly clock: Clock; readonly detector?: () => AnomalyDetector }) {
    this.config = parseWith(analyzerConfigSchema, config, "config");
    this.clock = options.clock;
    this.detectorFactory = options.detector ?? (() => new RobustLikelihoodDetector({ warmup: 30, baselineWindow: 120, refractory: 30, seasonalDays: 0 }));
  }

  /** Records one value; samples of a series must come in time order. */
  recordMetric(input: ResourceMetricInput): void {
    const m = parseWith(resourceMetricSchema, input, "metric");
    const timestamp = m.timestamp ?? this.clock.now();
    const key = `${m.edgeId}\u0000${m.resource}\u0000${m.kind}`;
    const existing = this.series.get(key);
    const last = existing?.times[existing.times.length - 1];
    if (last !== undefined && timestamp < last) throw ValidationError.of("metric.timestamp", `samples of a series must come in time order (${timestamp} < ${last})`);
    const series = existing ?? { edgeId: m.edgeId, resource: m.resource, kind: m.kind, times: [], values: [], detector: this.detectorFactory() };
    this.series.set(key, series);
    series.times.push(timestamp);
    series.values.push(m.value);
    if (series.times.length > this.config.retain) {
      series.times.shift();
      series.values.shift();
    }
    const score = series.detector.update(timestamp, m.value);
    if (score >= this.config.anomalyScore) {
      this.anomalies.push({ edgeId: m.edgeId, resource: m.resource, kind: m.kind, timestamp, value: m.value, score });
      if (this.anomalies.length > 1_000) this.anomalies.shift();
    }
  }

  /** Records a pool's fragmentation (e.g. `pool.fragmentation()`), under the pool's name. */
  recordFragmentation(pool: string, report: FragmentationReport): void {
    if (typeof pool !== "string" || pool === "") throw ValidationError.of("pool", "pool name must be a non-empty string");
    this.fragmentation.set(pool, report);
  }

  /** Patterns, bottlenecks, anomalies and health now. */
  analyze(): ResourceAnalysis {
    const patterns = this.patterns();
    const bottlenecks = this.bottlenecks();
    const anomalies = [...this.anomalies];
    return { analyzedAt: this.clock.now(), series: this.series.size, patterns, bottlenecks, anomalies, health: this.health(patterns, bottlenecks, anomalies) };
  }

  /** Least-squares trend of every series, projected `horizonMs` ahead (default `projectionMs`). */
  trends(horizonMs = this.config.projectionMs): ResourceTrend[] {
    if (!Number.isFinite(horizonMs) || horizonMs <= 0) throw ValidationError.of("horizonMs", "horizon must be > 0");
    const now = this.clock.now();
    const out: ResourceTrend[] = [];
    for (const s of this.series.values()) {
      if (s.values.length < 3) continue;
      const t = linearTrend(s.times, s.values);
      const t0 = s.times[0] ?? now;
      const at = (time: number): number => t.intercept + (t.slopePerHour * (time - t0)) / 3_600_000;
      const current = at(s.times[s.times.length - 1] ?? now);
      const projectedAt = now + horizonMs;
      const trend: ResourceTrend = { edgeId: s.edgeId, resource: s.resource, kind: s.kind, direction: t.direction, slopePerHour: t.slopePerHour, r2: t.r2, pValue: t.pValue, current, projected: Math.max(0, at(projectedAt)), projectedAt };
      const exhaustible = s.kind === "utilization" || s.kind === "allocation";
      if (exhaustible && t.direction === "increasing" && t.slopePerHour > 0) {
        const when = t0 + ((1 - t.intercept) / t.slopePerHour) * 3_600_000;
        out.push({ ...trend, exhaustionAt: Math.max(now, when) });
      } else out.push(trend);
    }
    return out;
  }

  /** What to do, each with the evidence behind it, most urgent first. */
  recommendations(): ResourceRecommendation[] {
    const { patterns, bottlenecks, anomalies } = this.analyze();
    const out: ResourceRecommendation[] = [];
    for (const b of bottlenecks) {
      const base = { edgeId: b.edgeId, resource: b.resource, priority: b.severity, evidence: b.evidence };
      if (b.type === "capacity") out.push({ ...base, action: "scale_up", message: `add ${b.resource} capacity${b.edgeId === undefined ? "" : ` on ${b.edgeId}`}: ${b.description}` });
      if (b.type === "allocation") out.push({ ...base, action: "right_size", message: `shrink allocations${b.edgeId === undefined ? "" : ` on ${b.edgeId}`}: ${b.description}` });
      if (b.type === "contention") out.push({ ...base, action: "add_capacity", message: `requests wait or fail for ${b.resource}: ${b.description}` });
      if (b.type === "fragmentation") out.push({ ...base, action: "defragment", message: `repack with best-fit decreasing: ${b.description}` });
      if (b.type === "throttling") out.push({ ...base, action: "raise_limits", message: `raise ${b.resource} limits: ${b.description}` });
    }
    const horizon = this.clock.now() + this.config.projectionMs;
    for (const t of this.trends()) {
      if (t.exhaustionAt === undefined || t.exhaustionAt > horizon || t.r2 < this.config.growthR2) continue;
      out.push({
        action: "add_capacity",
        edgeId: t.edgeId,
        resource: t.resource,
        priority: t.exhaustionAt - this.clock.now() < this.config.projectionMs / 4 ? "high" : "medium",
        message: `${t.resource} on ${t.edgeId} grows ${t.slopePerHour.toFixed(4)}/h and reaches capacity at ${new Date(t.exhaustionAt).toISOString()}`,
        evidence: [
          { metric: "slope_per_hour", value: t.slopePerHour },
          { metric: "r2", value: t.r2, threshold: this.config.growthR2 },
          { metric: "exhaustion_at", value: t.exhaustionAt },
        ],
      });
    }
    for (const p of patterns) {
      if (p.type === "imbalance") out.push({ action: "rebalance", resource: p.resource, priority: "medium", message: p.description, evidence: p.evidence });
      if (p.type === "periodic" && p.periodMs !== undefined)
        out.push({ action: "schedule_scaling", edgeId: p.edgeId, resource: p.resource, priority: "low", message: `${p.description}: scale on a schedule or with the predictive scaler`, evidence: p.evidence });
    }
    for (const s of this.series.values()) {
      if (s.kind !== "utilization" || s.values.length < 16) continue;
      const avg = mean(s.values);
      const peak = Math.max(...s.values);
      if (peak < 0.3)
        out.push({ action: "scale_down", edgeId: s.edgeId, resource: s.resource, priority: "low", message: `${s.resource} on ${s.edgeId} never exceeds ${(peak * 100).toFixed(0)} % (mean ${(avg * 100).toFixed(0)} %): consolidate`, evidence: [{ metric: "peak_utilization", value: peak, threshold: 0.3 }, { metric: "mean_utilization", value: avg }] });
    }
    const flagged = new Map<string, ResourceAnomaly[]>();
    for (const a of anomalies) flagged.set(`${a.edgeId}/${a.resource}`, [...(flagged.get(`${a.edgeId}/${a.resource}`) ?? []), a]);
    for (const list of flagged.values()) {
      const worst = list.reduce((a, b) => (b.score > a.score ? b : a));
      out.push({ action: "investigate", edgeId: worst.edgeId, resource: worst.resource, priority: worst.score >= 0.9 ? "high" : "medium", message: `${list.length} anomalous ${worst.kind} sample(s) on ${worst.edgeId}, worst ${worst.value} at ${worst.timestamp}`, evidence: [{ metric: "anomaly_score", value: worst.score, threshold: this.config.anomalyScore }, { metric: worst.kind, value: worst.value }] });
    }
    const rank = { high: 0, medium: 1, low: 2 } as const;
    return out.sort((a, b) => rank[a.priority] - rank[b.priority]);
  }

  private recent(values: readonly number[]): number[] {
    return values.slice(values.length - Math.max(1, Math.ceil(values.length * this.config.recentShare)));
  }

  private patterns(): ResourcePattern[] {
    const c = this.config;
    const out: ResourcePattern[] = [];
    const perResource = new Map<string, { edgeId: string; mean: number }[]>();
    for (const s of this.series.values()) {
      if (s.kind !== "utilization") continue;
      perResource.set(s.resource, [...(perResource.get(s.resource) ?? []), { edgeId: s.edgeId, mean: mean(s.values) }]);
      if (s.values.length >= 16) {
        const period = dominantPeriod(s.values, c.periodicStrength);
        if (period !== undefined) {
          const gaps = s.times.slice(1).map((t, i) => t - (s.times[i] ?? t)).sort((a, b) => a - b);
          const interval = gaps[gaps.length >> 1] ?? 0;
          out.push({ type: "periodic", edgeId: s.edgeId, resource: s.resource, periodMs: period.lag * interval, strength: period.strength, description: `${s.resource} on ${s.edgeId} repeats every ${period.lag} samples (${(period.lag * interval) / 1000} s)`, evidence: [{ metric: "autocorrelation", value: period.strength, threshold: c.periodicStrength }, { metric: "lag_samples", value: period.lag }] });
        }
      }
      const spikes = spikeIndices(s.values, c.spikeZ);
      if (spikes.length > 0) {
        const peak = Math.max(...spikes.map((i) => s.values[i] ?? 0));
        out.push({ type: "spike", edgeId: s.edgeId, resource: s.resource, strength: spikes.length / s.values.length, description: `${spikes.length} spike(s) in ${s.resource} on ${s.edgeId}, highest ${peak}`, evidence: [{ metric: "spikes", value: spikes.length }, { metric: "peak", value: peak }, { metric: "robust_z_threshold", value: c.spikeZ }] });
      }
      if (s.values.length >= 8) {
        const t = linearTrend(s.times, s.values);
        if (t.direction === "increasing" && t.r2 >= c.growthR2) {
          out.push({ type: "growth", edgeId: s.edgeId, resource: s.resource, strength: t.r2, description: `${s.resource} on ${s.edgeId} grows ${t.slopePerHour.toFixed(4)} per hour`, evidence: [{ metric: "slope_per_hour", value: t.slopePerHour }, { metric: "r2", value: t.r2, threshold: c.growthR2 }, { metric: "p_value", value: t.pValue }] });
        }
      }
    }
    for (const [resource, edges] of perResource) {
      if (edges.length < 2) continue;
      const m = mean(edges.map((e) => e.mean));
      if (m <= 0) continue;
      const sd = Math.sqrt(mean(edges.map((e) => (e.mean - m) ** 2)));
      const cv = sd / m;
      if (cv < c.imbalanceCv) continue;
      const sorted = [...edges].sort((a, b) => b.mean - a.mean);
      const hot = sorted[0];
      const cold = sorted[sorted.length - 1];
      out.push({ type: "imbalance", resource, strength: cv, description: `${resource} load is uneven across ${edges.length} edges: ${hot?.edgeId} at ${((hot?.mean ?? 0) * 100).toFixed(0)} %, ${cold?.edgeId} at ${((cold?.mean ?? 0) * 100).toFixed(0)} %`, evidence: [{ metric: "coefficient_of_variation", value: cv, threshold: c.imbalanceCv }, { metric: "hottest_mean", value: hot?.mean ?? 0 }, { metric: "coldest_mean", value: cold?.mean ?? 0 }] });
    }
    return out;
  }

  private bottlenecks(): Bottleneck[] {
    const c = this.config;
    const out: Bottleneck[] = [];
    const utilization = new Map<string, number>();
    for (const s of this.series.values()) if (s.kind === "utilization") utilization.set(`${s.edgeId}/${s.resource}`, mean(this.recent(s.values)));
    for (const s of this.series.values()) {
      const recent = mean(this.recent(s.values));
      const where = { edgeId: s.edgeId, resource: s.resource };
      if (s.kind === "utilization" && recent >= c.capacityThreshold) {
        out.push({ ...where, type: "capacity", severity: severity(recent, 0.95, 1), description: `recent ${s.resource} utilisation ${(recent * 100).toFixed(0)} %`, evidence: [{ metric: "recent_utilization", value: recent, threshold: c.capacityThreshold }] });
      }
      if (s.kind === "allocation") {
        const used = utilization.get(`${s.edgeId}/${s.resource}`);
        if (recent >= c.capacityThreshold && used !== undefined && used < 0.5 * recent) {
          out.push({ ...where, type: "allocation", severity: severity(recent - used, 0.4, 0.6), description: `${(recent * 100).toFixed(0)} % allocated but only ${(used * 100).toFixed(0)} % used`, evidence: [{ metric: "allocated_share", value: recent, threshold: c.capacityThreshold }, { metric: "used_share", value: used }] });
        }
      }
      if ((s.kind === "wait" || s.kind === "failures") && recent > 0) {
        out.push({ ...where, type: "contention", severity: s.kind === "failures" ? severity(recent, 1, 10) : severity(recent, 100, 1_000), description: s.kind === "failures" ? `${recent.toFixed(1)} refused requests per sample` : `requests wait ${recent.toFixed(0)} ms for ${s.resource}`, evidence: [{ metric: s.kind, value: recent, threshold: 0 }] });
      }
      if (s.kind === "throttled" && recent >= c.throttleThreshold) {
        out.push({ ...where, type: "throttling", severity: severity(recent, 0.2, 0.5), description: `throttled ${(recent * 100).toFixed(0)} % of the time`, evidence: [{ metric: "throttled_share", value: recent, threshold: c.throttleThreshold }] });
      }
    }
    for (const [pool, report] of this.fragmentation) {
      if (report.strandedFraction < c.strandedThreshold) continue;
      const worst = Object.entries(report.perResource).sort((a, b) => b[1].stranded - a[1].stranded)[0];
      out.push({ type: "fragmentation", resource: worst?.[0] ?? "?", severity: severity(report.strandedFraction, 0.35, 0.5), description: `pool ${pool}: ${(report.strandedFraction * 100).toFixed(0)} % of free capacity is stranded`, evidence: [{ metric: "stranded_fraction", value: report.strandedFraction, threshold: c.strandedThreshold }, { metric: "stranded", value: worst?.[1].stranded ?? 0, note: worst?.[0] }] });
    }
    return out;
  }

  private health(patterns: readonly ResourcePattern[], bottlenecks: readonly Bottleneck[], anomalies: readonly ResourceAnomaly[]): ResourceHealth {
    const deductions: { reason: string; points: number }[] = [];
    const points = { high: 20, medium: 10, low: 5 } as const;
    for (const b of bottlenecks) deductions.push({ reason: `${b.type} bottleneck (${b.severity}) on ${b.edgeId ?? "pool"} ${b.resource}`, points: points[b.severity] });
    const anomalyPoints = Math.min(20, anomalies.length * 4);
    if (anomalyPoints > 0) deductions.push({ reason: `${anomalies.length} anomalies`, points: anomalyPoints });
    for (const p of patterns) if (p.type === "imbalance") deductions.push({ reason: `imbalanced ${p.resource}`, points: 5 });
    const score = Math.max(0, 100 - deductions.reduce((a, d) => a + d.points, 0));
    return { score, status: score >= 80 ? "healthy" : score >= 50 ? "degraded" : "critical", deductions };
  }
}
