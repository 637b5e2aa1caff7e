/**
 * Choosing a state object's home edge through affinity placement.
 *
 * @module
 */
import type { EdgeRecord } from "../infra/types.js";
import { AffinityPlacer } from "../placement/placer.js";
import type { UserLocation } from "../placement/types.js";
import { StateRedirectError } from "./errors.js";

/** What the home choice considers. */
export interface HomeRequest {
  readonly id: string;
  /** Where the object's users are (latency affinity). */
  readonly users?: readonly UserLocation[];
  /** Compliance zones the data's classification allows (e.g. `["eu"]`). */
  readonly residency?: readonly string[];
}

/** The edge placement picks as home; throws `state.redirect` with no owner when no edge qualifies. */
export function chooseHome(edges: readonly EdgeRecord[], request: HomeRequest, placer: AffinityPlacer = new AffinityPlacer()): string {
  const decision = placer.place(edges, {
    id: `state:${request.id}`,
    ...(request.users === undefined ? {} : { users: request.users }),
    ...(request.residency === undefined ? {} : { residency: request.residency }),
  });
  if (decision.edgeId === null) throw new StateRedirectError(request.id, "(placement)", null);
  return decision.edgeId;
}
