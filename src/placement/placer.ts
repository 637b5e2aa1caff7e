/**
 * {@link AffinityPlacer}: chooses edges for workloads in the shape of the Kubernetes scheduler —
 * filters, then weighted scores in [0, 100], a deterministic tie-break, and an explanation per decision.
 *
 * @module
 */
import { freeze } from "immer";
import { EdgeflowError } from "../core/errors.js";
import { Random } from "../core/random.js";
import { serviceKey, type ServiceKey } from "../core/services.js";
import { parseWith } from "../core/validation.js";
import type { EdgeRecord } from "../infra/types.js";
import { compileFleet } from "./fleet.js";
import type { RttTable } from "./geo.js";
import { placementPolicySchema, workloadSchema, workloadsSchema, type PlacementPolicyInput } from "./schemas.js";
import { FILTERS, PlacementSession, type SearchResult } from "./session.js";
import type {
  BatchPlacement,
  EdgeEvaluation,
  FilterName,
  PlacementDecision,
  PlacementExplanation,
  PlacementPolicy,
  Workload,
} from "./types.js";
import { compileWorkload } from "./workload.js";

/** The key under which nodes find a shared {@link AffinityPlacer} (one with the default policy is created on demand). */
export const AFFINITY_PLACER: ServiceKey<AffinityPlacer> = serviceKey<AffinityPlacer>("placement.affinity");

/**
 * No edge passed every filter. Carries the decision with its per-filter counts. Code `placement.unschedulable`.
 *
 * @example
 * ```ts
 * if (error instanceof UnschedulableError) console.log(error.decision.message);
 * ```
 */
export class UnschedulableError extends EdgeflowError {
  readonly decision: PlacementDecision;

  constructor(decision: PlacementDecision) {
    super("placement.unschedulable", `workload "${decision.workloadId}" cannot be placed: ${decision.message}`);
    this.decision = decision;
  }
}

function summary(total: number, evaluated: number, feasible: number, rejected: Partial<Record<FilterName, number>>, chosen?: string): string {
  const reasons = FILTERS.filter((f) => (rejected[f] ?? 0) > 0).map((f) => `${rejected[f]} ${f}`);
  const scope = evaluated < total ? ` (searched ${evaluated} of ${total})` : "";
  const head = `${feasible}/${evaluated} edges are available${scope}`;
  const tail = reasons.length > 0 ? `: ${reasons.join(", ")} refused` : "";
  return chosen === undefined ? `${head}${tail}` : `placed on ${chosen}; ${head}${tail}`;
}

/**
 * The order in which a batch is placed: higher `priority` first, ties in input order. Committing a
 * batch's requests in this same order reproduces placement's arithmetic exactly.
 */
export function placementOrder(workloads: ReadonlyArray<Pick<Workload, "priority">>): number[] {
  const priority = (i: number): number => workloads[i]?.priority ?? 0;
  return workloads.map((_w, i) => i).sort((a, b) => priority(b) - priority(a) || a - b);
}

/**
 * Affinity placement over a snapshot of edges (typically `infrastructure.edges()`).
 *
 * @example
 * ```ts
 * const placer = new AffinityPlacer({ weights: { latency: 4, cost: 1 } });
 * const decision = placer.place(infrastructure.edges(), {
 *   id: "api", requests: { cpu: 2, memoryMb: 2048 }, residency: ["eu"],
 *   users: [{ lat: 48.85, lon: 2.35, weight: 3 }, { lat: 52.52, lon: 13.4 }],
 * });
 * decision.edgeId;  // the best EU edge with room, or null with decision.message saying why
 * placer.explain(infrastructure.edges(), workload).edges; // every edge: rejections or score components
 * ```
 */
export class AffinityPlacer {
  readonly policy: PlacementPolicy;
  private readonly rtts: RttTable | undefined;

  /** `policy` is validated (all problems at once); omitted fields take `DEFAULT_PLACEMENT_POLICY`'s. */
  constructor(policy: PlacementPolicyInput = {}, options: { rtts?: RttTable } = {}) {
    this.policy = freeze(parseWith(placementPolicySchema, policy, "policy"), true) as PlacementPolicy;
    this.rtts = options.rtts;
  }

  /** Chooses an edge for one workload without committing anything. */
  place(edges: readonly EdgeRecord[], workload: Workload): PlacementDecision {
    const parsed = parseWith(workloadSchema, workload, "workload") as Workload;
    const session = new PlacementSession(compileFleet(edges), this.policy, this.rtts);
    return freeze(this.decide(session, parsed, new Random(`${this.policy.seed}:${parsed.id}`), false), true);
  }

  /**
   * Places workloads one after another (higher `priority` first, ties in input order), each seeing
   * the capacity and anti-affinity left by the ones before: no edge is ever over-committed.
   */
  placeBatch(edges: readonly EdgeRecord[], workloads: readonly Workload[]): BatchPlacement {
    const parsed = parseWith(workloadsSchema, workloads, "workloads") as Workload[];
    const session = new PlacementSession(compileFleet(edges), this.policy, this.rtts);
    const random = new Random(this.policy.seed);
    const order = placementOrder(parsed).map((i) => ({ w: parsed[i] as Workload, i }));
    const decisions: PlacementDecision[] = new Array<PlacementDecision>(parsed.length);
    const touched = new Set<number>();
    for (const { w, i } of order) {
      const decision = this.decide(session, w, random, true);
      decisions[i] = decision;
      if (decision.edgeId !== null) touched.add(session.fleet.index.get(decision.edgeId) as number);
    }
    const allocations: Record<string, Record<string, number>> = {};
    for (const i of [...touched].sort((a, b) => a - b)) {
      const row: Record<string, number> = {};
      for (const [name, column] of session.allocated) row[name] = column[i] as number;
      allocations[(session.fleet.edges[i] as EdgeRecord).id] = row;
    }
    const unplaced = decisions.filter((d) => d.edgeId === null).map((d) => d.workloadId);
    return freeze({ decisions, placed: decisions.length - unplaced.length, unplaced, allocations }, true);
  }

  /**
   * Evaluates every edge (no sampling): each filter's refusal with its reason, and each feasible edge's
   * score components, best first. The chosen edge is the one `place` picks with sampling off.
   */
  explain(edges: readonly EdgeRecord[], workload: Workload): PlacementExplanation {
    const parsed = parseWith(workloadSchema, workload, "workload") as Workload;
    const fleet = compileFleet(edges);
    const session = new PlacementSession(fleet, this.policy, this.rtts);
    const w = compileWorkload(parsed, fleet);
    const feasible: EdgeEvaluation[] = [];
    const refused: EdgeEvaluation[] = [];
    const rejected: Partial<Record<FilterName, number>> = {};
    for (let i = 0; i < fleet.size; i++) {
      const edgeId = (fleet.edges[i] as EdgeRecord).id;
      const rejections = session.rejections(w, i);
      if (rejections.length === 0) {
        feasible.push({ edgeId, feasible: true, rejections: [], score: session.score(w, i) });
      } else {
        refused.push({ edgeId, feasible: false, rejections, score: null });
        const first = (rejections[0] as { filter: FilterName }).filter;
        rejected[first] = (rejected[first] ?? 0) + 1;
      }
    }
    // Edges are in id order, so a stable sort on the total keeps the smaller id first on ties.
    feasible.sort((a, b) => (b.score?.total ?? 0) - (a.score?.total ?? 0));
    const chosen = feasible[0]?.edgeId ?? null;
    return freeze(
      {
        workloadId: parsed.id,
        edgeId: chosen,
        weights: this.policy.weights,
        balance: this.policy.balance,
        edges: [...feasible, ...refused],
        message: summary(fleet.size, fleet.size, feasible.length, rejected, chosen ?? undefined),
      },
      true,
    );
  }

  private decide(session: PlacementSession, workload: Workload, random: Random, commit: boolean): PlacementDecision {
    const w = compileWorkload(workload, session.fleet);
    const result: SearchResult = session.search(w, random);
    const rejected: Partial<Record<FilterName, number>> = {};
    FILTERS.forEach((filter, k) => {
      const count = result.rejected[k] as number;
      if (count > 0) rejected[filter] = count;
    });
    if (result.best < 0) {
      return {
        workloadId: workload.id,
        edgeId: null,
        score: null,
        evaluated: result.evaluated,
        feasible: 0,
        rejected,
        message: summary(session.fleet.size, result.evaluated, 0, rejected),
      };
    }
    const score = session.score(w, result.best);
    if (commit) session.commit(w, result.best);
    return {
      workloadId: workload.id,
      edgeId: score.edgeId,
      score,
      evaluated: result.evaluated,
      feasible: result.feasible,
      rejected,
      message: summary(session.fleet.size, result.evaluated, result.feasible, rejected, score.edgeId),
    };
  }
}
