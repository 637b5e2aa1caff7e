/**
 * `Deploy`: the deployment system of the simulated fleet, as a user-defined node. It starts each
 * placed workload on its edge through the shared workload adapter and keeps a replica on another
 * edge of the same compliance zone, which an emergency migration restores from when the edge dies.
 */
import { z } from "zod";
import { EdgeInfrastructure, InMemoryWorkloadAdapter, MIGRATION_ADAPTER, defineNode, workloadSchema } from "../../../src/index.js";

export const Deploy = defineNode({
  type: "Deploy",
  description: "Starts placed workloads on their edges, each with a replica in its zone.",
  config: z.object({}),
  inputs: z.object({
    workloads: z.array(workloadSchema),
    /** The chosen edge per workload, in workload order (`null`: not placed). */
    edgeIds: z.array(z.string().nullable()),
  }),
  outputs: z.object({ edgeIds: z.array(z.string().nullable()) }),
  run: async (ctx, _config, { workloads, edgeIds }) => {
    const adapter = ctx.infrastructure.get(MIGRATION_ADAPTER);
    if (!(adapter instanceof InMemoryWorkloadAdapter)) throw new TypeError("Deploy needs the in-memory workload adapter");
    const edges = EdgeInfrastructure.from(ctx.infrastructure).edges();
    workloads.forEach((w, i) => {
      const edgeId = edgeIds[i];
      if (edgeId === null || edgeId === undefined) return;
      const data = new Map([[`${w.id}/state`, new TextEncoder().encode(`state of ${w.id}`)]]);
      adapter.seed(w.id, edgeId, data);
      const zones = w.residency ?? [];
      const replica = edges.find((e) => e.id !== edgeId && e.complianceZones.some((z) => zones.includes(z)));
      if (replica !== undefined) adapter.addReplica(w.id, replica.id, data, ctx.clock.now());
    });
    return { edgeIds };
  },
});
