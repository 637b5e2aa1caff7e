/**
 * Zod schemas of the resource engine's inputs and outputs.
 *
 * @module
 */
import { z } from "zod";
import type { Allocation, ResourceDefinition } from "./types.js";

/** The resources every pool knows unless told otherwise. */
export const STANDARD_RESOURCES: readonly ResourceDefinition[] = Object.freeze([
  { name: "cpu", kind: "cpu", unit: "cores" },
  { name: "memory", kind: "memory", unit: "MiB" },
  { name: "gpu", kind: "gpu", unit: "devices" },
  { name: "storage", kind: "storage", unit: "GiB" },
  { name: "network", kind: "network", unit: "Mbps" },
] as const);

/** Schema of a {@link ResourceDefinition}. */
export const resourceDefinitionSchema = z.object({
  name: z.string().min(1).max(64),
  kind: z.enum(["cpu", "memory", "gpu", "storage", "network", "custom"]),
  unit: z.string().min(1).max(32),
});

/** Schema of an amount vector: non-negative finite amounts by resource name. */
export const resourceVectorSchema = z.record(z.string().min(1), z.number().finite().min(0));

/** Schema of an allocation strategy name. */
export const allocationStrategySchema = z.enum(["first_fit", "best_fit", "worst_fit", "round_robin", "priority", "fair_share"]);

/** Schema of one edge's capacity. */
export const edgeCapacitySchema = z.object({ edgeId: z.string().min(1), capacity: resourceVectorSchema });

/** Schema of a pool's configuration. */
export const poolConfigSchema = z.object({
  /** Pool name, used by the manager. */
  name: z.string().min(1).default("default"),
  strategy: allocationStrategySchema.default("first_fit"),
  /** Resources accounted for; default the five standard ones. Custom ones need `kind: "custom"` and a unit. */
  resources: z.array(resourceDefinitionSchema).min(1).optional(),
  /** Allowed allocation as a multiple of capacity: one ratio for all, or per resource (default 1). */
  oversubscription: z.union([z.number().finite().min(1).max(100), z.record(z.string(), z.number().finite().min(1).max(100))]).default(1),
  edges: z.array(edgeCapacitySchema).default([]),
});

/** What a caller may pass as a pool configuration. */
export type PoolConfigInput = z.input<typeof poolConfigSchema>;

/** Schema of an {@link AllocationRequest}. */
export const allocationRequestSchema = z.object({
  id: z.string().min(1).optional(),
  requester: z.string().min(1),
  resources: resourceVectorSchema,
  priority: z.number().int().min(-1_000_000).max(1_000_000).optional(),
  preemptible: z.boolean().optional(),
  durationMs: z.number().finite().positive().optional(),
  reservationId: z.string().min(1).optional(),
  edgeId: z.string().min(1).optional(),
  strategy: allocationStrategySchema.optional(),
});

/** Schema of a reservation request. */
export const reservationRequestSchema = z.object({
  id: z.string().min(1).optional(),
  holder: z.string().min(1),
  edgeId: z.string().min(1).optional(),
  resources: resourceVectorSchema,
  durationMs: z.number().finite().positive().optional(),
});

/** What a caller may pass to `ResourcePool.reserve`. */
export type ReservationRequestInput = z.input<typeof reservationRequestSchema>;

/** Schema of an {@link Allocation}, for node outputs. */
export const allocationSchema = z.object({
  id: z.string(),
  requester: z.string(),
  edgeId: z.string(),
  resources: z.record(z.string(), z.number()),
  priority: z.number(),
  preemptible: z.boolean(),
  grantedAt: z.number(),
  expiresAt: z.number().optional(),
  reservationId: z.string().optional(),
  strategy: allocationStrategySchema,
}) satisfies z.ZodType<Allocation>;

/** Schema of a {@link Shortfall}. */
export const shortfallSchema = z.object({
  resource: z.string(),
  unit: z.string(),
  requested: z.number(),
  available: z.number(),
  shortBy: z.number(),
});

/** Schema of an {@link AllocationExplanation}. */
export const allocationExplanationSchema = z.object({
  reason: z.enum(["no_capacity", "fragmented", "reservation", "edge"]),
  closestEdgeId: z.string().optional(),
  shortfalls: z.array(shortfallSchema),
  poolFree: z.record(z.string(), z.number()),
  message: z.string(),
});

const vector = z.record(z.string(), z.number());

/** Schema of an {@link EdgeUsage}. */
export const edgeUsageSchema = z.object({
  edgeId: z.string(),
  capacity: vector,
  limit: vector,
  allocated: vector,
  reserved: vector,
  free: vector,
  utilization: vector,
});

/** Schema of a {@link PoolUtilization}. */
export const poolUtilizationSchema = z.object({
  capacity: vector,
  allocated: vector,
  reserved: vector,
  free: vector,
  utilization: vector,
  allocations: z.number().int(),
  edges: z.array(edgeUsageSchema),
  dominantShares: z.record(z.string(), z.number()),
});
