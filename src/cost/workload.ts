/**
 * What the optimizer knows about a workload: where and on what it runs now, how much of it it uses,
 * how much interruption it tolerates, and what it is allowed to change (scale to zero, run as a
 * function, move elsewhere).
 *
 * @module
 */
import { z } from "zod";
import { HOURS_PER_MONTH, PROVIDERS, PURCHASE_OPTIONS } from "./catalog-schema.js";

/** How much spot interruption a workload tolerates. */
export const TOLERANCES = ["none", "low", "medium", "high"] as const;
/** An interruption tolerance. */
export type InterruptionTolerance = (typeof TOLERANCES)[number];

/**
 * Worst spot interruption rate (a bucket's upper edge) each tolerance accepts: `none` never runs on
 * spot, `low` only the `<5%` bucket, `medium` up to `10-15%`, `high` anything.
 */
export const TOLERANCE_MAX_INTERRUPTION: Readonly<Record<InterruptionTolerance, number>> = Object.freeze({ none: 0, low: 0.05, medium: 0.15, high: 1 });

/** How hard an interruption hits, per tolerance: the factor on a bucket's rate in the spot risk score. */
export const TOLERANCE_IMPACT: Readonly<Record<InterruptionTolerance, number>> = Object.freeze({ none: Infinity, low: 4, medium: 2, high: 1 });

const id = z.string().trim().min(1, "must not be empty").max(200);
const percent = z.number().finite().min(0).max(100);

/** Observed utilisation of the current instance type (e.g. from {@link usageFromMonitoring}). */
export const usageSchema = z
  .object({
    /** 99.5th percentile of CPU utilisation over the window, percent of the current type's vCPUs. */
    cpuP995: percent,
    /** 99.5th percentile of memory utilisation, percent of the current type's memory. */
    memoryP995: percent,
    /** Days of history the percentiles cover; right-sizing needs at least 30 hours. */
    windowDays: z.number().finite().min(0).max(3660),
  })
  .strict();

/** One workload as the optimizer sees it. */
export const costWorkloadSchema = z
  .object({
    id,
    edgeId: id.optional(),
    provider: z.enum(PROVIDERS),
    region: id,
    instanceType: id,
    purchaseOption: z.enum(PURCHASE_OPTIONS).default("on_demand"),
    /** Instances running. */
    count: z.number().int().min(1).max(1_000_000).default(1),
    /** Hours a month the instances run (730 = always on). */
    hoursPerMonth: z.number().finite().gt(0).max(HOURS_PER_MONTH).default(HOURS_PER_MONTH),
    usage: usageSchema.optional(),
    interruptionTolerance: z.enum(TOLERANCES).default("none"),
    /** Set when the workload could scale to zero between requests. */
    scaleToZero: z
      .object({
        /** Hours a month with traffic; the rest would be scaled to zero. */
        activeHoursPerMonth: z.number().finite().min(0).max(HOURS_PER_MONTH),
        /** Whether the callers accept a cold start after an idle spell. */
        coldStartTolerant: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /** Request profile, when the workload could run as a function. */
    requests: z
      .object({
        perMonth: z.number().finite().min(0),
        avgDurationMs: z.number().finite().positive(),
        memoryMb: z.number().finite().positive(),
        payloadMb: z.number().finite().min(0).default(0),
        state: z.enum(["none", "external", "local"]).default("none"),
      })
      .strict()
      .optional(),
    /** Where the workload may move, and what moving costs. Absent = it stays where it is. */
    relocation: z
      .object({
        allowed: z.array(z.object({ provider: z.enum(PROVIDERS), region: id.optional() }).strict()).min(1, "list at least one allowed destination"),
        /** Data to copy out, GB (priced at the source provider's egress rate). */
        dataGb: z.number().finite().min(0).default(0),
        /** One-off engineering cost of the move. */
        fixedCost: z.number().finite().min(0).default(0),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.scaleToZero !== undefined && w.scaleToZero.activeHoursPerMonth > w.hoursPerMonth) {
      ctx.addIssue({ code: "custom", path: ["scaleToZero", "activeHoursPerMonth"], message: `active hours (${w.scaleToZero.activeHoursPerMonth}) exceed hoursPerMonth (${w.hoursPerMonth})` });
    }
  });

/** A validated workload. */
export type CostWorkload = z.output<typeof costWorkloadSchema>;
/** A workload as a user writes it. */
export type CostWorkloadInput = z.input<typeof costWorkloadSchema>;

/** A fleet: workloads with unique ids. */
export const costFleetSchema = z
  .array(costWorkloadSchema)
  .max(1_000_000)
  .superRefine((ws, ctx) => {
    const seen = new Set<string>();
    ws.forEach((w, i) => {
      if (seen.has(w.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate workload id "${w.id}"` });
      seen.add(w.id);
    });
  });
