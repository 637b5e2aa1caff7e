/**
 * The metric store: one {@link Series} per (edge, metric, labels), bounded by count and age, with
 * range queries answered from raw samples or roll-ups.
 *
 * @module
 */
import { freeze } from "immer";
import { z } from "zod";
import type { Clock } from "../core/clock.js";
import { ValidationError, type ValidationIssue } from "../core/errors.js";
import { parseWith, requireObject } from "../core/validation.js";
import { MetricTypeRegistry } from "./metric-types.js";
import { Series, type RollupTier } from "./series.js";
import type { Labels, MetricTypeDefinition, RangeStats, Sample, SeriesKey } from "./types.js";

const HOUR = 3_600_000;

/** Configuration of a {@link MetricStore}. */
export const metricStoreConfigSchema = z.object({
  /** Raw samples kept per series (the ring's capacity). */
  maxSamplesPerSeries: z.number().int().min(1).max(10_000_000).default(10_000),
  /**
   * Raw samples older than this (ms) are dropped: on append (relative to the new sample's time),
   * and relative to the clock on every query and {@link MetricStore.compact} (the monitor compacts).
   */
  retentionMs: z.number().int().positive().default(2 * HOUR),
  /**
   * Samples stamped more than this (ms) ahead of the clock are refused. Retention on append counts
   * back from the sample's own time, so one far-future sample (seconds sent as ms, a skewed clock)
   * would age out the whole raw history and then put every later, correct sample out of order.
   */
  maxFutureMs: z.number().int().min(0).max(365 * 24 * HOUR).default(5 * 60_000),
  /** Retention of each roll-up tier (ms). */
  rollupRetentionMs: z
    .object({
      "1m": z.number().int().positive().default(24 * HOUR),
      "5m": z.number().int().positive().default(7 * 24 * HOUR),
      "1h": z.number().int().positive().default(30 * 24 * HOUR),
    })
    .prefault({}),
  /** Most series the store will create; more is a validation error rather than unbounded memory. */
  maxSeries: z.number().int().min(1).default(100_000),
  /** DDSketch relative accuracy of reported quantiles. */
  relativeAccuracy: z.number().gt(0).lt(1).default(0.01),
});
export type MetricStoreConfig = z.input<typeof metricStoreConfigSchema>;

const nameSchema = z.string().min(1).max(200);
const labelsSchema = z
  .record(
    z
      .string()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "label names are Prometheus identifiers")
      // `edge` is the exposition's label for the edgeId, so a user label of that name would collide.
      .refine((name) => name !== "edge" && !name.startsWith("__"), "label name is reserved (edge, __*)"),
    z.string(),
  )
  .default({});

const seriesKeySchema = z.object({ edgeId: nameSchema, metric: nameSchema, labels: labelsSchema });
/** A time bound: any number but NaN (the infinities mean "unbounded"). */
const bound = z.number().or(z.literal(Number.NEGATIVE_INFINITY)).or(z.literal(Number.POSITIVE_INFINITY));
const samplesArgsSchema = z.object({ key: z.object({ edgeId: nameSchema, metric: nameSchema, labels: z.record(z.string(), z.string()).optional() }), from: bound, to: bound });
const filterSchema = z.object({ edgeId: nameSchema.optional(), metric: nameSchema.optional() });

/** One sample to record. `timestamp` defaults to the clock's now. */
export const recordInputSchema = z.object({
  edgeId: nameSchema,
  metric: nameSchema,
  value: z.number(),
  labels: labelsSchema,
  timestamp: z.number().finite().optional(),
});
export type RecordInput = z.input<typeof recordInputSchema>;

/** A range query. Absent fields match everything; `from`/`to` default to the whole retention. */
export const queryInputSchema = z.object({
  edgeId: nameSchema.optional(),
  metric: nameSchema.optional(),
  /** Series must carry these labels (others may be present too). */
  labels: z.record(z.string(), z.string()).optional(),
  from: z.number().optional(),
  to: z.number().optional(),
  /** `auto`: raw samples when they still cover `from`, else the finest roll-up that does. */
  resolution: z.enum(["auto", "raw", "1m", "5m", "1h"]).default("auto"),
});
export type QueryInput = z.input<typeof queryInputSchema>;

/** A query's answer for one series. */
export interface SeriesStats {
  readonly key: SeriesKey;
  readonly stats: RangeStats;
}

/** A handle for the fast ingest path ({@link MetricStore.appendTo}). */
export type SeriesHandle = number;

interface Entry {
  readonly key: SeriesKey;
  readonly type: MetricTypeDefinition;
  readonly series: Series;
}

function labelsKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  return names.map((n) => `${n}=${labels[n] ?? ""}`).join(",");
}

/**
 * @example
 * ```ts
 * const store = new MetricStore({ clock });
 * store.record({ edgeId: "edge-west-1", metric: "latency", value: 42 }); // ms
 * const [west] = store.query({ edgeId: "edge-west-1", metric: "latency", from: clock.now() - 60_000 });
 * console.log(west?.stats.quantiles?.p99);
 * ```
 */
export class MetricStore {
  readonly types: MetricTypeRegistry;
  private readonly config: z.output<typeof metricStoreConfigSchema>;
  private readonly clock: Clock;
  private readonly byKey = new Map<string, SeriesHandle>();
  private readonly entries: Entry[] = [];
  // Hot-path copies, indexed by handle, so an append touches as few objects as possible.
  private readonly seriesByHandle: Series[] = [];
  private readonly byEdge = new Map<string, Entry[]>();
  private readonly lowest: number[] = [];
  private readonly highest: number[] = [];

  constructor(options: { clock: Clock; types?: MetricTypeRegistry; config?: MetricStoreConfig }) {
    requireObject(options, "options");
    if (typeof options.clock?.now !== "function") throw ValidationError.of("options.clock", "clock must implement Clock", "invalid_type");
    if (options.types !== undefined && !(options.types instanceof MetricTypeRegistry)) throw ValidationError.of("options.types", "types must be a MetricTypeRegistry", "invalid_type");
    this.clock = options.clock;
    this.types = options.types ?? new MetricTypeRegistry();
    this.config = parseWith(metricStoreConfigSchema, options.config ?? {}, "config");
  }

  get relativeAccuracy(): number {
    return this.config.relativeAccuracy;
  }

  /** The handle of a series, creating it on first use. Validates names, labels and the metric type. */
  seriesId(edgeId: string, metric: string, labels: Labels = {}): SeriesHandle {
    // Checked before the lookup: `5` and `"5"` would otherwise name the same series.
    if (typeof edgeId !== "string" || typeof metric !== "string" || typeof labels !== "object" || labels === null) parseWith(seriesKeySchema, { edgeId, metric, labels });
    const id = `${edgeId}\u0000${metric}\u0000${labelsKey(labels)}`;
    const existing = this.byKey.get(id);
    if (existing !== undefined) return existing;
    const parsed = parseWith(seriesKeySchema, { edgeId, metric, labels });
    const type = this.types.get(parsed.metric);
    if (this.entries.length >= this.config.maxSeries) {
      throw ValidationError.of("metric", `the store already holds its maximum of ${this.config.maxSeries} series`, "too_many_series");
    }
    const handle = this.entries.length;
    const series = new Series({
      maxSamples: this.config.maxSamplesPerSeries,
      retentionMs: this.config.retentionMs,
      rollupRetentionMs: this.config.rollupRetentionMs,
    });
    this.entries.push({ key: freeze({ edgeId: parsed.edgeId, metric: parsed.metric, labels: { ...parsed.labels } }, true), type, series });
    this.seriesByHandle.push(series);
    const edgeEntries = this.byEdge.get(parsed.edgeId) ?? [];
    edgeEntries.push(this.entries[handle] as Entry);
    this.byEdge.set(parsed.edgeId, edgeEntries);
    this.lowest.push(type.min ?? Number.NEGATIVE_INFINITY);
    this.highest.push(type.max ?? Number.POSITIVE_INFINITY);
    this.byKey.set(id, handle);
    return handle;
  }

  private entry(handle: SeriesHandle): Entry {
    const entry = Number.isSafeInteger(handle) ? this.entries[handle] : undefined;
    if (entry === undefined) throw ValidationError.of("series", `unknown series handle ${handle}`, "unknown_series");
    return entry;
  }

  /**
   * The fast ingest path: appends to a series by handle. Throws a {@link ValidationError} (and stores
   * nothing) for a value outside the metric type's range, a timestamp more than `maxFutureMs` ahead of
   * the clock, or a timestamp older than the series' last.
   */
  appendTo(handle: SeriesHandle, value: number, timestamp?: number): void {
    const series = Number.isSafeInteger(handle) ? this.seriesByHandle[handle] : undefined;
    if (series === undefined) throw ValidationError.of("series", `unknown series handle ${String(handle)}`, "unknown_series");
    // Comparisons below would coerce a string; a NaN timestamp would pass as "not in the future".
    if (timestamp !== undefined && (typeof timestamp !== "number" || !Number.isFinite(timestamp))) {
      throw ValidationError.of("timestamp", `must be a finite number, got ${String(timestamp)}`, "not_finite");
    }
    // `v - v === 0` holds for finite numbers only (not NaN, not the infinities an unbounded range would let through).
    if (typeof value !== "number" || !(value >= (this.lowest[handle] as number) && value <= (this.highest[handle] as number)) || value - value !== 0) {
      this.types.checkValue(this.entry(handle).type, value);
    }
    const now = this.clock.now();
    const t = timestamp ?? now;
    if (t > now + this.config.maxFutureMs) throw new ValidationError([this.futureIssue("timestamp", t, now)]);
    if (!(t >= series.lastTimestamp)) {
      throw ValidationError.of("timestamp", `samples must arrive in time order per series: ${t} is older than ${series.lastTimestamp}`, "out_of_order");
    }
    series.append(t, value);
  }

  private futureIssue(path: string, timestamp: number, now: number): ValidationIssue {
    return {
      path,
      message:
        `${timestamp} is ${timestamp - now} ms ahead of the clock (${now}), more than maxFutureMs (${this.config.maxFutureMs}): ` +
        "retention counts back from a sample's own time, so it would age out the series' history (seconds sent as ms, or a clock running ahead?)",
      code: "too_far_in_future",
    };
  }

  /**
   * Records one sample after validating all of it. Returns the series handle. A refused sample
   * leaves no trace, not even an empty series.
   */
  record(input: RecordInput): SeriesHandle {
    const parsed = parseWith(recordInputSchema, input);
    const now = this.clock.now();
    const timestamp = parsed.timestamp ?? now;
    // Checked before seriesId, which would otherwise create the series of a sample about to be refused.
    this.types.checkValue(this.types.get(parsed.metric), parsed.value);
    if (timestamp > now + this.config.maxFutureMs) throw new ValidationError([this.futureIssue("timestamp", timestamp, now)]);
    const handle = this.seriesId(parsed.edgeId, parsed.metric, parsed.labels);
    this.appendTo(handle, parsed.value, timestamp);
    return handle;
  }

  /**
   * Records a batch atomically: every sample is validated before any is stored, and one bad sample
   * (e.g. too far in the future) refuses the whole batch, each problem reported under
   * `samples[i]`. Returns each sample's series handle.
   */
  recordBatch(inputs: readonly RecordInput[]): SeriesHandle[] {
    const parsed = parseWith(z.array(recordInputSchema), inputs, "samples");
    const now = this.clock.now();
    const issues: ValidationIssue[] = [];
    const lastSeen = new Map<string, number>();
    const newSeries = new Set<string>();
    for (const [i, s] of parsed.entries()) {
      const type = this.types.has(s.metric) ? this.types.get(s.metric) : undefined;
      if (type === undefined) {
        issues.push({ path: `samples[${i}].metric`, message: `unknown metric type "${s.metric}"`, code: "unknown_metric_type" });
        continue;
      }
      try {
        this.types.checkValue(type, s.value, `samples[${i}].value`);
      } catch (error) {
        if (error instanceof ValidationError) issues.push(...error.issues);
      }
      const id = `${s.edgeId}\u0000${s.metric}\u0000${labelsKey(s.labels)}`;
      const handle = this.byKey.get(id);
      const last = lastSeen.get(id) ?? (handle === undefined ? -Infinity : this.entry(handle).series.lastTimestamp);
      if (handle === undefined) newSeries.add(id);
      const t = s.timestamp ?? now;
      if (t > now + this.config.maxFutureMs) {
        // Not remembered as the series' latest, so the samples after it are judged on their own.
        issues.push(this.futureIssue(`samples[${i}].timestamp`, t, now));
        continue;
      }
      if (t < last) issues.push({ path: `samples[${i}].timestamp`, message: `out of time order for its series (${t} < ${last})`, code: "out_of_order" });
      lastSeen.set(id, Math.max(last, t));
    }
    if (this.entries.length + newSeries.size > this.config.maxSeries) {
      issues.push({ path: "samples", message: `the batch would exceed the store's maximum of ${this.config.maxSeries} series`, code: "too_many_series" });
    }
    if (issues.length > 0) throw new ValidationError(issues);
    return parsed.map((s) => {
      const handle = this.seriesId(s.edgeId, s.metric, s.labels);
      this.appendTo(handle, s.value, s.timestamp ?? now);
      return handle;
    });
  }

  /** Drops data older than the retention ages, on every series. */
  compact(): void {
    const now = this.clock.now();
    for (const e of this.entries) e.series.enforceAge(now);
  }

  private matching(filter: { edgeId?: string; metric?: string; labels?: Readonly<Record<string, string>> }): Entry[] {
    const candidates = filter.edgeId === undefined ? this.entries : (this.byEdge.get(filter.edgeId) ?? []);
    return candidates.filter(
      (e) =>
        (filter.metric === undefined || e.key.metric === filter.metric) &&
        (filter.labels === undefined || Object.entries(filter.labels).every(([k, v]) => e.key.labels[k] === v)),
    );
  }

  /** Statistics per matching series over `[from, to]`. */
  query(input: QueryInput = {}): SeriesStats[] {
    const q = parseWith(queryInputSchema, input, "query");
    if (q.metric !== undefined) this.types.get(q.metric, "query.metric");
    const now = this.clock.now();
    const to = q.to ?? now;
    const from = q.from ?? Number.NEGATIVE_INFINITY;
    if (from > to) throw ValidationError.of("query.from", `from (${from}) must not be after to (${to})`, "invalid_range");
    return this.matching(q).map((e) => {
      e.series.enforceAge(now);
      let stats: RangeStats;
      if (q.resolution === "raw" || (q.resolution === "auto" && e.series.rawCovers(from))) {
        stats = e.series.rawStats(from, to, this.config.relativeAccuracy);
      } else {
        stats = e.series.rollupStats(from, to, q.resolution === "auto" ? undefined : (q.resolution as RollupTier));
      }
      return Object.freeze({ key: e.key, stats });
    });
  }

  /** Raw samples of one series in `[from, to]`, oldest first. */
  samples(key: { edgeId: string; metric: string; labels?: Labels }, from = Number.NEGATIVE_INFINITY, to = this.clock.now()): Sample[] {
    parseWith(samplesArgsSchema, { key, from, to });
    const handle = this.byKey.get(`${key.edgeId}\u0000${key.metric}\u0000${labelsKey(key.labels ?? {})}`);
    if (handle === undefined) return [];
    const entry = this.entry(handle);
    entry.series.enforceAge(this.clock.now());
    const { timestamps, values } = entry.series.samples(from, to);
    return Array.from(timestamps, (timestamp, i) => Object.freeze({ timestamp, value: values[i] as number }));
  }

  /** The latest sample of every matching series. */
  latest(filter: { edgeId?: string; metric?: string } = {}): Array<{ key: SeriesKey; timestamp: number; value: number }> {
    parseWith(filterSchema, filter, "filter");
    return this.matching(filter)
      .filter((e) => Number.isFinite(e.series.lastTimestamp))
      .map((e) => Object.freeze({ key: e.key, timestamp: e.series.lastTimestamp, value: e.series.lastValue }));
  }

  /** The key of a series handle. */
  keyOf(handle: SeriesHandle): SeriesKey {
    return this.entry(handle).key;
  }

  /** Series keys, optionally for one edge. */
  keys(edgeId?: string): SeriesKey[] {
    if (edgeId !== undefined) parseWith(nameSchema, edgeId, "edgeId");
    return this.matching({ edgeId }).map((e) => e.key);
  }

  /** Edges with at least one series, sorted. */
  edges(): string[] {
    return [...this.byEdge.keys()].sort();
  }

  /** Counts and memory held by the stored samples and roll-ups. */
  footprint(): { series: number; samples: number; bytes: number } {
    let samples = 0;
    let bytes = 0;
    for (const e of this.entries) {
      samples += e.series.size;
      bytes += e.series.bytes;
    }
    return { series: this.entries.length, samples, bytes };
  }
}
