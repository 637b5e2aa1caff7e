/**
 * zod schemas for workloads and the placement policy, with the policy's defaults.
 *
 * @module
 */
import { z } from "zod";
import { coordinatesSchema, healthSchema, labelSelectorSchema, lifecycleStateSchema } from "../infra/schemas.js";
import { DEFAULT_RTT_MODEL } from "./geo.js";
import type { PlacementPolicy } from "./types.js";

const nonEmpty = z.string().trim().min(1, "must not be empty");
const amount = z.number().finite().nonnegative();

export const userLocationSchema = coordinatesSchema.extend({
  id: nonEmpty.optional(),
  weight: z.number().finite().positive().optional(),
});

export const antiAffinityRuleSchema = z.object({
  selector: labelSelectorSchema,
  scope: z.enum(["edge", "region"]).optional(),
});

export const workloadSchema = z.object({
  id: nonEmpty,
  requests: z.record(nonEmpty, amount).optional(),
  users: z.array(userLocationSchema).optional(),
  dataEdges: z.array(nonEmpty).optional(),
  dataRegions: z.array(nonEmpty).optional(),
  edgeSelector: labelSelectorSchema.optional(),
  capabilities: z.array(nonEmpty).optional(),
  residency: z.array(nonEmpty).min(1, "name at least one compliance zone, or omit residency").optional(),
  maxRttMs: z.number().finite().positive().optional(),
  labels: z.record(nonEmpty, z.string()).optional(),
  antiAffinity: z.array(antiAffinityRuleSchema).optional(),
  priority: z.number().finite().optional(),
});

export const workloadsSchema = z.array(workloadSchema).superRefine((workloads, ctx) => {
  const seen = new Set<string>();
  workloads.forEach((w, i) => {
    if (seen.has(w.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate workload id "${w.id}"` });
    seen.add(w.id);
  });
});

/** The defaults every omitted policy field takes. */
export const DEFAULT_PLACEMENT_POLICY: PlacementPolicy = Object.freeze({
  weights: Object.freeze({ latency: 3, locality: 2, balance: 1, cost: 1 }),
  balance: "least_allocated",
  allowedHealth: Object.freeze(["healthy", "degraded"] as const),
  allowedLifecycleStates: Object.freeze(["active"] as const),
  percentageOfEdgesToScore: 100,
  minFeasibleEdgesToFind: 100,
  latencyCeilingMs: 300,
  rttModel: DEFAULT_RTT_MODEL,
  seed: 0,
});

const weight = z.number().finite().nonnegative();
const d = DEFAULT_PLACEMENT_POLICY;

/** A policy as a user writes it: every field optional, defaults from {@link DEFAULT_PLACEMENT_POLICY}. */
export const placementPolicySchema = z
  .object({
    weights: z
      .object({
        latency: weight.default(d.weights.latency),
        locality: weight.default(d.weights.locality),
        balance: weight.default(d.weights.balance),
        cost: weight.default(d.weights.cost),
      })
      .strict()
      .default(d.weights),
    balance: z.enum(["least_allocated", "most_allocated"]).default(d.balance),
    allowedHealth: z.array(healthSchema).min(1).default([...d.allowedHealth]),
    allowedLifecycleStates: z.array(lifecycleStateSchema).min(1).default([...d.allowedLifecycleStates]),
    percentageOfEdgesToScore: z.number().min(0).max(100).default(d.percentageOfEdgesToScore),
    minFeasibleEdgesToFind: z.number().int().positive().default(d.minFeasibleEdgesToFind),
    latencyCeilingMs: z.number().finite().positive().default(d.latencyCeilingMs),
    rttModel: z
      .object({
        baseMs: amount.default(d.rttModel.baseMs),
        fibreKmPerMs: z.number().finite().positive().default(d.rttModel.fibreKmPerMs),
        routeFactor: z.number().finite().min(1).default(d.rttModel.routeFactor),
      })
      .strict()
      .default(d.rttModel),
    seed: z.number().int().default(d.seed),
  })
  .strict();

/** What users pass for a policy. */
export type PlacementPolicyInput = z.input<typeof placementPolicySchema>;
