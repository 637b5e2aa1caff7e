/**
 * zod schemas for everything the registry accepts, so bad input is refused with a path and a reason
 * before any state changes.
 *
 * @module
 */
import { z } from "zod";
import { EDGE_HEALTH_VALUES, EDGE_LIFECYCLE_STATES, type EdgeHealthStatus, type EdgeLifecycleState } from "./types.js";

const nonEmpty = z.string().trim().min(1, "must not be empty").max(256);

export const coordinatesSchema = z.object({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});

const amount = z.number().finite().nonnegative();

/** `cpu` and `memoryMb` required, any other resource by name. */
export const resourcesSchema = z.object({ cpu: amount, memoryMb: amount }).catchall(amount);

export const partialResourcesSchema = z.record(z.string().min(1).max(256), amount);

export const healthSchema = z.enum(EDGE_HEALTH_VALUES as [EdgeHealthStatus, ...EdgeHealthStatus[]]);
export const lifecycleStateSchema = z.enum(EDGE_LIFECYCLE_STATES as [EdgeLifecycleState, ...EdgeLifecycleState[]]);

const labelsSchema = z.record(nonEmpty, z.string().max(1024));

export const labelRequirementSchema = z
  .object({
    key: nonEmpty,
    operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
    values: z.array(z.string()).optional(),
  })
  .refine((r) => (r.operator === "In" || r.operator === "NotIn" ? (r.values?.length ?? 0) > 0 : r.values === undefined || r.values.length === 0), {
    message: "In/NotIn need at least one value; Exists/DoesNotExist take none",
    path: ["values"],
  });

export const labelSelectorSchema = z.object({
  matchLabels: labelsSchema.optional(),
  matchExpressions: z.array(labelRequirementSchema).optional(),
});

const edgeFields = {
  region: nonEmpty,
  coordinates: coordinatesSchema,
  capacity: resourcesSchema,
  allocated: partialResourcesSchema.optional(),
  costPerHour: amount.optional(),
  labels: labelsSchema.optional(),
  capabilities: z.array(nonEmpty).optional(),
  complianceZones: z.array(nonEmpty).optional(),
  health: healthSchema.optional(),
  lifecycleState: lifecycleStateSchema.optional(),
};

export const edgeSpecSchema = z.object({ id: nonEmpty, ...edgeFields });

/** An {@link EdgeRecord} as another registry holds it: every field present. */
export const edgeRecordSchema = z.object({
  id: nonEmpty,
  ...edgeFields,
  allocated: partialResourcesSchema,
  costPerHour: amount,
  labels: labelsSchema,
  capabilities: z.array(nonEmpty),
  complianceZones: z.array(nonEmpty),
  health: healthSchema,
  lifecycleState: lifecycleStateSchema,
  revision: z.number().int().positive(),
  updatedAt: z.number().finite(),
});

export const edgePatchSchema = z
  .object({
    region: edgeFields.region.optional(),
    coordinates: edgeFields.coordinates.optional(),
    capacity: edgeFields.capacity.optional(),
    allocated: edgeFields.allocated,
    costPerHour: edgeFields.costPerHour,
    labels: edgeFields.labels,
    capabilities: edgeFields.capabilities,
    complianceZones: edgeFields.complianceZones,
    health: edgeFields.health,
    lifecycleState: edgeFields.lifecycleState,
  })
  .strict();

export const edgeQuerySchema = z.object({
  selector: labelSelectorSchema.optional(),
  regions: z.array(nonEmpty).optional(),
  capabilities: z.array(nonEmpty).optional(),
  complianceZones: z.array(nonEmpty).optional(),
  health: z.array(healthSchema).optional(),
  lifecycleStates: z.array(lifecycleStateSchema).optional(),
});
