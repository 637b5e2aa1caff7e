/**
 * Types of affinity placement: workloads, the placement policy, decisions and their explanations.
 *
 * @module
 */
import type { Coordinates, EdgeHealthStatus, EdgeLifecycleState, LabelSelector } from "../infra/types.js";
import type { RttModel } from "./geo.js";

/** Where a share of a workload's users are. */
export interface UserLocation extends Coordinates {
  /** Names the location for measured RTTs (see `RttTable`). */
  readonly id?: string;
  /** Share of traffic from here (default 1); RTTs are averaged with these weights. */
  readonly weight?: number;
}

/** A rule that keeps a workload away from edges (or regions) running workloads whose labels match. */
export interface AntiAffinityRule {
  readonly selector: LabelSelector;
  /** `"edge"`: not on the same edge; `"region"`: not in the same region. Default `"edge"`. */
  readonly scope?: "edge" | "region";
}

/** Something to place. Only `id` is required. */
export interface Workload {
  readonly id: string;
  /** Resources needed: `cpu`, `memoryMb`, or any extended resource an edge has (default none). */
  readonly requests?: Readonly<Record<string, number>>;
  /** Where its users are; drives the latency score (default none: latency is neutral). */
  readonly users?: readonly UserLocation[];
  /** Edges holding its data (locality score 100). */
  readonly dataEdges?: readonly string[];
  /** Regions holding its data (locality score 50 for edges there). */
  readonly dataRegions?: readonly string[];
  /** Labels the edge must carry. */
  readonly edgeSelector?: LabelSelector;
  /** Capabilities the edge must have, all of them. */
  readonly capabilities?: readonly string[];
  /** Data residency: the edge must be in at least one of these compliance zones (e.g. `["eu"]`). */
  readonly residency?: readonly string[];
  /** Refuse edges whose mean RTT to the users exceeds this, ms. */
  readonly maxRttMs?: number;
  /** This workload's own labels, which other workloads' anti-affinity rules match. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly antiAffinity?: readonly AntiAffinityRule[];
  /** Higher places first in a batch (default 0); ties keep input order. */
  readonly priority?: number;
}

/** The score components, each in [0, 100] as in the Kubernetes scheduler framework. */
export type ScoreComponent = "latency" | "locality" | "balance" | "cost";

/** Why an edge was filtered out. */
export type FilterName = "lifecycle" | "health" | "capacity" | "labels" | "capabilities" | "residency" | "anti_affinity" | "latency";

/** One filter's refusal, with a sentence saying why. */
export interface FilterRejection {
  readonly filter: FilterName;
  readonly message: string;
}

/** Relative importance of each score component (non-negative; they need not sum to 1). */
export type ScoreWeights = Readonly<Record<ScoreComponent, number>>;

/** How edges are chosen. Every field has a default (see `DEFAULT_PLACEMENT_POLICY`). */
export interface PlacementPolicy {
  readonly weights: ScoreWeights;
  /** `least_allocated` spreads load; `most_allocated` packs edges (bin packing). */
  readonly balance: "least_allocated" | "most_allocated";
  /** Health values an edge may have to be considered (default `["healthy", "degraded"]`). */
  readonly allowedHealth: readonly EdgeHealthStatus[];
  /** Lifecycle states an edge may be in (default `["active"]`). */
  readonly allowedLifecycleStates: readonly EdgeLifecycleState[];
  /**
   * Stop the search after this percentage of the fleet has been found feasible (1–100), or `0` for
   * the adaptive default: `max(5, 50 − edges / 125)` percent. Never fewer than `minFeasibleEdgesToFind`.
   * Default 100 (score every feasible edge).
   */
  readonly percentageOfEdgesToScore: number;
  /** Lower bound on feasible edges to find before stopping early (default 100). */
  readonly minFeasibleEdgesToFind: number;
  /** RTT at and beyond which the latency score is 0 (default 300 ms). */
  readonly latencyCeilingMs: number;
  readonly rttModel: RttModel;
  /** Seed of the sampling start offsets (default 0). */
  readonly seed: number;
}

/** The scores of one feasible edge. */
export interface EdgeScore {
  readonly edgeId: string;
  /**
   * Each component in [0, 100]. `latency` (no users) and `locality` (no data hints) that do not apply
   * to the workload read 0 and carry no weight in `total`.
   */
  readonly components: Readonly<Record<ScoreComponent, number>>;
  /** Weighted mean of the components, in [0, 100]. */
  readonly total: number;
  /** Mean RTT to the workload's users (weighted), ms; `null` without users. */
  readonly rttMs: number | null;
}

/** The outcome of placing one workload. */
export interface PlacementDecision {
  readonly workloadId: string;
  /** The chosen edge, or `null` when no edge passed every filter. */
  readonly edgeId: string | null;
  readonly score: EdgeScore | null;
  /** Edges examined (all of them unless sampling stopped early). */
  readonly evaluated: number;
  /** Of those, edges that passed every filter. */
  readonly feasible: number;
  /** Count of refused edges by the first filter that refused them. */
  readonly rejected: Readonly<Partial<Record<FilterName, number>>>;
  /** Kubernetes-style summary, e.g. `"0/3 edges are available: 2 capacity, 1 residency"`. */
  readonly message: string;
}

/** The result of a batch. */
export interface BatchPlacement {
  readonly decisions: readonly PlacementDecision[];
  readonly placed: number;
  readonly unplaced: readonly string[];
  /** Resources allocated per edge after the batch, for edges that received workloads. */
  readonly allocations: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** One edge as seen by `explain`. */
export interface EdgeEvaluation {
  readonly edgeId: string;
  readonly feasible: boolean;
  /** Every filter that refused the edge (empty when feasible). */
  readonly rejections: readonly FilterRejection[];
  /** Present when feasible. */
  readonly score: EdgeScore | null;
}

/** A full account of one placement: every edge, every filter, every score component. */
export interface PlacementExplanation {
  readonly workloadId: string;
  readonly edgeId: string | null;
  readonly weights: ScoreWeights;
  readonly balance: PlacementPolicy["balance"];
  /** Feasible edges best first, then refused edges by id. */
  readonly edges: readonly EdgeEvaluation[];
  readonly message: string;
}
