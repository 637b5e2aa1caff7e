/**
 * A placement session: one fleet snapshot, one policy, and the allocations and placed workloads that
 * accumulate as workloads are committed. Filters run first (cheapest first); survivors are scored.
 *
 * @module
 */
import { requireNumber } from "../core/validation.js";
import type { Random } from "../core/random.js";
import type { EdgeRecord, LabelSelector } from "../infra/types.js";
import { matchesSelector } from "../infra/selector.js";
import { AntiAffinityIndex } from "./anti-affinity.js";
import type { Fleet } from "./fleet.js";
import { EARTH_RADIUS_KM, type RttTable } from "./geo.js";
import type { CompiledWorkload } from "./workload.js";
import type { EdgeScore, FilterName, FilterRejection, PlacementPolicy, ScoreComponent } from "./types.js";

/** Filters in the order they run. */
export const FILTERS: readonly FilterName[] = Object.freeze([
  "lifecycle",
  "health",
  "capacity",
  "labels",
  "capabilities",
  "residency",
  "anti_affinity",
  "latency",
]);
const F_LIFECYCLE = 0;
const F_HEALTH = 1;
const F_CAPACITY = 2;
const F_LABELS = 3;
const F_CAPABILITIES = 4;
const F_RESIDENCY = 5;
const F_ANTI_AFFINITY = 6;
const F_LATENCY = 7;
/** Slack when pruning on a bound, so rounding can never prune an edge that ties the best. */
const PRUNE_MARGIN = 1e-9;

/** The raw result of searching the fleet for one workload. */
export interface SearchResult {
  readonly best: number;
  readonly evaluated: number;
  readonly feasible: number;
  readonly rejected: Int32Array;
}

export class PlacementSession {
  readonly fleet: Fleet;
  readonly policy: PlacementPolicy;
  /** Allocation per resource per edge, starting from the fleet's and growing with commits. */
  readonly allocated: ReadonlyMap<string, Float64Array>;
  private readonly cpuCap: Float64Array;
  private readonly memCap: Float64Array;
  private readonly cpuAlloc: Float64Array;
  private readonly memAlloc: Float64Array;
  private readonly eligibleState: Uint8Array;
  private readonly eligibleHealth: Uint8Array;
  /** 1 where both lifecycle state and health are allowed: one test in the hot loop. */
  private readonly eligible: Uint8Array;
  private readonly cpuInv: Float64Array;
  private readonly mostAllocated: boolean;
  private readonly memInv: Float64Array;
  private readonly rttRows: ReadonlyArray<ReadonlyMap<string, number> | undefined> | undefined;
  private readonly antiAffinity: AntiAffinityIndex;
  private readonly selectorCache = new Map<string, Uint8Array>();
  private maskOwner: CompiledWorkload | undefined;
  private mask: Uint8Array | undefined;
  private readonly numToFind: number;
  private readonly kmToMs: number;
  private readonly wLatency: number;
  private readonly wLocality: number;
  private readonly wBalance: number;
  private readonly wCost: number;
  // Scratch for the last scored edge: avoids allocating per edge in the hot loop.
  private sLatency = 0;
  private sLocality = 0;
  private sBalance = 0;

  constructor(fleet: Fleet, policy: PlacementPolicy, rtts?: RttTable) {
    this.fleet = fleet;
    this.policy = policy;
    const allocated = new Map<string, Float64Array>();
    for (const [name, col] of fleet.resources) allocated.set(name, Float64Array.from(col.allocated));
    this.allocated = allocated;
    this.cpuCap = (fleet.resources.get("cpu") as { capacity: Float64Array }).capacity;
    this.memCap = (fleet.resources.get("memoryMb") as { capacity: Float64Array }).capacity;
    this.cpuAlloc = allocated.get("cpu") as Float64Array;
    this.memAlloc = allocated.get("memoryMb") as Float64Array;
    const n = fleet.size;
    this.eligibleState = new Uint8Array(n);
    this.eligibleHealth = new Uint8Array(n);
    this.eligible = new Uint8Array(n);
    this.cpuInv = new Float64Array(n);
    this.memInv = new Float64Array(n);
    fleet.edges.forEach((edge, i) => {
      this.eligibleState[i] = policy.allowedLifecycleStates.includes(edge.lifecycleState) ? 1 : 0;
      this.eligibleHealth[i] = policy.allowedHealth.includes(edge.health) ? 1 : 0;
      this.eligible[i] = this.eligibleState[i] === 1 && this.eligibleHealth[i] === 1 ? 1 : 0;
      const cpu = this.cpuCap[i] as number;
      const mem = this.memCap[i] as number;
      this.cpuInv[i] = cpu > 0 ? 1 / cpu : 0;
      this.memInv[i] = mem > 0 ? 1 / mem : 0;
    });
    this.rttRows = rtts !== undefined && rtts.size > 0 ? fleet.edges.map((edge) => rtts.row(edge.id)) : undefined;
    this.antiAffinity = new AntiAffinityIndex(fleet.regionIndex.size);
    this.numToFind = feasibleEdgesToFind(n, policy.percentageOfEdgesToScore, policy.minFeasibleEdgesToFind);
    this.kmToMs = (policy.rttModel.routeFactor * 2) / policy.rttModel.fibreKmPerMs;
    this.mostAllocated = policy.balance === "most_allocated";
    this.wLatency = policy.weights.latency;
    this.wLocality = policy.weights.locality;
    this.wBalance = policy.weights.balance;
    this.wCost = policy.weights.cost;
  }

  /**
   * Finds the best feasible edge, stopping once `numToFind` feasible edges were seen. The scan starts
   * at an offset drawn from `random` when sampling (so successive workloads see different parts of the
   * fleet), at 0 otherwise. Ties go to the edge with the smaller id.
   */
  search(w: CompiledWorkload, random: Random): SearchResult {
    const n = this.fleet.size;
    const rejected = new Int32Array(FILTERS.length);
    const start = this.numToFind >= n || n === 0 ? 0 : random.int(0, n - 1);
    let best = -1;
    let bestTotal = Number.NEGATIVE_INFINITY;
    let feasible = 0;
    let evaluated = 0;
    // Without a latency filter, an edge's feasibility does not depend on its RTT, so the exact RTT (the
    // costly part) is skipped for edges whose best possible total cannot beat the best found so far.
    const prune = w.userCount > 0 && w.maxRttMs === Number.POSITIVE_INFINITY && this.wLatency > 0;
    const weightSum = this.weightSum(w);
    // The most locality, balance and latency can add: 100 each, weighted.
    const ceiling = 100 * ((w.hasLocality ? this.wLocality : 0) + this.wBalance + this.wLatency);
    for (let k = 0; k < n; k++) {
      let i = start + k;
      if (i >= n) i -= n;
      evaluated++;
      const refused = this.firstRejection(w, i);
      if (refused >= 0) {
        rejected[refused] = (rejected[refused] as number) + 1;
        continue;
      }
      let total: number;
      if (prune) {
        feasible++;
        // Cheapest bound first: cost alone, with balance and latency at their best possible.
        if ((this.wCost * (this.fleet.costScore[i] as number) + ceiling) / weightSum < bestTotal - PRUNE_MARGIN) {
          if (feasible >= this.numToFind) break;
          continue;
        }
        const rest = this.restSum(w, i);
        if ((rest + this.wLatency * 100) / weightSum < bestTotal - PRUNE_MARGIN) {
          if (feasible >= this.numToFind) break;
          continue;
        }
        if ((rest + this.latencyPart(this.rttLowerBound(w, i))) / weightSum < bestTotal - PRUNE_MARGIN) {
          if (feasible >= this.numToFind) break;
          continue;
        }
        total = (rest + this.latencyPart(this.meanRtt(w, i))) / weightSum;
      } else {
        const rtt = this.meanRtt(w, i);
        if (rtt > w.maxRttMs) {
          rejected[F_LATENCY] = (rejected[F_LATENCY] as number) + 1;
          continue;
        }
        feasible++;
        total = this.total(w, i, rtt);
      }
      if (total > bestTotal || (total === bestTotal && i < best)) {
        best = i;
        bestTotal = total;
      }
      if (feasible >= this.numToFind) break;
    }
    return { best, evaluated, feasible, rejected };
  }

  /** Index of the first filter refusing edge `i`, or -1 (the latency filter is applied by the caller). */
  firstRejection(w: CompiledWorkload, i: number): number {
    if (this.eligible[i] === 0) return this.eligibleState[i] === 0 ? F_LIFECYCLE : F_HEALTH;
    if (w.cpu > 0 && (this.cpuAlloc[i] as number) + w.cpu > (this.cpuCap[i] as number)) return F_CAPACITY;
    if (w.memoryMb > 0 && (this.memAlloc[i] as number) + w.memoryMb > (this.memCap[i] as number)) return F_CAPACITY;
    if (w.extended.length > 0 && !this.extendedFits(w, i)) return F_CAPACITY;
    if (w.selector !== undefined && (this.selectorMaskOf(w)[i] as number) === 0) return F_LABELS;
    if (w.capabilities.length > 0 && !this.hasCapabilities(w, i)) return F_CAPABILITIES;
    if (w.residency !== undefined && !this.inResidency(w, i)) return F_RESIDENCY;
    if (this.antiAffinity.mayBlock(w) && this.antiAffinity.blocks(w, i, this.fleet.region[i] as number)) return F_ANTI_AFFINITY;
    return -1;
  }

  private extendedFits(w: CompiledWorkload, i: number): boolean {
    for (const req of w.extended) {
      if (req.capacity === undefined) return false;
      const alloc = this.allocated.get(req.name) as Float64Array;
      if ((alloc[i] as number) + req.amount > (req.capacity[i] as number)) return false;
    }
    return true;
  }

  /** The selector mask of `w`, remembered for the workload being placed so the hot loop does no lookup. */
  private selectorMaskOf(w: CompiledWorkload): Uint8Array {
    if (this.maskOwner !== w || this.mask === undefined) {
      this.maskOwner = w;
      this.mask = this.selectorMatches(w.selector ?? {});
    }
    return this.mask;
  }

  /** Which edges a selector accepts, computed once per distinct selector per session. */
  private selectorMatches(selector: LabelSelector): Uint8Array {
    const key = JSON.stringify(selector);
    let matches = this.selectorCache.get(key);
    if (matches === undefined) {
      matches = new Uint8Array(this.fleet.size);
      this.fleet.edges.forEach((edge, i) => {
        (matches as Uint8Array)[i] = matchesSelector(edge.labels, selector) ? 1 : 0;
      });
      this.selectorCache.set(key, matches);
    }
    return matches;
  }

  private hasCapabilities(w: CompiledWorkload, i: number): boolean {
    if (w.capabilityUnknown) return false;
    const bits = this.fleet.capabilities;
    if (bits.exact) return ((bits.mask[i] as number) & w.capabilityMask) === w.capabilityMask;
    const edge = this.fleet.edges[i] as EdgeRecord;
    return w.capabilities.every((c) => edge.capabilities.includes(c));
  }

  private inResidency(w: CompiledWorkload, i: number): boolean {
    const bits = this.fleet.zones;
    if (bits.exact) return ((bits.mask[i] as number) & w.residencyMask) !== 0;
    const residency = w.residency as ReadonlySet<string>;
    return (this.fleet.edges[i] as EdgeRecord).complianceZones.some((zone) => residency.has(zone));
  }

  /** Every filter refusing edge `i`, each with a reason. */
  rejections(w: CompiledWorkload, i: number): FilterRejection[] {
    const edge = this.fleet.edges[i];
    if (edge === undefined) return [];
    const out: FilterRejection[] = [];
    if (this.eligibleState[i] === 0) {
      out.push({ filter: "lifecycle", message: `edge is "${edge.lifecycleState}", not one of ${this.policy.allowedLifecycleStates.join(", ")}` });
    }
    if (this.eligibleHealth[i] === 0) {
      out.push({ filter: "health", message: `edge is "${edge.health}", not one of ${this.policy.allowedHealth.join(", ")}` });
    }
    const short: string[] = [];
    const check = (name: string, amount: number, capacity: number, alloc: number): void => {
      if (amount > 0 && alloc + amount > capacity) short.push(`${name} (requests ${amount}, free ${Math.max(0, capacity - alloc)} of ${capacity})`);
    };
    check("cpu", w.cpu, this.cpuCap[i] as number, this.cpuAlloc[i] as number);
    check("memoryMb", w.memoryMb, this.memCap[i] as number, this.memAlloc[i] as number);
    for (const req of w.extended) {
      check(req.name, req.amount, req.capacity?.[i] ?? 0, this.allocated.get(req.name)?.[i] ?? 0);
    }
    if (short.length > 0) out.push({ filter: "capacity", message: `insufficient ${short.join(", ")}` });
    if (w.selector !== undefined && (this.selectorMaskOf(w)[i] as number) === 0) {
      out.push({ filter: "labels", message: "edge labels do not match the workload's edge selector" });
    }
    const missing = w.capabilities.filter((c) => !edge.capabilities.includes(c));
    if (missing.length > 0 && !this.hasCapabilities(w, i)) out.push({ filter: "capabilities", message: `edge lacks ${missing.join(", ")}` });
    if (w.residency !== undefined && !this.inResidency(w, i)) {
      out.push({
        filter: "residency",
        message: `edge zones [${edge.complianceZones.join(", ")}] are outside the workload's residency [${[...w.residency].join(", ")}]`,
      });
    }
    if (this.antiAffinity.mayBlock(w) && this.antiAffinity.blocks(w, i, this.fleet.region[i] as number)) {
      out.push({ filter: "anti_affinity", message: "a workload placed here (or in this region) is excluded by an anti-affinity rule" });
    }
    const rtt = this.meanRtt(w, i);
    if (rtt > w.maxRttMs) out.push({ filter: "latency", message: `mean RTT ${rtt.toFixed(1)} ms exceeds maxRttMs ${w.maxRttMs}` });
    return out;
  }

  /** Weighted mean RTT from edge `i` to the workload's users (measured where known), ms; 0 without users. */
  meanRtt(w: CompiledWorkload, i: number): number {
    const count = w.userCount;
    if (count === 0) return 0;
    const x = this.fleet.x[i] as number;
    const y = this.fleet.y[i] as number;
    const z = this.fleet.z[i] as number;
    const row = this.rttRows?.[i];
    const base = this.policy.rttModel.baseMs;
    const msPerChord = this.kmToMs * 2 * EARTH_RADIUS_KM;
    let sum = 0;
    for (let k = 0; k < count; k++) {
      const id = row === undefined ? undefined : w.userIds[k];
      const measured = id === undefined ? undefined : row?.get(id);
      let rtt: number;
      if (measured === undefined) {
        const dx = x - (w.ux[k] as number);
        const dy = y - (w.uy[k] as number);
        const dz = z - (w.uz[k] as number);
        const half = Math.sqrt(dx * dx + dy * dy + dz * dz) / 2;
        // The great-circle angle from the chord: same value as the haversine formula.
        rtt = base + msPerChord * Math.asin(half < 1 ? half : 1);
      } else {
        rtt = measured;
      }
      sum += (w.uw[k] as number) * rtt;
    }
    return sum;
  }

  /** A cheap lower bound of {@link PlacementSession.meanRtt}: `asin(h) >= h`, so the chord under-estimates the arc. */
  private rttLowerBound(w: CompiledWorkload, i: number): number {
    const row = this.rttRows?.[i];
    if (row !== undefined) return 0;
    const x = this.fleet.x[i] as number;
    const y = this.fleet.y[i] as number;
    const z = this.fleet.z[i] as number;
    const msPerChord = this.kmToMs * 2 * EARTH_RADIUS_KM;
    let sum = 0;
    for (let k = 0; k < w.userCount; k++) {
      const dx = x - (w.ux[k] as number);
      const dy = y - (w.uy[k] as number);
      const dz = z - (w.uz[k] as number);
      sum += (w.uw[k] as number) * (msPerChord * Math.sqrt(dx * dx + dy * dy + dz * dz)) / 2;
    }
    return this.policy.rttModel.baseMs + sum;
  }

  /** Weighted total in [0, 100]; components not applicable to the workload carry no weight. */
  total(w: CompiledWorkload, i: number, rtt: number): number {
    return (this.restSum(w, i) + (w.userCount > 0 ? this.latencyPart(rtt) : 0)) / this.weightSum(w);
  }

  /** Sum of weights of the components that apply to `w` (never 0 when it matters: see the policy schema). */
  private weightSum(w: CompiledWorkload): number {
    const sum = (w.userCount > 0 ? this.wLatency : 0) + (w.hasLocality ? this.wLocality : 0) + this.wBalance + this.wCost;
    return sum > 0 ? sum : 1;
  }

  /** Weighted latency score for an RTT (and remembers the unweighted score). */
  private latencyPart(rtt: number): number {
    const latency = 100 * (1 - rtt / this.policy.latencyCeilingMs);
    this.sLatency = latency > 0 ? latency : 0;
    return this.wLatency * this.sLatency;
  }

  /** Weighted locality, balance and cost (and remembers the unweighted scores). */
  private restSum(w: CompiledWorkload, i: number): number {
    let sum = 0;
    if (w.hasLocality) {
      this.sLocality = w.dataEdges.has(i) ? 100 : w.dataRegions.has(this.fleet.region[i] as number) ? 50 : 0;
      sum += this.wLocality * this.sLocality;
    }
    this.sBalance = this.balance(w, i);
    sum += this.wBalance * this.sBalance;
    return sum + this.wCost * (this.fleet.costScore[i] as number);
  }

  /** The full score of a feasible edge, for decisions and explanations. */
  score(w: CompiledWorkload, i: number): EdgeScore {
    const rtt = this.meanRtt(w, i);
    const total = this.total(w, i, rtt);
    const components: Record<ScoreComponent, number> = {
      latency: w.userCount > 0 ? this.sLatency : 0,
      locality: w.hasLocality ? this.sLocality : 0,
      balance: this.sBalance,
      cost: this.fleet.costScore[i] as number,
    };
    return { edgeId: (this.fleet.edges[i] as { id: string }).id, components, total, rttMs: w.userCount > 0 ? rtt : null };
  }

  /** Records `w` on edge `i`: its requests join the edge's allocation, its labels and rules the anti-affinity index. */
  commit(w: CompiledWorkload, i: number): void {
    this.cpuAlloc[i] = (this.cpuAlloc[i] as number) + w.cpu;
    this.memAlloc[i] = (this.memAlloc[i] as number) + w.memoryMb;
    for (const req of w.extended) {
      const alloc = this.allocated.get(req.name);
      if (alloc !== undefined) alloc[i] = (alloc[i] as number) + req.amount;
    }
    this.antiAffinity.add(w, i, this.fleet.region[i] as number);
  }

  private balance(w: CompiledWorkload, i: number): number {
    // Shares via precomputed reciprocals: the hot loop multiplies instead of dividing.
    const cpuInv = this.cpuInv[i] as number;
    const memInv = this.memInv[i] as number;
    const cpuUsed = ((this.cpuAlloc[i] as number) + w.cpu) * cpuInv;
    const memUsed = ((this.memAlloc[i] as number) + w.memoryMb) * memInv;
    const count = (cpuInv > 0 ? 1 : 0) + (memInv > 0 ? 1 : 0);
    if (count === 0) return 0;
    const used = cpuUsed + memUsed;
    const score = this.mostAllocated ? (100 * used) / count : (100 * (count - used)) / count;
    // Clamped: a registry may report an edge already over-committed, and the pruning bounds need <= 100.
    return score < 0 ? 0 : score > 100 ? 100 : score;
  }
}

/**
 * How many feasible edges to find before stopping, after the Kubernetes scheduler: a percentage of the
 * fleet (`0` = adaptive `max(5, 50 − n/125)`%), never below `minimum`, never above the fleet.
 */
export function feasibleEdgesToFind(n: number, percentage: number, minimum: number): number {
  requireNumber(n, "n", { integer: true, min: 0 });
  requireNumber(percentage, "percentage", { min: 0, max: 100 });
  requireNumber(minimum, "minimum", { integer: true, min: 1 });
  if (percentage >= 100 || n <= minimum) return n;
  const adaptive = percentage <= 0 ? Math.max(5, 50 - n / 125) : percentage;
  return Math.min(n, Math.max(minimum, Math.floor((n * adaptive) / 100)));
}
