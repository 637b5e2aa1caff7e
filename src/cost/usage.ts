/**
 * Right-sizing evidence from the monitoring engine: the 99.5th percentile of an edge's CPU and memory
 * utilisation over the last 14 days, as AWS Compute Optimizer uses it (with 20 % headroom added by the
 * strategy). Percentiles are exact, over the raw samples the store still holds; a store that keeps
 * less than the window (its `retentionMs`) yields less evidence, and the confidence says so.
 *
 * @module
 */
import { quantileSorted } from "simple-statistics";
import { z } from "zod";
import { parseWith } from "../core/validation.js";
import type { MetricStore } from "../monitoring/store.js";
import type { Labels } from "../monitoring/types.js";
import { RIGHTSIZING_WINDOW_DAYS } from "./candidates.js";
import type { CostWorkload } from "./workload.js";

const DAY_MS = 86_400_000;

/** Where an edge's utilisation series are and how far back to look. */
export const usageQuerySchema = z
  .object({
    edgeId: z.string().trim().min(1),
    /** Metric holding utilisation in percent (the built-in `resource_usage`). */
    metric: z.string().min(1).default("resource_usage"),
    cpuLabels: z.record(z.string(), z.string()).default({ resource: "cpu" }),
    memoryLabels: z.record(z.string(), z.string()).default({ resource: "memory" }),
    windowDays: z.number().gt(0).max(366).default(RIGHTSIZING_WINDOW_DAYS),
    /** Percentile, 0–100 (Compute Optimizer: 99.5). */
    percentile: z.number().gt(0).max(100).default(99.5),
  })
  .strict();
/** A usage query. */
export type UsageQuery = z.input<typeof usageQuerySchema>;

/** The percentiles and how many days of samples they rest on. */
export interface MonitoredEdgeUsage {
  readonly cpuP995: number;
  readonly memoryP995: number;
  readonly windowDays: number;
  readonly samples: number;
}

function percentileOf(store: MetricStore, edgeId: string, metric: string, labels: Labels, from: number, to: number, p: number): { value: number; spanMs: number; count: number } | null {
  const samples = store.samples({ edgeId, metric, labels }, from, to);
  if (samples.length === 0) return null;
  const values = samples.map((s) => s.value).sort((a, b) => a - b);
  const first = samples[0]?.timestamp ?? to;
  const last = samples[samples.length - 1]?.timestamp ?? to;
  return { value: quantileSorted(values, p / 100), spanMs: last - first, count: values.length };
}

/**
 * The edge's p99.5 CPU and memory utilisation over the window ending at `now`, or `null` when
 * either series has no samples in it.
 */
export function usageFromMonitoring(store: MetricStore, query: UsageQuery, now: number): MonitoredEdgeUsage | null {
  const q = parseWith(usageQuerySchema, query, "usage");
  const from = now - q.windowDays * DAY_MS;
  const cpu = percentileOf(store, q.edgeId, q.metric, q.cpuLabels, from, now, q.percentile);
  const memory = percentileOf(store, q.edgeId, q.metric, q.memoryLabels, from, now, q.percentile);
  if (cpu === null || memory === null) return null;
  return { cpuP995: cpu.value, memoryP995: memory.value, windowDays: Math.min(cpu.spanMs, memory.spanMs) / DAY_MS, samples: Math.min(cpu.count, memory.count) };
}

/**
 * Fills in `usage` of every workload that has an `edgeId` and no usage of its own, from that edge's
 * series in the store. Workloads whose edge has no samples are returned unchanged.
 */
export function withMonitoredUsage<W extends Pick<CostWorkload, "edgeId" | "usage">>(workloads: readonly W[], store: MetricStore, now: number, query: Omit<UsageQuery, "edgeId"> = {}): W[] {
  return workloads.map((w) => {
    if (w.usage !== undefined || w.edgeId === undefined) return w;
    const usage = usageFromMonitoring(store, { ...query, edgeId: w.edgeId }, now);
    return usage === null ? w : { ...w, usage: { cpuP995: usage.cpuP995, memoryP995: usage.memoryP995, windowDays: usage.windowDays } };
  });
}
