/**
 * The numeric core of a pool: per-edge amounts in flat arrays, indexed by resource. Sums are always
 * recomputed in insertion order over the live allocations (and reservations), so releasing an
 * allocation gives back bit for bit the numbers the pool had before it was granted.
 *
 * @module
 */

/** One live allocation as the ledger sees it. */
export interface LedgerEntry {
  readonly id: string;
  readonly requester: string;
  readonly edge: number;
  readonly amounts: Float64Array;
  /** Part of `amounts` drawn on a reservation (zeros when none). */
  readonly drawn: Float64Array;
  readonly reservationId: string | undefined;
  readonly priority: number;
  readonly preemptible: boolean;
  readonly grantedAt: number;
  /** Grant order, for "newest first" tie-breaks. */
  readonly seq: number;
}

/** One live reservation as the ledger sees it. */
export interface LedgerReservation {
  readonly id: string;
  readonly holder: string;
  readonly edge: number;
  readonly amounts: Float64Array;
  /** `amounts` minus what live allocations citing it have drawn; recomputed like the sums. */
  readonly remaining: Float64Array;
}

/** Per-edge state. */
export interface LedgerEdge {
  readonly id: string;
  readonly capacity: Float64Array;
  readonly limit: Float64Array;
  readonly used: Float64Array;
  readonly reserved: Float64Array;
  readonly entries: Set<string>;
  readonly reservations: Set<string>;
}

/** Flat bookkeeping of a pool's edges, allocations and reservations. */
export class Ledger {
  readonly edges: LedgerEdge[] = [];
  readonly edgeIndex = new Map<string, number>();
  readonly entries = new Map<string, LedgerEntry>();
  readonly reservations = new Map<string, LedgerReservation>();
  /** Amounts allocated per requester over all edges, for dominant shares. */
  readonly byRequester = new Map<string, Float64Array>();
  /** Live allocation ids per requester, in grant order. */
  private readonly entriesOf = new Map<string, Set<string>>();

  constructor(readonly width: number) {}

  addEdge(id: string, capacity: Float64Array, ratios: Float64Array): void {
    const limit = new Float64Array(this.width);
    for (let r = 0; r < this.width; r++) limit[r] = (capacity[r] ?? 0) * (ratios[r] ?? 1);
    this.edgeIndex.set(id, this.edges.length);
    this.edges.push({
      id,
      capacity,
      limit,
      used: new Float64Array(this.width),
      reserved: new Float64Array(this.width),
      entries: new Set(),
      reservations: new Set(),
    });
  }

  /** What `edge` can still give: `limit − used − reserved`, plus the unclaimed part of `reservation` if it is on that edge. */
  free(edge: number, reservation?: LedgerReservation): Float64Array {
    const e = this.edge(edge);
    const out = new Float64Array(this.width);
    for (let r = 0; r < this.width; r++) {
      const own = reservation !== undefined && reservation.edge === edge ? (reservation.remaining[r] ?? 0) : 0;
      out[r] = (e.limit[r] ?? 0) - (e.used[r] ?? 0) - ((e.reserved[r] ?? 0) - own);
    }
    return out;
  }

  /** Whether `amounts` fits on `edge` without exceeding its limit on any resource. */
  fits(edge: number, amounts: Float64Array, reservation?: LedgerReservation): boolean {
    const e = this.edge(edge);
    for (let r = 0; r < this.width; r++) {
      const a = amounts[r] ?? 0;
      if (a === 0) continue;
      const own = reservation !== undefined && reservation.edge === edge ? Math.min(a, reservation.remaining[r] ?? 0) : 0;
      if ((e.used[r] ?? 0) + a + ((e.reserved[r] ?? 0) - own) > (e.limit[r] ?? 0)) return false;
    }
    return true;
  }

  edge(index: number): LedgerEdge {
    const e = this.edges[index];
    if (e === undefined) throw new RangeError(`no edge at index ${index}`);
    return e;
  }

  add(entry: LedgerEntry): void {
    this.entries.set(entry.id, entry);
    const e = this.edge(entry.edge);
    e.entries.add(entry.id);
    for (let r = 0; r < this.width; r++) e.used[r] = (e.used[r] ?? 0) + (entry.amounts[r] ?? 0);
    const ids = this.entriesOf.get(entry.requester) ?? new Set<string>();
    ids.add(entry.id);
    this.entriesOf.set(entry.requester, ids);
    const mine = this.byRequester.get(entry.requester) ?? new Float64Array(this.width);
    for (let r = 0; r < this.width; r++) mine[r] = (mine[r] ?? 0) + (entry.amounts[r] ?? 0);
    this.byRequester.set(entry.requester, mine);
    if (entry.reservationId !== undefined) this.recomputeReservations(entry.edge);
  }

  remove(id: string): LedgerEntry | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    this.entries.delete(id);
    const e = this.edge(entry.edge);
    e.entries.delete(id);
    this.entriesOf.get(entry.requester)?.delete(id);
    this.recomputeUsed(entry.edge);
    this.recomputeRequester(entry.requester);
    if (entry.reservationId !== undefined) this.recomputeReservations(entry.edge);
    return entry;
  }

  addReservation(reservation: LedgerReservation): void {
    this.reservations.set(reservation.id, reservation);
    this.edge(reservation.edge).reservations.add(reservation.id);
    this.recomputeReservations(reservation.edge);
  }

  removeReservation(id: string): LedgerReservation | undefined {
    const reservation = this.reservations.get(id);
    if (reservation === undefined) return undefined;
    this.reservations.delete(id);
    this.edge(reservation.edge).reservations.delete(id);
    this.recomputeReservations(reservation.edge);
    return reservation;
  }

  private recomputeUsed(edge: number): void {
    const e = this.edge(edge);
    e.used.fill(0);
    for (const id of e.entries) {
      const entry = this.entries.get(id);
      if (entry === undefined) continue;
      for (let r = 0; r < this.width; r++) e.used[r] = (e.used[r] ?? 0) + (entry.amounts[r] ?? 0);
    }
  }

  private recomputeRequester(requester: string): void {
    const ids = this.entriesOf.get(requester);
    if (ids === undefined || ids.size === 0) {
      this.byRequester.delete(requester);
      this.entriesOf.delete(requester);
      return;
    }
    const sums = new Float64Array(this.width);
    for (const id of ids) {
      const entry = this.entries.get(id);
      if (entry === undefined) continue;
      for (let r = 0; r < this.width; r++) sums[r] = (sums[r] ?? 0) + (entry.amounts[r] ?? 0);
    }
    this.byRequester.set(requester, sums);
  }

  /** Remaining of every reservation on `edge` (amounts minus live draws), then the edge's reserved sum. */
  private recomputeReservations(edge: number): void {
    const e = this.edge(edge);
    for (const id of e.reservations) {
      const reservation = this.reservations.get(id);
      if (reservation === undefined) continue;
      reservation.remaining.set(reservation.amounts);
      for (const entryId of e.entries) {
        const entry = this.entries.get(entryId);
        if (entry?.reservationId !== id) continue;
        for (let r = 0; r < this.width; r++) reservation.remaining[r] = Math.max(0, (reservation.remaining[r] ?? 0) - (entry.drawn[r] ?? 0));
      }
    }
    e.reserved.fill(0);
    for (const id of e.reservations) {
      const reservation = this.reservations.get(id);
      if (reservation === undefined) continue;
      for (let r = 0; r < this.width; r++) e.reserved[r] = (e.reserved[r] ?? 0) + (reservation.remaining[r] ?? 0);
    }
  }

  /** Limit summed over edges: the denominator of dominant shares. */
  totalLimit(): Float64Array {
    const out = new Float64Array(this.width);
    for (const e of this.edges) for (let r = 0; r < this.width; r++) out[r] = (out[r] ?? 0) + (e.limit[r] ?? 0);
    return out;
  }

  /** DRF dominant share of `amounts` against `total` (resources with zero total are ignored). */
  static dominantShare(amounts: Float64Array, total: Float64Array): number {
    let share = 0;
    for (let r = 0; r < total.length; r++) {
      const t = total[r] ?? 0;
      if (t > 0) share = Math.max(share, (amounts[r] ?? 0) / t);
    }
    return share;
  }
}
