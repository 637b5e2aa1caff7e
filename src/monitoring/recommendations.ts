/**
 * Recommendations derived from analytics and alerts, each carrying the evidence it rests on, so an
 * operator (or the placement, warming, scaling and migration engines) can check it before acting.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import type { SeriesAnalytics } from "./analytics.js";
import type { Alert } from "./types.js";

/** What to do. */
export type RecommendationAction = "scale_out" | "scale_in" | "warm_cache" | "investigate" | "migrate_workload";

export interface Recommendation {
  readonly edgeId: string;
  readonly metric: string;
  readonly action: RecommendationAction;
  readonly priority: "low" | "medium" | "high";
  readonly reason: string;
  readonly evidence: Readonly<Record<string, number | string>>;
}

// Metrics where "up" is bad, and those where "down" is bad.
const higherIsWorse = new Set(["latency", "error_rate", "resource_usage", "migration_time", "coordination_overhead"]);
const lowerIsWorse = new Set(["availability", "cache_hit_rate", "throughput"]);

function trendAdvice(a: SeriesAnalytics): Recommendation | undefined {
  const { trend, key } = a;
  if (trend.direction === "flat") return undefined;
  const evidence = { slopePerHour: trend.slopePerHour, pValue: trend.pValue, r2: trend.r2, samples: trend.n };
  const worsening = (trend.direction === "increasing" && higherIsWorse.has(key.metric)) || (trend.direction === "decreasing" && lowerIsWorse.has(key.metric));
  if (!worsening) {
    if (key.metric === "resource_usage" && trend.direction === "decreasing") {
      return { edgeId: key.edgeId, metric: key.metric, action: "scale_in", priority: "low", reason: "resource usage is falling significantly", evidence };
    }
    return undefined;
  }
  const action = key.metric === "cache_hit_rate" ? "warm_cache" : key.metric === "resource_usage" || key.metric === "latency" ? "scale_out" : "investigate";
  return {
    edgeId: key.edgeId,
    metric: key.metric,
    action,
    priority: trend.r2 > 0.5 ? "high" : "medium",
    reason: `${key.metric} is ${trend.direction} significantly (p = ${trend.pValue.toPrecision(2)})`,
    evidence,
  };
}

/** Recommendations from per-series analytics and the alerts currently firing. */
export function recommend(analytics: readonly SeriesAnalytics[], firing: readonly Alert[]): Recommendation[] {
  if (!Array.isArray(analytics as unknown)) throw ValidationError.of("analytics", "must be an array of series analytics", "invalid_type");
  if (!Array.isArray(firing as unknown)) throw ValidationError.of("firing", "must be an array of alerts", "invalid_type");
  const out: Recommendation[] = [];
  for (const a of analytics) {
    const fromTrend = trendAdvice(a);
    if (fromTrend !== undefined) out.push(fromTrend);
    const last = a.changePoints.at(-1);
    if (last !== undefined) {
      out.push({
        edgeId: a.key.edgeId,
        metric: a.key.metric,
        action: "investigate",
        priority: "medium",
        reason: `${a.key.metric} shifted ${last.direction} at ${new Date(last.timestamp).toISOString()}`,
        evidence: { changedAt: last.timestamp, meanBefore: last.meanBefore, meanAfter: last.meanAfter, direction: last.direction },
      });
    }
    const worst = a.anomalies.reduce<{ score: number; timestamp: number; value: number } | undefined>((m, x) => (m === undefined || x.score > m.score ? x : m), undefined);
    if (worst !== undefined) {
      out.push({
        edgeId: a.key.edgeId,
        metric: a.key.metric,
        action: "investigate",
        priority: worst.score >= 0.9 ? "high" : "medium",
        reason: `${a.anomalies.length} anomalous sample(s) in ${a.key.metric}`,
        evidence: { anomalies: a.anomalies.length, maxScore: worst.score, at: worst.timestamp, value: worst.value },
      });
    }
  }
  for (const alert of firing) {
    if (alert.severity !== "critical") continue;
    out.push({
      edgeId: alert.edgeId,
      metric: alert.metric,
      action: "migrate_workload",
      priority: "high",
      reason: `critical ${alert.metric} alert firing since ${new Date(alert.firedAt ?? alert.activeSince).toISOString()}`,
      evidence: { alertId: alert.id, value: alert.value, threshold: alert.threshold, direction: alert.direction },
    });
  }
  return out;
}
