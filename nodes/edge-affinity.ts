/**
 * The `EdgeAffinity` node: places workloads on edges of the shared {@link EdgeInfrastructure}
 * (filters, weighted scores, an explanation per decision), optionally committing the resources, and
 * analyses whether jobs belong on FaaS, VMs or both.
 *
 * @module
 */
import { z } from "zod";
import { EdgeInfrastructure } from "../src/infra/infrastructure.js";
import { deploymentJobSchema, analyzeDeployment } from "../src/placement/deployment.js";
import { MEASURED_RTTS } from "../src/placement/geo.js";
import { AFFINITY_PLACER, AffinityPlacer, placementOrder, UnschedulableError } from "../src/placement/placer.js";
import { placementPolicySchema, workloadSchema } from "../src/placement/schemas.js";
import type { PlacementDecision, Workload } from "../src/placement/types.js";
import { defineNode, fromConfigOrInput } from "../src/workflow/node.js";

const policy = placementPolicySchema.optional();

const config = z.discriminatedUnion("operation", [
  z.object({
    operation: z.literal("place"),
    /** May instead arrive on the `workload` input. */
    workload: workloadSchema.optional(),
    /** Placement policy for this node; absent = the shared placer's (default policy unless one was registered). */
    policy,
    /** Allocate the workload's requests on the chosen edge in the registry. */
    commit: z.boolean().default(false),
    /** Return an unplaced decision instead of failing when no edge fits. */
    allowUnplaced: z.boolean().default(false),
  }),
  z.object({
    operation: z.literal("place_batch"),
    /** May instead arrive on the `workloads` input. */
    workloads: z.array(workloadSchema).optional(),
    policy,
    commit: z.boolean().default(false),
  }),
  z.object({ operation: z.literal("explain"), workload: workloadSchema.optional(), policy }),
  z.object({
    operation: z.literal("analyze_deployment"),
    /** May instead arrive on the `jobs` input. */
    jobs: z.array(deploymentJobSchema).optional(),
    /** Deployment policy (provider, memoryMb, timeoutSec, fallbackToVm, customProviders); safe defaults. */
    deploymentPolicy: z.unknown().optional(),
  }),
]);

export const EdgeAffinity = defineNode({
  type: "EdgeAffinity",
  description: "Places workloads on edges by filters and weighted scores, explains decisions, and analyses FaaS-vs-VM deployment.",
  config,
  inputs: z.object({
    workload: workloadSchema.optional(),
    workloads: z.array(workloadSchema).optional(),
    jobs: z.array(deploymentJobSchema).optional(),
  }),
  outputs: z.object({
    /** The operation's result: a decision, a batch, an explanation or a deployment analysis. */
    result: z.unknown(),
    /** The chosen edge for `place` / `explain` (`null` when none fits). */
    edgeId: z.string().nullable().optional(),
  }),
  run: async (ctx, cfg, inputs) => {
    if (cfg.operation === "analyze_deployment") {
      const jobs = fromConfigOrInput(cfg.operation, "jobs", "jobs", cfg.jobs, inputs.jobs);
      return { result: analyzeDeployment(jobs, cfg.deploymentPolicy ?? {}) };
    }
    const infrastructure = EdgeInfrastructure.from(ctx.infrastructure);
    const rtts = infrastructure.tryGet(MEASURED_RTTS);
    const placer =
      cfg.policy === undefined
        ? infrastructure.getOrCreate(AFFINITY_PLACER, () => new AffinityPlacer({}, rtts === undefined ? {} : { rtts }))
        : new AffinityPlacer(cfg.policy, rtts === undefined ? {} : { rtts });
    const edges = infrastructure.edges();
    const commit = (decisions: readonly PlacementDecision[], workloads: readonly Workload[]): void => {
      // Placement and commit run in one synchronous step, so the registry cannot change in between;
      // committing in placement's own order adds the requests up exactly as placement did.
      const done: Array<{ edgeId: string; requests: Record<string, number> }> = [];
      try {
        for (const i of placementOrder(workloads)) {
          const edgeId = decisions[i]?.edgeId ?? null;
          // Zero requests are dropped: an edge without, say, a gpu can take a workload asking for 0 gpus.
          const requests = Object.fromEntries(Object.entries(workloads[i]?.requests ?? {}).filter(([, amount]) => amount > 0));
          if (edgeId === null || Object.keys(requests).length === 0) continue;
          infrastructure.allocate(edgeId, requests);
          done.push({ edgeId, requests });
        }
      } catch (error) {
        // Nothing half-applied: give back what this batch had already taken.
        for (const { edgeId, requests } of done.reverse()) infrastructure.free(edgeId, requests);
        throw error;
      }
    };
    switch (cfg.operation) {
      case "place": {
        const workload = fromConfigOrInput(cfg.operation, "workload", "a workload", cfg.workload, inputs.workload) as Workload;
        const decision = placer.place(edges, workload);
        if (decision.edgeId === null && !cfg.allowUnplaced) throw new UnschedulableError(decision);
        if (cfg.commit) commit([decision], [workload]);
        return { result: decision, edgeId: decision.edgeId };
      }
      case "place_batch": {
        const workloads = fromConfigOrInput(cfg.operation, "workloads", "workloads", cfg.workloads, inputs.workloads) as Workload[];
        const batch = placer.placeBatch(edges, workloads);
        if (cfg.commit) commit(batch.decisions, workloads);
        return { result: batch };
      }
      case "explain": {
        const workload = fromConfigOrInput(cfg.operation, "workload", "a workload", cfg.workload, inputs.workload) as Workload;
        const explanation = placer.explain(edges, workload);
        return { result: explanation, edgeId: explanation.edgeId };
      }
    }
  },
});
