/**
 * What the cost ledger records: assets (machines, billed per hour), workloads' requests and usage
 * on them, and shared costs (control plane, monitoring, support) to split over the workloads.
 *
 * Times are ms on the engine's clock; CPU in cores, memory in GB, averaged over the record's window.
 *
 * @module
 */
import { z } from "zod";
import { PROVIDERS, PURCHASE_OPTIONS } from "./catalog-schema.js";

const id = z.string().trim().min(1, "must not be empty").max(200);
const time = z.number().finite().min(0);
const amount = z.number().finite().min(0);

/** A machine over a time window. Capacity and price come from the catalog when `instanceType` is given. */
export const assetRecordSchema = z
  .object({
    kind: z.literal("asset"),
    id,
    edgeId: id,
    provider: z.enum(PROVIDERS),
    region: id,
    instanceType: id.optional(),
    purchaseOption: z.enum(PURCHASE_OPTIONS).default("on_demand"),
    /** Required without `instanceType`. */
    vcpu: z.number().finite().positive().optional(),
    memoryGb: z.number().finite().positive().optional(),
    gpu: z.number().int().min(0).optional(),
    /** What the window cost; default: the catalog's effective hourly rate × hours. */
    cost: amount.optional(),
    start: time,
    end: time,
  })
  .strict();

/** A workload's average request and usage on an asset over a window. */
export const costUsageRecordSchema = z
  .object({
    kind: z.literal("usage"),
    assetId: id,
    workloadId: id,
    cpuRequest: amount.default(0),
    cpuUsage: amount.default(0),
    memoryRequestGb: amount.default(0),
    memoryUsageGb: amount.default(0),
    gpuRequest: amount.default(0),
    start: time,
    end: time,
  })
  .strict();

/** A cost not tied to one workload, split over those running in its window. */
export const sharedCostRecordSchema = z.object({ kind: z.literal("shared"), name: id, cost: amount, start: time, end: time }).strict();

/** Any ledger record. */
export const costRecordSchema = z.discriminatedUnion("kind", [assetRecordSchema, costUsageRecordSchema, sharedCostRecordSchema]).superRefine((r, ctx) => {
  if (!(r.end > r.start)) ctx.addIssue({ code: "custom", path: ["end"], message: `end (${r.end}) must be after start (${r.start})` });
});
/** A ledger record as a user writes it. */
export type CostRecordInput = z.input<typeof costRecordSchema>;
/** A validated ledger record. */
export type CostRecord = z.output<typeof costRecordSchema>;

/** How shared costs are split over workloads. */
export const SHARE_MODES = ["even", "proportional"] as const;

/** An allocation query. */
export const costAllocationQuerySchema = z
  .object({
    from: time.optional(),
    to: time.optional(),
    /** `even`: the same share to every workload; `proportional`: by allocated cost. */
    shareMode: z.enum(SHARE_MODES).default("proportional"),
  })
  .strict();
/** An allocation query as a user writes it. */
export type CostAllocationQuery = z.input<typeof costAllocationQuerySchema>;

const finite = z.number().finite();

/** Costs of one group (workload, edge, provider). */
export const costBreakdownSchema = z.object({
  key: z.string(),
  cpuCost: finite,
  memoryCost: finite,
  gpuCost: finite,
  sharedCost: finite,
  /** Idle asset cost (edges and providers only; 0 for workloads). */
  idleCost: finite,
  totalCost: finite,
});
/** Costs of one group. */
export type CostBreakdown = z.infer<typeof costBreakdownSchema>;

/** An allocation of a window's costs. `assetCost + sharedCost = allocatedCost + idleCost + sharedCost` by construction. */
export const costAllocationSchema = z.object({
  from: finite,
  to: finite,
  shareMode: z.enum(SHARE_MODES),
  assetCost: finite,
  allocatedCost: finite,
  idleCost: finite,
  sharedCost: finite,
  /** Shared cost in a window with no workload to carry it. */
  unallocatedSharedCost: finite,
  totalCost: finite,
  byWorkload: z.array(costBreakdownSchema),
  byEdge: z.array(costBreakdownSchema),
  byProvider: z.array(costBreakdownSchema),
  byResource: z.object({ cpu: finite, memory: finite, gpu: finite, idle: finite, shared: finite }),
  explanation: z.array(z.string()),
});
/** An allocation. */
export type CostAllocation = z.infer<typeof costAllocationSchema>;
