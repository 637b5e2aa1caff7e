/**
 * Types of the monitoring engine: metric types and their units, samples, range statistics, alert
 * rules and alerts, health.
 *
 * Units are fixed per metric type and documented on {@link BUILTIN_METRIC_TYPES}: durations are in
 * milliseconds, ratios in percent (0–100). A value outside its type's range is a validation error.
 *
 * @module
 */

/** The metric types every store knows. */
export type BuiltinMetricType =
  | "latency"
  | "throughput"
  | "error_rate"
  | "resource_usage"
  | "availability"
  | "cache_hit_rate"
  | "migration_time"
  | "coordination_overhead";

/** How a metric type is measured. */
export interface MetricTypeDefinition {
  readonly name: string;
  /** Unit, for docs and exposition, e.g. `"ms"`, `"percent"`, `"requests_per_second"`. */
  readonly unit: string;
  readonly description: string;
  /** Smallest valid value (inclusive); `undefined` = unbounded. */
  readonly min?: number;
  /** Largest valid value (inclusive); `undefined` = unbounded. */
  readonly max?: number;
}

/** Labels distinguishing series of the same edge and metric, e.g. `{ route: "/api" }`. */
export type Labels = Readonly<Record<string, string>>;

/** Identity of one time series. */
export interface SeriesKey {
  readonly edgeId: string;
  readonly metric: string;
  readonly labels: Labels;
}

/** One observation. `timestamp` in ms on the engine's clock. */
export interface Sample {
  readonly timestamp: number;
  readonly value: number;
}

/** Quantiles reported by range queries. */
export interface Quantiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** Statistics of one series over a time range. */
export interface RangeStats {
  readonly count: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  /** Population standard deviation. */
  readonly stddev: number;
  /**
   * From a DDSketch over the raw samples (relative error ≤ the store's `relativeAccuracy`);
   * `null` when the range was answered from roll-ups, which keep moments only, or is empty.
   */
  readonly quantiles: Quantiles | null;
  /** Where the answer came from: raw samples or a roll-up tier. */
  readonly source: "raw" | "1m" | "5m" | "1h";
  /** Earliest and latest sample time covered (NaN when empty). */
  readonly from: number;
  readonly to: number;
}

/** Alert severities, lowest first. */
export const SEVERITIES = ["info", "warning", "error", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Which side of a threshold is bad. */
export type Direction = "above" | "below";

/** Per-severity thresholds; at least one is set. */
export type SeverityThresholds = Readonly<Partial<Record<Severity, number>>>;

/** A rule: when a metric crosses a threshold for long enough, an alert fires. */
export interface AlertRule {
  readonly metric: string;
  readonly direction: Direction;
  readonly thresholds: SeverityThresholds;
  /** How long the condition must hold before pending becomes firing (ms), as Prometheus' `for`. */
  readonly forMs: number;
  /** After a firing notification for (edge, metric, severity), repeats are held back this long (ms). */
  readonly cooldownMs: number;
  /** Restrict the rule to one edge; absent = every edge. */
  readonly edgeId?: string;
}

/** Lifecycle of an alert instance, as in Prometheus. */
export type AlertState = "pending" | "firing" | "resolved";

/** One alert instance for a series. */
export interface Alert {
  readonly id: string;
  readonly edgeId: string;
  readonly metric: string;
  readonly labels: Labels;
  readonly state: AlertState;
  readonly severity: Severity;
  readonly direction: Direction;
  readonly threshold: number;
  /** The value that last drove the alert. */
  readonly value: number;
  /** When the condition started to hold. */
  readonly activeSince: number;
  readonly firedAt?: number;
  readonly resolvedAt?: number;
}

/** A notification sent to subscribers. Never sent twice for the same transition. */
export interface AlertNotification {
  readonly kind: "firing" | "resolved";
  readonly at: number;
  readonly alert: Alert;
}

/** Health states, as operators read them. */
export type HealthStatus = "healthy" | "degraded" | "unhealthy" | "unknown";

/** One reason behind a health verdict. */
export interface HealthReason {
  readonly code: "stale" | "no_data" | "threshold" | "alert";
  readonly metric?: string;
  readonly severity?: Severity;
  readonly message: string;
}

/** Health of one edge, computed on read. */
export interface EdgeHealth {
  readonly edgeId: string;
  readonly status: HealthStatus;
  readonly reasons: readonly HealthReason[];
  readonly lastSampleAt: number | null;
  readonly checkedAt: number;
}

/** Events the monitoring engine emits. */
export type MonitoringEvents = {
  "alert:pending": Alert;
  "alert:firing": AlertNotification;
  "alert:resolved": AlertNotification;
  "anomaly:detected": { readonly edgeId: string; readonly metric: string; readonly labels: Labels; readonly timestamp: number; readonly value: number; readonly score: number };
};
