/**
 * The monitoring engine: the metric store, alerting, health, analytics and export behind one object,
 * with a periodic monitor on the injected clock. Nodes reach it through {@link monitoringKey}.
 *
 * @module
 */
import { freeze } from "immer";
import { z } from "zod";
import type { Clock, TimerHandle } from "../core/clock.js";
import { TypedEmitter } from "../core/events.js";
import { serviceKey } from "../core/services.js";
import { ClosedError, ValidationError } from "../core/errors.js";
import { parseWith, requireId, requireObject } from "../core/validation.js";
import { AlertManager, alertFilterSchema, DEFAULT_ALERT_RULES, type AlertRuleInput } from "./alerts.js";
import { analyseSeries, analyticsOptionsSchema, type AnalyticsOptions, type SeriesAnalytics } from "./analytics.js";
import type { AnomalyDetector } from "./anomaly.js";
import { anomalyDetectorConfigSchema, detectorFrom } from "./detector-choice.js";
import { edgeHealth } from "./health.js";
import type { metricTypeDefinitionSchema } from "./metric-types.js";
import { recommend, type Recommendation } from "./recommendations.js";
import { MetricStore, metricStoreConfigSchema, type QueryInput, type RecordInput, type SeriesHandle, type SeriesStats } from "./store.js";
import type { Alert, AlertRule, EdgeHealth, MetricTypeDefinition, MonitoringEvents } from "./types.js";

/** Configuration of a {@link MonitoringEngine}. */
export const monitoringConfigSchema = z.object({
  store: metricStoreConfigSchema.prefault({}),
  /** A series with no sample for longer than this (ms) is stale; an edge with only stale series is `unknown`. */
  stalenessMs: z.number().int().positive().default(300_000),
  /** Install {@link DEFAULT_ALERT_RULES}. */
  defaultRules: z.boolean().default(true),
  anomalyDetection: z
    .object({
      /** Score every recorded sample with a streaming detector per series. */
      enabled: z.boolean().default(true),
      /**
       * Series scored at most (the first ones recorded). ARTime, the default detector, holds at
       * most about 130 KB per series (its 500 stored categories) and much less on regular series;
       * the robust-likelihood detector about 140 KB on 5-minute samples, most of it the week of
       * same-time history of its seasonal view.
       */
      maxSeries: z.number().int().min(0).default(1000),
      /** Scores at or above this emit `anomaly:detected`. */
      threshold: z.number().gt(0).max(1).default(0.5),
      /**
       * The detector each series gets (see {@link anomalyDetectorConfigSchema}): ARTime by default,
       * or `{ algorithm: "robust-likelihood", ... }`.
       */
      detector: anomalyDetectorConfigSchema.prefault({ algorithm: "artime" }),
    })
    .prefault({}),
  /** Streaming anomalies remembered for summaries. */
  anomalyHistory: z.number().int().min(0).default(1000),
});
export type MonitoringConfig = z.input<typeof monitoringConfigSchema>;

/** Analytics request: a filter and a time range. */
export const analyticsRequestSchema = z.object({
  edgeId: z.string().min(1).optional(),
  metric: z.string().min(1).optional(),
  from: z.number().optional(),
  to: z.number().optional(),
  options: analyticsOptionsSchema.prefault({}),
});
export type AnalyticsRequest = z.input<typeof analyticsRequestSchema>;

/** The JSON summary. */
export interface MonitoringSummary {
  readonly at: number;
  readonly series: number;
  readonly samples: number;
  readonly bytes: number;
  readonly edges: ReadonlyArray<{ readonly edgeId: string; readonly status: EdgeHealth["status"]; readonly reasons: number }>;
  readonly alerts: { readonly pending: number; readonly firing: number };
  readonly recentAnomalies: ReadonlyArray<MonitoringEvents["anomaly:detected"]>;
  readonly monitor: { readonly running: boolean; readonly intervalMs: number | null; readonly evaluations: number };
}

/** Where nodes find the engine in the infrastructure registry. */
export const monitoringKey = serviceKey<MonitoringEngine>("edgeflow.monitoring");

/**
 * @example
 * ```ts
 * const monitoring = new MonitoringEngine({ clock });
 * monitoring.events.on("alert:firing", ({ alert }) => page(alert));
 * monitoring.record({ edgeId: "edge-west-1", metric: "latency", value: 1200 }); // ms
 * monitoring.startMonitor(15_000); // evaluates alerts every 15 s of clock time
 * monitoring.health("edge-west-1").status; // "unhealthy" once the error threshold is crossed
 * ```
 */
export class MonitoringEngine {
  readonly events = new TypedEmitter<MonitoringEvents>();
  readonly store: MetricStore;
  readonly alerting: AlertManager;
  private readonly config: z.output<typeof monitoringConfigSchema>;
  private readonly clock: Clock;
  private readonly detectors = new Map<SeriesHandle, AnomalyDetector>();
  private readonly anomalies: Array<MonitoringEvents["anomaly:detected"]> = [];
  private timer: TimerHandle | undefined;
  private intervalMs: number | null = null;
  private evaluations = 0;
  private closed = false;

  constructor(options: { clock: Clock; config?: MonitoringConfig }) {
    requireObject(options, "options");
    if (typeof options.clock?.now !== "function" || typeof options.clock.setTimer !== "function") throw ValidationError.of("options.clock", "clock must implement Clock", "invalid_type");
    this.clock = options.clock;
    this.config = parseWith(monitoringConfigSchema, options.config ?? {}, "config");
    this.store = new MetricStore({ clock: this.clock, config: this.config.store });
    this.alerting = new AlertManager(this.store.types, this.events);
    if (this.config.defaultRules) for (const rule of DEFAULT_ALERT_RULES) this.alerting.setRule(rule);
  }

  /** Registers a user-defined metric type (an unknown type is otherwise refused). */
  registerMetricType(definition: z.input<typeof metricTypeDefinitionSchema>): MetricTypeDefinition {
    this.assertOpen();
    return this.store.types.register(definition);
  }

  /**
   * Records one sample and scores it for anomalies. A refused sample (bad value, unknown metric,
   * out of order, or more than `store.maxFutureMs` ahead of the clock) throws a `ValidationError`
   * and changes nothing: not the store, not the detectors.
   */
  record(input: RecordInput): void {
    this.assertOpen();
    const handle = this.store.record(input);
    this.score(handle, input.timestamp ?? this.clock.now(), input.value);
  }

  /**
   * Records a batch atomically (all validated first), then scores each sample in order, as
   * {@link record} does. One refused sample refuses the whole batch: nothing is stored or scored.
   */
  recordBatch(inputs: readonly RecordInput[]): void {
    this.assertOpen();
    const now = this.clock.now();
    const handles = this.store.recordBatch(inputs);
    handles.forEach((handle, i) => {
      const input = inputs[i] as RecordInput;
      this.score(handle, input.timestamp ?? now, input.value);
    });
  }

  private score(handle: SeriesHandle, timestamp: number, value: number): void {
    if (!this.config.anomalyDetection.enabled) return;
    let detector = this.detectors.get(handle);
    if (detector === undefined) {
      if (this.detectors.size >= this.config.anomalyDetection.maxSeries) return;
      detector = detectorFrom(this.config.anomalyDetection.detector);
      this.detectors.set(handle, detector);
    }
    const score = detector.update(timestamp, value);
    if (score >= this.config.anomalyDetection.threshold) {
      const key = this.store.keyOf(handle);
      const event = Object.freeze({ edgeId: key.edgeId, metric: key.metric, labels: key.labels, timestamp, value, score });
      this.anomalies.push(event);
      if (this.anomalies.length > this.config.anomalyHistory) this.anomalies.shift();
      this.events.emit("anomaly:detected", event);
    }
  }

  /** Statistics per matching series; see {@link MetricStore.query}. */
  query(input: QueryInput = {}): SeriesStats[] {
    return this.store.query(input);
  }

  /** Adds or replaces an alert rule (a threshold set) for a metric, optionally for one edge. */
  setThreshold(rule: AlertRuleInput): AlertRule {
    this.assertOpen();
    return this.alerting.setRule(rule);
  }

  /** Evaluates alert rules against the latest samples now. The monitor calls this periodically. */
  evaluate(): void {
    this.assertOpen();
    this.evaluations++;
    this.store.compact();
    this.alerting.evaluate(this.store.latest(), this.clock.now(), this.config.stalenessMs);
  }

  /** Health of one edge, computed now. */
  health(edgeId: string): EdgeHealth {
    requireId(edgeId, "edgeId", 200);
    return edgeHealth(edgeId, this.store.latest({ edgeId }), this.alerting, this.clock.now(), this.config.stalenessMs);
  }

  /** Health of every known edge. */
  healthAll(): EdgeHealth[] {
    return this.store.edges().map((edgeId) => this.health(edgeId));
  }

  /** Pending and firing alerts, plus recently resolved ones when asked. */
  alerts(filter: { edgeId?: string; state?: Alert["state"]; includeResolved?: boolean } = {}): Alert[] {
    parseWith(alertFilterSchema, filter, "filter");
    return this.alerting.alerts(filter);
  }

  /** Trend, moving averages, change points and anomalies per matching series, with recommendations. */
  analytics(request: AnalyticsRequest = {}): { series: SeriesAnalytics[]; recommendations: Recommendation[] } {
    const r = parseWith(analyticsRequestSchema, request, "analytics");
    if (r.metric !== undefined) this.store.types.get(r.metric, "analytics.metric");
    const from = r.from ?? Number.NEGATIVE_INFINITY;
    const to = r.to ?? this.clock.now();
    const series = this.store
      .keys(r.edgeId)
      .filter((k) => r.metric === undefined || k.metric === r.metric)
      .map((key) => {
        const samples = this.store.samples(key, from, to);
        return analyseSeries(
          key,
          samples.map((s) => s.timestamp),
          samples.map((s) => s.value),
          r.options as AnalyticsOptions,
        );
      });
    const firing = this.alerting.alerts({ edgeId: r.edgeId, state: "firing" });
    return freeze({ series, recommendations: recommend(series, firing) }, true);
  }

  /** Prometheus text exposition of current values, health and alerts. */
  async prometheus(): Promise<string> {
    // Loaded on first use: prom-client (and the OpenTelemetry API it pulls in) stays out of the
    // import cost of every user who never exports metrics.
    const { prometheusExposition } = await import("./export.js");
    return prometheusExposition({
      latest: this.store.latest(),
      typeOf: (metric) => this.store.types.get(metric),
      health: this.healthAll(),
      alerts: this.alerting.alerts(),
    });
  }

  /** A JSON-ready summary of the whole engine. */
  summary(): MonitoringSummary {
    const footprint = this.store.footprint();
    const active = this.alerting.alerts();
    return freeze({
      at: this.clock.now(),
      ...footprint,
      edges: this.healthAll().map((h) => ({ edgeId: h.edgeId, status: h.status, reasons: h.reasons.length })),
      alerts: { pending: active.filter((a) => a.state === "pending").length, firing: active.filter((a) => a.state === "firing").length },
      recentAnomalies: [...this.anomalies],
      monitor: { running: this.timer !== undefined, intervalMs: this.intervalMs, evaluations: this.evaluations },
    }, true);
  }

  /** Evaluates every `intervalMs` of clock time until {@link stopMonitor}. Restarting replaces the interval. */
  startMonitor(intervalMs: number): { running: true; intervalMs: number } {
    this.assertOpen();
    const ms = parseWith(z.number().int().positive(), intervalMs, "intervalMs");
    this.stopMonitor();
    this.intervalMs = ms;
    const tick = (): void => {
      this.timer = this.clock.setTimer(ms, tick, { background: true });
      this.evaluate();
    };
    this.timer = this.clock.setTimer(ms, tick, { background: true });
    return { running: true, intervalMs: ms };
  }

  /** Cancels the monitor; returns whether one was running. */
  stopMonitor(): boolean {
    if (this.timer === undefined) return false;
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.intervalMs = null;
    return true;
  }

  /** Whether the periodic monitor is running. */
  get monitorRunning(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Stops the monitor for good. Idempotent; afterwards `record`, `recordBatch`, `evaluate`,
   * `setThreshold`, `registerMetricType` and `startMonitor` throw a {@link ClosedError}; queries
   * still answer from what was recorded.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.stopMonitor();
  }

  /** Same as {@link MonitoringEngine.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError("MonitoringEngine");
  }
}
