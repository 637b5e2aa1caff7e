/**
 * The `EdgeAffinity` node: places workloads on edges of the shared {@link EdgeInfrastructure}
 * (filters, weighted scores, an explanation per decision), optionally committing the resources, and
 * analyses whether jobs belong on FaaS, VMs or both.
 *
 * @module
 */
import { z } from "zod";
import { EdgeInfrastructure } from "../src/infra/infrastructure.js";
import { deploymentJobSchema, analyzeDeployment, type DeploymentAnalysis } from "../src/placement/deployment.js";
import { MEASURED_RTTS } from "../src/placement/geo.js";
import { AFFINITY_PLACER, AffinityPlacer, placementOrder, UnschedulableError } from "../src/placement/placer.js";
import { placementPolicySchema, workloadSchema } from "../src/placement/schemas.js";
import type { BatchPlacement, PlacementDecision, PlacementExplanation, Workload } from "../src/placement/types.js";
import { defineNode, enginePort, fromConfigOrInput, type NodeContext } from "../src/workflow/node.js";

const policy = placementPolicySchema.optional();

const inputs = z.object({
  workload: workloadSchema.optional(),
  workloads: z.array(workloadSchema).optional(),
  jobs: z.array(deploymentJobSchema).optional(),
});

function placerFor(ctx: NodeContext, configured: z.output<typeof policy>): { placer: AffinityPlacer; infrastructure: EdgeInfrastructure } {
  const infrastructure = EdgeInfrastructure.from(ctx.infrastructure);
  const rtts = infrastructure.tryGet(MEASURED_RTTS);
  const placer =
    configured === undefined
      ? infrastructure.getOrCreate(AFFINITY_PLACER, () => new AffinityPlacer({}, rtts === undefined ? {} : { rtts }))
      : new AffinityPlacer(configured, rtts === undefined ? {} : { rtts });
  return { placer, infrastructure };
}

/** Allocates each placed workload's requests on its edge, all or nothing. */
function commit(infrastructure: EdgeInfrastructure, decisions: readonly PlacementDecision[], workloads: readonly Workload[]): void {
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
}

const chosenEdge = z.string().nullable();

export const EdgeAffinity = defineNode({
  type: "EdgeAffinity",
  description: "Places workloads on edges by filters and weighted scores, explains decisions, and analyses FaaS-vs-VM deployment.",
  inputs,
  operations: {
    place: {
      description: "Places one workload (from the config or the `workload` input).",
      config: z.object({
        /** May instead arrive on the `workload` input. */
        workload: workloadSchema.optional(),
        /** Placement policy for this node; absent = the shared placer's (default policy unless one was registered). */
        policy,
        /** Allocate the workload's requests on the chosen edge in the registry. */
        commit: z.boolean().default(false),
        /** Return an unplaced decision instead of failing when no edge fits. */
        allowUnplaced: z.boolean().default(false),
      }),
      outputs: z.object({
        /** The decision: chosen edge, score and its components, and why other edges were rejected. */
        decision: enginePort<PlacementDecision>("a placement decision"),
        /** The chosen edge (`null` when none fits and `allowUnplaced` is set). */
        edgeId: chosenEdge,
      }),
      run: async (ctx, cfg, input) => {
        const { placer, infrastructure } = placerFor(ctx, cfg.policy);
        const workload = fromConfigOrInput(cfg.operation, "workload", "a workload", cfg.workload, input.workload) as Workload;
        const decision = placer.place(infrastructure.edges(), workload);
        if (decision.edgeId === null && !cfg.allowUnplaced) throw new UnschedulableError(decision);
        if (cfg.commit) commit(infrastructure, [decision], [workload]);
        return { decision, edgeId: decision.edgeId };
      },
    },
    place_batch: {
      description: "Places several workloads together, largest first, so capacity is shared out as one plan.",
      config: z.object({
        /** May instead arrive on the `workloads` input. */
        workloads: z.array(workloadSchema).optional(),
        policy,
        commit: z.boolean().default(false),
      }),
      outputs: z.object({
        /** One decision per workload, in input order, and the unplaced ones. */
        batch: enginePort<BatchPlacement>("a batch placement"),
        /** The chosen edge per workload, in input order (`null`: not placed). */
        edgeIds: z.array(chosenEdge),
      }),
      run: async (ctx, cfg, input) => {
        const { placer, infrastructure } = placerFor(ctx, cfg.policy);
        const workloads = fromConfigOrInput(cfg.operation, "workloads", "workloads", cfg.workloads, input.workloads) as Workload[];
        const batch = placer.placeBatch(infrastructure.edges(), workloads);
        if (cfg.commit) commit(infrastructure, batch.decisions, workloads);
        return { batch, edgeIds: batch.decisions.map((d) => d.edgeId) };
      },
    },
    explain: {
      description: "Explains, for every edge, why it was rejected or how it scored.",
      config: z.object({ workload: workloadSchema.optional(), policy }),
      outputs: z.object({
        explanation: enginePort<PlacementExplanation>("a placement explanation"),
        edgeId: chosenEdge,
      }),
      run: async (ctx, cfg, input) => {
        const { placer, infrastructure } = placerFor(ctx, cfg.policy);
        const workload = fromConfigOrInput(cfg.operation, "workload", "a workload", cfg.workload, input.workload) as Workload;
        const explanation = placer.explain(infrastructure.edges(), workload);
        return { explanation, edgeId: explanation.edgeId };
      },
    },
    analyze_deployment: {
      description: "Analyses whether jobs are cheaper on FaaS, on VMs, or split.",
      config: z.object({
        /** May instead arrive on the `jobs` input. */
        jobs: z.array(deploymentJobSchema).optional(),
        /** Deployment policy (provider, memoryMb, timeoutSec, fallbackToVm, customProviders); safe defaults. */
        deploymentPolicy: z.unknown().optional(),
      }),
      outputs: z.object({ analysis: enginePort<DeploymentAnalysis>("a deployment analysis") }),
      run: async (_ctx, cfg, input) => {
        const jobs = fromConfigOrInput(cfg.operation, "jobs", "jobs", cfg.jobs, input.jobs);
        return { analysis: analyzeDeployment(jobs, cfg.deploymentPolicy ?? {}) };
      },
    },
  },
});
