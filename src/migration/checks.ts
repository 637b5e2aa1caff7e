/**
 * What the planner asks of the rest of the platform: free capacity on the target (resource pools) and
 * whether a workload may run there (placement filters). Small interfaces, so a resource pool or any
 * other inventory can answer them.
 *
 * @module
 */
import type { EdgeRecord } from "../infra/types.js";
import type { AffinityPlacer } from "../placement/placer.js";
import type { FilterName } from "../placement/types.js";
import type { MigrationWorkload } from "./types.js";

/** Free capacity per edge. A resource pool satisfies this by reporting capacity minus allocations. */
export interface CapacityChecker {
  /** Free amount of each resource on the edge, or `undefined` when the edge is unknown. */
  free(edgeId: string): Readonly<Record<string, number>> | undefined | Promise<Readonly<Record<string, number>> | undefined>;
}

/** Whether a workload may run on an edge. */
export interface ComplianceChecker {
  /** Sentences saying why the workload may not run on the edge; empty when it may. */
  violations(edgeId: string, workload: MigrationWorkload): readonly string[] | Promise<readonly string[]>;
}

/** Capacity from edge records (capacity minus allocated), e.g. `() => infrastructure.edges()`. */
export function capacityFromEdges(edges: () => readonly EdgeRecord[]): CapacityChecker {
  return {
    free(edgeId) {
      const edge = edges().find((e) => e.id === edgeId);
      if (edge === undefined) return undefined;
      const out: Record<string, number> = {};
      for (const [name, total] of Object.entries(edge.capacity)) out[name] = total - (edge.allocated[name] ?? 0);
      return out;
    },
  };
}

/** Filters that speak to compliance; capacity is the capacity checker's and latency is not a rule. */
const COMPLIANCE_FILTERS: ReadonlySet<FilterName> = new Set<FilterName>(["lifecycle", "health", "labels", "capabilities", "residency", "anti_affinity"]);

/**
 * Compliance through the placement engine's filters: the target must pass residency, capabilities,
 * labels, lifecycle, health and anti-affinity for each workload, exactly as placement would judge it.
 */
export function complianceFromPlacement(placer: AffinityPlacer, edges: () => readonly EdgeRecord[]): ComplianceChecker {
  return {
    violations(edgeId, workload) {
      const all = edges();
      if (!all.some((e) => e.id === edgeId)) return [`edge "${edgeId}" is not registered`];
      const explanation = placer.explain(all, {
        id: workload.id,
        ...(workload.residency === undefined ? {} : { residency: workload.residency }),
        ...(workload.capabilities === undefined ? {} : { capabilities: workload.capabilities }),
      });
      const evaluation = explanation.edges.find((e) => e.edgeId === edgeId);
      return (evaluation?.rejections ?? []).filter((r) => COMPLIANCE_FILTERS.has(r.filter)).map((r) => `${r.filter}: ${r.message}`);
    },
  };
}
