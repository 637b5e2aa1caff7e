/**
 * Explanations of refused requests: which edge came closest, and what it lacks.
 *
 * @module
 */
import type { Ledger, LedgerReservation } from "./ledger.js";
import type { AllocationExplanation, ResourceDefinition, Shortfall } from "./types.js";

function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

/** Explains why `amounts` fits on none of `candidates`. */
export function explainRefusal(
  ledger: Ledger,
  resources: readonly ResourceDefinition[],
  candidates: readonly number[],
  amounts: Float64Array,
  context: { pinned: boolean; reservation: LedgerReservation | undefined },
): AllocationExplanation {
  let closest: { edge: number; shortfalls: Shortfall[]; gap: number } | undefined;
  for (const edge of candidates) {
    const free = ledger.free(edge, context.reservation);
    const shortfalls: Shortfall[] = [];
    let gap = 0;
    for (let r = 0; r < ledger.width; r++) {
      const requested = amounts[r] ?? 0;
      const available = Math.max(0, free[r] ?? 0);
      if (requested <= available) continue;
      const def = resources[r];
      shortfalls.push({ resource: def?.name ?? String(r), unit: def?.unit ?? "", requested, available: round(available), shortBy: round(requested - available) });
      gap += (requested - available) / Math.max(requested, ledger.edge(edge).limit[r] ?? 0);
    }
    if (closest === undefined || gap < closest.gap) closest = { edge, shortfalls, gap };
  }
  const sums = new Float64Array(ledger.width);
  for (let e = 0; e < ledger.edges.length; e++) {
    const free = ledger.free(e);
    for (let r = 0; r < ledger.width; r++) sums[r] = (sums[r] ?? 0) + Math.max(0, free[r] ?? 0);
  }
  const poolFree: Record<string, number> = {};
  let poolCovers = true;
  for (let r = 0; r < ledger.width; r++) {
    const sum = sums[r] ?? 0;
    poolFree[resources[r]?.name ?? String(r)] = round(sum);
    if ((amounts[r] ?? 0) > sum) poolCovers = false;
  }
  const reason: AllocationExplanation["reason"] =
    context.reservation !== undefined ? "reservation" : context.pinned ? "edge" : poolCovers && candidates.length > 1 ? "fragmented" : "no_capacity";
  const edgeId = closest === undefined ? undefined : ledger.edge(closest.edge).id;
  const shortfalls = closest?.shortfalls ?? [];
  const lacks = shortfalls.map((s) => `${s.resource} short by ${s.shortBy} ${s.unit} (asked ${s.requested}, ${s.available} free)`).join(", ");
  const message =
    candidates.length === 0
      ? "the pool has no edge to place on"
      : reason === "fragmented"
        ? `the pool has enough free in total but no single edge does; closest edge ${edgeId ?? "?"}: ${lacks}`
        : `closest edge ${edgeId ?? "?"}: ${lacks}`;
  return edgeId === undefined ? { reason, shortfalls, poolFree, message } : { reason, closestEdgeId: edgeId, shortfalls, poolFree, message };
}
