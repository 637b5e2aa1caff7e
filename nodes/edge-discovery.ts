/**
 * The `EdgeDiscovery` node: registers and deregisters edges in the shared {@link EdgeInfrastructure}
 * and finds them by label selector, region, capability, compliance zone, health or lifecycle state.
 *
 * @module
 */
import { z } from "zod";
import { EdgeInfrastructure } from "../src/infra/infrastructure.js";
import { edgeQuerySchema, edgeSpecSchema } from "../src/infra/schemas.js";
import type { EdgeSpec } from "../src/infra/types.js";
import { defineNode, fromConfigOrInput } from "../src/workflow/node.js";

const config = z.discriminatedUnion("operation", [
  /** `edge` may instead arrive on the `edge` input. */
  z.object({ operation: z.literal("register"), edge: edgeSpecSchema.optional() }),
  z.object({ operation: z.literal("deregister"), edgeId: z.string().trim().min(1) }),
  z.object({ operation: z.literal("find"), query: edgeQuerySchema.default({}) }),
]);

export const EdgeDiscovery = defineNode({
  type: "EdgeDiscovery",
  description: "Registers, deregisters and finds edges in the shared infrastructure registry.",
  config,
  inputs: z.object({
    /** The edge to register when the config has none. */
    edge: edgeSpecSchema.optional(),
  }),
  outputs: z.object({
    /** The operation's result: the edge registered or removed, or the edges found. */
    result: z.unknown(),
    /** Ids of the edges concerned, in id order. */
    edgeIds: z.array(z.string()),
  }),
  run: async (ctx, cfg, inputs) => {
    const infrastructure = EdgeInfrastructure.from(ctx.infrastructure);
    switch (cfg.operation) {
      case "register": {
        const spec = fromConfigOrInput(cfg.operation, "edge", "an edge", cfg.edge, inputs.edge);
        const edge = infrastructure.registerEdge(spec as EdgeSpec);
        return { result: edge, edgeIds: [edge.id] };
      }
      case "deregister": {
        const edge = infrastructure.deregisterEdge(cfg.edgeId);
        return { result: edge, edgeIds: [edge.id] };
      }
      case "find": {
        const edges = infrastructure.findEdges(cfg.query);
        return { result: edges, edgeIds: edges.map((e) => e.id) };
      }
    }
  },
});
