/**
 * The `EdgeDiscovery` node: registers and deregisters edges in the shared {@link EdgeInfrastructure}
 * and finds them by label selector, region, capability, compliance zone, health or lifecycle state.
 *
 * @module
 */
import { z } from "zod";
import { EdgeInfrastructure } from "../src/infra/infrastructure.js";
import { edgeQuerySchema, edgeSpecSchema } from "../src/infra/schemas.js";
import type { EdgeRecord, EdgeSpec } from "../src/infra/types.js";
import { defineNode, enginePort, fromConfigOrInput } from "../src/workflow/node.js";

const edgeIds = z.array(z.string());

export const EdgeDiscovery = defineNode({
  type: "EdgeDiscovery",
  description: "Registers, deregisters and finds edges in the shared infrastructure registry.",
  inputs: z.object({
    /** The edge to register when the config has none. */
    edge: edgeSpecSchema.optional(),
  }),
  operations: {
    register: {
      description: "Adds an edge to the registry.",
      /** `edge` may instead arrive on the `edge` input. */
      config: z.object({ edge: edgeSpecSchema.optional() }),
      outputs: z.object({ edge: enginePort<EdgeRecord>("an edge record"), edgeIds }),
      run: async (ctx, cfg, inputs) => {
        const spec = fromConfigOrInput(cfg.operation, "edge", "an edge", cfg.edge, inputs.edge);
        const edge = EdgeInfrastructure.from(ctx.infrastructure).registerEdge(spec as EdgeSpec);
        return { edge, edgeIds: [edge.id] };
      },
    },
    deregister: {
      description: "Removes an edge from the registry.",
      config: z.object({ edgeId: z.string().trim().min(1) }),
      outputs: z.object({ edge: enginePort<EdgeRecord>("an edge record"), edgeIds }),
      run: async (ctx, cfg) => {
        const edge = EdgeInfrastructure.from(ctx.infrastructure).deregisterEdge(cfg.edgeId);
        return { edge, edgeIds: [edge.id] };
      },
    },
    find: {
      description: "Finds edges by label selector, region, capability, compliance zone, health or lifecycle state.",
      config: z.object({ query: edgeQuerySchema.default({}) }),
      outputs: z.object({
        edges: z.array(enginePort<EdgeRecord>("an edge record")),
        /** Ids of the edges found, in id order. */
        edgeIds,
      }),
      run: async (ctx, cfg) => {
        const edges = EdgeInfrastructure.from(ctx.infrastructure).findEdges(cfg.query);
        return { edges: [...edges], edgeIds: edges.map((e) => e.id) };
      },
    },
  },
});
