/**
 * Edge selection per strategy, and the victim searches of `priority` and `fair_share` preemption.
 *
 * @module
 */
import { Ledger, type LedgerEntry, type LedgerReservation } from "./ledger.js";

/** Normalised room left on `edge` after placing `amounts` (sum over resources of leftover / limit). */
export function leftover(ledger: Ledger, edge: number, amounts: Float64Array, reservation: LedgerReservation | undefined): number {
  const e = ledger.edge(edge);
  let score = 0;
  for (let r = 0; r < ledger.width; r++) {
    const limit = e.limit[r] ?? 0;
    if (limit <= 0) continue;
    const own = reservation !== undefined && reservation.edge === edge ? (reservation.remaining[r] ?? 0) : 0;
    const free = limit - (e.used[r] ?? 0) - ((e.reserved[r] ?? 0) - own);
    score += (free - (amounts[r] ?? 0)) / limit;
  }
  return score;
}

/** The first candidate that fits, in candidate order. */
export function firstFit(ledger: Ledger, candidates: readonly number[], amounts: Float64Array, reservation?: LedgerReservation): number | undefined {
  for (const edge of candidates) if (ledger.fits(edge, amounts, reservation)) return edge;
  return undefined;
}

/** The fitting candidate left with the least (`best`) or the most (`worst`) room; ties to the earlier one. */
export function boundedFit(
  ledger: Ledger,
  candidates: readonly number[],
  amounts: Float64Array,
  mode: "best" | "worst",
  reservation?: LedgerReservation,
): number | undefined {
  let chosen: number | undefined;
  let chosenScore = 0;
  for (const edge of candidates) {
    if (!ledger.fits(edge, amounts, reservation)) continue;
    const score = leftover(ledger, edge, amounts, reservation);
    if (chosen === undefined || (mode === "best" ? score < chosenScore : score > chosenScore)) {
      chosen = edge;
      chosenScore = score;
    }
  }
  return chosen;
}

/** The first fitting candidate at or after `cursor` (wrapping), so load spreads in turn. */
export function roundRobin(
  ledger: Ledger,
  candidates: readonly number[],
  amounts: Float64Array,
  cursor: number,
  reservation?: LedgerReservation,
): number | undefined {
  const n = candidates.length;
  for (let k = 0; k < n; k++) {
    const edge = candidates[(cursor + k) % n];
    if (edge !== undefined && ledger.fits(edge, amounts, reservation)) return edge;
  }
  return undefined;
}

/** A set of allocations to evict from one edge so a request fits there. */
export interface EvictionPlan {
  readonly edge: number;
  readonly victims: readonly LedgerEntry[];
  /** Ranking key, smaller is better. */
  readonly cost: readonly number[];
}

function fitsAfterEvicting(ledger: Ledger, edge: number, amounts: Float64Array, victims: readonly LedgerEntry[], reservation?: LedgerReservation): boolean {
  const free = ledger.free(edge, reservation);
  for (const v of victims) for (let r = 0; r < ledger.width; r++) free[r] = (free[r] ?? 0) + (v.amounts[r] ?? 0) - (v.drawn[r] ?? 0);
  for (let r = 0; r < ledger.width; r++) {
    const a = amounts[r] ?? 0;
    if (a > 0 && a > (free[r] ?? 0)) return false;
  }
  return true;
}

/**
 * Greedy victim choice on one edge from an ordered list of eligible allocations: take them in order
 * until the request fits, then give back any the request does not need after all (last taken first).
 */
function planOnEdge(ledger: Ledger, edge: number, amounts: Float64Array, eligible: readonly LedgerEntry[], reservation?: LedgerReservation): LedgerEntry[] | undefined {
  const taken: LedgerEntry[] = [];
  for (const v of eligible) {
    if (fitsAfterEvicting(ledger, edge, amounts, taken, reservation)) break;
    taken.push(v);
  }
  if (!fitsAfterEvicting(ledger, edge, amounts, taken, reservation)) return undefined;
  for (let i = taken.length - 1; i >= 0; i--) {
    const without = taken.filter((_v, j) => j !== i);
    if (fitsAfterEvicting(ledger, edge, amounts, without, reservation)) taken.splice(i, 1);
  }
  return taken;
}

function better(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

/**
 * `priority` preemption: on each candidate edge, evict only preemptible allocations of strictly lower
 * priority, lowest priority and newest first. The chosen edge evicts the lowest top priority, then the
 * fewest allocations. Eviction is immediate, so there is no waiting and no cycle to deadlock on.
 */
export function planPriorityPreemption(
  ledger: Ledger,
  candidates: readonly number[],
  amounts: Float64Array,
  priority: number,
  reservation?: LedgerReservation,
): EvictionPlan | undefined {
  let best: EvictionPlan | undefined;
  for (const edge of candidates) {
    const eligible: LedgerEntry[] = [];
    for (const id of ledger.edge(edge).entries) {
      const entry = ledger.entries.get(id);
      if (entry !== undefined && entry.preemptible && entry.priority < priority) eligible.push(entry);
    }
    if (eligible.length === 0) continue;
    eligible.sort((a, b) => a.priority - b.priority || b.seq - a.seq);
    const victims = planOnEdge(ledger, edge, amounts, eligible, reservation);
    if (victims === undefined) continue;
    const cost = [Math.max(...victims.map((v) => v.priority)), victims.length];
    if (best === undefined || better(cost, best.cost)) best = { edge, victims, cost };
  }
  return best;
}

/**
 * `fair_share` preemption (DRF): evict only preemptible allocations of other requesters whose dominant
 * share stays at or above the asker's share after the grant, richest requester and newest first. Shares
 * of the victims' owners are recomputed as each is taken.
 */
export function planFairPreemption(
  ledger: Ledger,
  candidates: readonly number[],
  amounts: Float64Array,
  requester: string,
  reservation?: LedgerReservation,
): EvictionPlan | undefined {
  const total = ledger.totalLimit();
  const mineNow = ledger.byRequester.get(requester) ?? new Float64Array(ledger.width);
  const mineAfter = new Float64Array(ledger.width);
  for (let r = 0; r < ledger.width; r++) mineAfter[r] = (mineNow[r] ?? 0) + (amounts[r] ?? 0);
  const myShare = Ledger.dominantShare(mineAfter, total);
  let best: EvictionPlan | undefined;
  for (const edge of candidates) {
    const remaining = new Map<string, Float64Array>();
    const eligible: LedgerEntry[] = [];
    const pool: LedgerEntry[] = [];
    for (const id of ledger.edge(edge).entries) {
      const entry = ledger.entries.get(id);
      if (entry !== undefined && entry.preemptible && entry.requester !== requester) pool.push(entry);
    }
    const shareOf = (who: string): number => Ledger.dominantShare(remaining.get(who) ?? ledger.byRequester.get(who) ?? new Float64Array(ledger.width), total);
    // Repeatedly take the newest allocation of the currently richest owner, while it stays above us.
    const left = pool.slice().sort((a, b) => b.seq - a.seq);
    for (;;) {
      let pick: LedgerEntry | undefined;
      let pickShare = -1;
      for (const entry of left) {
        const share = shareOf(entry.requester);
        if (share > pickShare) {
          pick = entry;
          pickShare = share;
        }
      }
      if (pick === undefined) break;
      const owner = remaining.get(pick.requester) ?? Float64Array.from(ledger.byRequester.get(pick.requester) ?? new Float64Array(ledger.width));
      const after = new Float64Array(ledger.width);
      for (let r = 0; r < ledger.width; r++) after[r] = (owner[r] ?? 0) - (pick.amounts[r] ?? 0);
      left.splice(left.indexOf(pick), 1);
      if (Ledger.dominantShare(after, total) < myShare) continue;
      remaining.set(pick.requester, after);
      eligible.push(pick);
    }
    const victims = planOnEdge(ledger, edge, amounts, eligible, reservation);
    if (victims === undefined) continue;
    const cost = [victims.length];
    if (best === undefined || better(cost, best.cost)) best = { edge, victims, cost };
  }
  return best;
}
