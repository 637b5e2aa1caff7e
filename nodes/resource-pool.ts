/**
 * The `ResourcePool` node's operations: allocate, release, utilization and preempt on the shared
 * {@link ResourcePoolManager}. Each operation has its own config and output schemas, ready for the
 * per-operation form of `defineNode`.
 *
 * @module
 */
import { z } from "zod";
import { ResourceExhaustedError } from "../src/resources/errors.js";
import { RESOURCE_POOLS, ResourcePoolManager } from "../src/resources/manager.js";
import { allocationSchema, allocationStrategySchema, poolConfigSchema, poolUtilizationSchema, resourceVectorSchema } from "../src/resources/schemas.js";
import type { NodeContext } from "../src/workflow/node.js";
import { defineNode, fromConfigOrInput } from "../src/workflow/node.js";

const fragmentationSchema = z.object({
  perResource: z.record(z.string(), z.object({ free: z.number(), largestFree: z.number(), fragmentation: z.number(), stranded: z.number() })),
  strandedFraction: z.number(),
});

/** Input ports shared by the operations. */
export const resourcePoolInputs = z.object({
  /** Amounts for `allocate` when the config has none. */
  resources: resourceVectorSchema.optional(),
  /** Allocation id for `release` when the config has none. */
  allocationId: z.string().min(1).optional(),
});

const poolName = z.string().min(1).default("default");

function manager(ctx: NodeContext): ResourcePoolManager {
  return ctx.infrastructure.getOrCreate(RESOURCE_POOLS, () => new ResourcePoolManager({ clock: ctx.clock }));
}

const allocateConfig = z.object({
      pool: poolName,
      /** Creates the pool with this configuration when it does not exist yet. */
      define: poolConfigSchema.omit({ name: true }).partial().optional(),
      requester: z.string().min(1),
      resources: resourceVectorSchema.optional(),
      priority: z.number().int().optional(),
      preemptible: z.boolean().optional(),
      durationMs: z.number().positive().optional(),
      reservationId: z.string().min(1).optional(),
      edgeId: z.string().min(1).optional(),
      strategy: allocationStrategySchema.optional(),
    });
const releaseConfig = z.object({ pool: poolName, allocationId: z.string().min(1).optional() });
const utilizationConfig = z.object({ pool: poolName, strandThreshold: z.number().gt(0).lt(1).default(0.05) });
const preemptConfig = z
  .object({ pool: poolName, ids: z.array(z.string().min(1)).optional(), belowPriority: z.number().int().optional(), edgeId: z.string().min(1).optional() })
  .refine((c) => c.ids !== undefined || c.belowPriority !== undefined, { message: "give ids or belowPriority", path: ["ids"] });
type Inputs = z.output<typeof resourcePoolInputs>;

/** The operations of the `ResourcePool` node. */
export const resourcePoolOperations = {
  allocate: {
    config: allocateConfig,
    outputs: z.object({ allocation: allocationSchema, preempted: z.array(allocationSchema) }),
    run: async (ctx: NodeContext, cfg: z.output<typeof allocateConfig>, inputs: Inputs) => {
      const pools = manager(ctx);
      if (!pools.poolNames().includes(cfg.pool) && cfg.define !== undefined) pools.addPool({ ...cfg.define, name: cfg.pool });
      const resources = fromConfigOrInput("allocate", "resources", "resource amounts", cfg.resources, inputs.resources);
      const { pool: name, define: _define, ...request } = cfg;
      const result = pools.pool(name).tryAllocate({ ...request, resources });
      if (!result.ok) throw new ResourceExhaustedError(result.requester, result.explanation);
      return { allocation: result.allocation, preempted: [...result.preempted] };
    },
  },
  release: {
    config: releaseConfig,
    outputs: z.object({ released: allocationSchema }),
    run: async (ctx: NodeContext, cfg: z.output<typeof releaseConfig>, inputs: Inputs) => {
      const id = fromConfigOrInput("release", "allocationId", "an allocation id", cfg.allocationId, inputs.allocationId);
      return { released: manager(ctx).pool(cfg.pool).release(id) };
    },
  },
  utilization: {
    config: utilizationConfig,
    outputs: z.object({ utilization: poolUtilizationSchema, fragmentation: fragmentationSchema }),
    run: async (ctx: NodeContext, cfg: z.output<typeof utilizationConfig>) => {
      const pool = manager(ctx).pool(cfg.pool);
      const utilization = pool.utilization();
      return { utilization: { ...utilization, edges: [...utilization.edges] }, fragmentation: pool.fragmentation(cfg.strandThreshold) };
    },
  },
  preempt: {
    config: preemptConfig,
    outputs: z.object({ preempted: z.array(allocationSchema) }),
    run: async (ctx: NodeContext, cfg: z.output<typeof preemptConfig>) => {
      const { pool, ...selector } = cfg;
      return { preempted: manager(ctx).pool(pool).preempt(selector) };
    },
  },
};

/**
 * The `ResourcePool` node type. Exported as `ResourcePoolNode` because the engine class of the same name is public too.
 */
export const ResourcePoolNode = defineNode({
  type: "ResourcePool",
  description: "Allocates, releases and preempts resources in a pool of edges, and reports its utilisation and fragmentation.",
  inputs: resourcePoolInputs,
  operations: resourcePoolOperations,
});
