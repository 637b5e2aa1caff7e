/**
 * The cost ledger: records assets, workload usage and shared costs, and allocates a window's cost
 * the way OpenCost does.
 *
 * - An asset's cost is split over its resources in proportion to capacity × a reference unit price
 *   (OpenCost's defaults: $0.031611 per vCPU-hour, $0.004237 per GB-hour, $0.95 per GPU-hour), which
 *   gives a per-core, per-GB and per-GPU hourly cost for that asset.
 * - A workload is charged for `max(request, usage)` of each resource: what it reserved or what it
 *   took, whichever is more. When those exceed the asset's capacity, the charges are scaled down to
 *   the capacity so no asset is charged twice.
 * - Idle cost = asset cost − allocated cost.
 * - Shared costs are split over the workloads in their window evenly or in proportion to allocated cost.
 *
 * @module
 */
import { ValidationError, type ValidationIssue } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { z } from "zod";
import type { PricingCatalog } from "./catalog.js";
import { money, pct } from "./format.js";
import { costAllocationQuerySchema, costRecordSchema, type CostAllocation, type CostAllocationQuery, type CostBreakdown, type CostRecordInput } from "./ledger-schema.js";
import type { UsageHistory } from "./commitments.js";
import type { ProviderId } from "./catalog-schema.js";

const HOUR_MS = 3_600_000;

/** OpenCost's default reference unit prices, used only for the ratio between resources. */
export const REFERENCE_UNIT_PRICES = Object.freeze({ vcpuHour: 0.031611, memoryGbHour: 0.004237, gpuHour: 0.95 });

interface Asset {
  readonly id: string;
  readonly edgeId: string;
  readonly provider: ProviderId;
  readonly region: string;
  readonly instanceType: string | undefined;
  readonly vcpu: number;
  readonly memoryGb: number;
  readonly gpu: number;
  readonly cost: number;
  readonly start: number;
  readonly end: number;
}

interface Usage {
  readonly assetId: string;
  readonly workloadId: string;
  readonly cpu: number;
  readonly memoryGb: number;
  readonly gpu: number;
  readonly start: number;
  readonly end: number;
}

interface Shared {
  readonly name: string;
  readonly cost: number;
  readonly start: number;
  readonly end: number;
}

interface Item {
  workloadId: string;
  edgeId: string;
  provider: string;
  cpu: number;
  memory: number;
  gpu: number;
  shared: number;
}

const overlap = (a0: number, a1: number, b0: number, b1: number): number => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

function emptyBreakdown(key: string): CostBreakdown {
  return { key, cpuCost: 0, memoryCost: 0, gpuCost: 0, sharedCost: 0, idleCost: 0, totalCost: 0 };
}

/**
 * @example
 * ```ts
 * const ledger = new CostLedger(defaultCatalog());
 * ledger.record([
 *   { kind: "asset", id: "n1", edgeId: "edge-west-1", provider: "aws", region: "us-east-1", instanceType: "m5.large", start: 0, end: 3_600_000 },
 *   { kind: "usage", assetId: "n1", workloadId: "api", cpuRequest: 1, cpuUsage: 0.4, memoryRequestGb: 2, memoryUsageGb: 3, start: 0, end: 3_600_000 },
 * ]);
 * ledger.allocate({ shareMode: "even" }).byWorkload; // api: 1 core and 3 GB of the machine's hour
 * ```
 */
export class CostLedger {
  private catalog: PricingCatalog;
  private readonly assets = new Map<string, Asset>();
  private readonly usage: Usage[] = [];
  private readonly shared: Shared[] = [];

  constructor(catalog: PricingCatalog) {
    this.catalog = catalog;
  }

  /** Prices later asset records from `catalog`; recorded costs stay as they were. */
  useCatalog(catalog: PricingCatalog): void {
    this.catalog = catalog;
  }

  /** Records counted so far. */
  get size(): { assets: number; usage: number; shared: number } {
    return { assets: this.assets.size, usage: this.usage.length, shared: this.shared.length };
  }

  /**
   * Records a batch atomically: every record is validated (asset capacity and price resolvable,
   * usage on a known asset, unique asset ids) before any is stored; one bad record refuses the batch
   * with each problem under `records[i]`.
   */
  record(records: readonly CostRecordInput[]): { assets: number; usage: number; shared: number } {
    const parsed = parseWith(z.array(costRecordSchema).max(1_000_000), records, "records");
    const issues: ValidationIssue[] = [];
    const assets = new Map<string, Asset>();
    const usage: Usage[] = [];
    const shared: Shared[] = [];
    parsed.forEach((r, i) => {
      const path = `records[${i}]`;
      if (r.kind === "asset") {
        if (this.assets.has(r.id) || assets.has(r.id)) {
          issues.push({ path: `${path}.id`, message: `asset "${r.id}" is already recorded`, code: "duplicate_id" });
          return;
        }
        const type = r.instanceType === undefined ? undefined : this.catalog.instanceType(r.provider, r.instanceType);
        if (r.instanceType !== undefined && type === undefined) {
          issues.push({ path: `${path}.instanceType`, message: `the catalog has no ${r.provider} instance type "${r.instanceType}"`, code: "cost.unknown_instance_type" });
          return;
        }
        const vcpu = r.vcpu ?? type?.vcpu;
        const memoryGb = r.memoryGb ?? type?.memoryGb;
        if (vcpu === undefined || memoryGb === undefined) {
          issues.push({ path: `${path}.vcpu`, message: "give vcpu and memoryGb, or an instanceType from the catalog", code: "invalid_type" });
          return;
        }
        let cost = r.cost;
        if (cost === undefined) {
          const offer = r.instanceType === undefined ? undefined : this.catalog.offer(r.provider, r.region, r.instanceType, r.purchaseOption);
          if (offer === undefined) {
            issues.push({ path: `${path}.cost`, message: `no cost given and the catalog does not price ${r.instanceType ?? "(no type)"} ${r.purchaseOption} in ${r.provider}/${r.region}`, code: "cost.unpriced_offer" });
            return;
          }
          cost = (offer.hourly * (r.end - r.start)) / HOUR_MS;
        }
        assets.set(r.id, { id: r.id, edgeId: r.edgeId, provider: r.provider, region: r.region, instanceType: r.instanceType, vcpu, memoryGb, gpu: r.gpu ?? type?.gpu ?? 0, cost, start: r.start, end: r.end });
      } else if (r.kind === "usage") {
        if (!this.assets.has(r.assetId) && !assets.has(r.assetId)) {
          issues.push({ path: `${path}.assetId`, message: `unknown asset "${r.assetId}": record the asset first (or in the same batch)`, code: "not_found" });
          return;
        }
        usage.push({ assetId: r.assetId, workloadId: r.workloadId, cpu: Math.max(r.cpuRequest, r.cpuUsage), memoryGb: Math.max(r.memoryRequestGb, r.memoryUsageGb), gpu: r.gpuRequest, start: r.start, end: r.end });
      } else {
        shared.push({ name: r.name, cost: r.cost, start: r.start, end: r.end });
      }
    });
    if (issues.length > 0) throw new ValidationError(issues);
    for (const [k, a] of assets) this.assets.set(k, a);
    this.usage.push(...usage);
    this.shared.push(...shared);
    return { assets: assets.size, usage: usage.length, shared: shared.length };
  }

  private window(from: number | undefined, to: number | undefined): [number, number] {
    let lo = Infinity;
    let hi = -Infinity;
    for (const a of this.assets.values()) {
      lo = Math.min(lo, a.start);
      hi = Math.max(hi, a.end);
    }
    for (const s of this.shared) {
      lo = Math.min(lo, s.start);
      hi = Math.max(hi, s.end);
    }
    const f = from ?? (Number.isFinite(lo) ? lo : 0);
    const t = to ?? (Number.isFinite(hi) ? hi : f);
    if (t < f) throw ValidationError.of("query.to", `to (${t}) must not be before from (${f})`, "invalid_range");
    return [f, t];
  }

  /** Allocates the costs of `[from, to]` (default: everything recorded) as described in the module notes. */
  allocate(query: CostAllocationQuery = {}): CostAllocation {
    const q = parseWith(costAllocationQuerySchema, query, "query");
    const [from, to] = this.window(q.from, q.to);
    const ref = REFERENCE_UNIT_PRICES;
    const usageByAsset = new Map<string, Usage[]>();
    for (const u of this.usage) {
      const list = usageByAsset.get(u.assetId) ?? [];
      list.push(u);
      usageByAsset.set(u.assetId, list);
    }
    const items: Item[] = [];
    const idleByEdge = new Map<string, number>();
    const idleByProvider = new Map<string, number>();
    let assetCost = 0;
    let idle = 0;
    for (const a of [...this.assets.values()].sort((x, y) => (x.id < y.id ? -1 : 1))) {
      const hours = overlap(a.start, a.end, from, to) / HOUR_MS;
      if (hours === 0) continue;
      const cost = (a.cost * hours * HOUR_MS) / (a.end - a.start);
      assetCost += cost;
      const perHour = hours > 0 ? cost / hours : 0;
      const weight = a.vcpu * ref.vcpuHour + a.memoryGb * ref.memoryGbHour + a.gpu * ref.gpuHour;
      const unit = { cpu: (perHour * ref.vcpuHour) / weight, memory: (perHour * ref.memoryGbHour) / weight, gpu: (perHour * ref.gpuHour) / weight };
      const uses = (usageByAsset.get(a.id) ?? []).map((u) => ({ u, h: overlap(u.start, u.end, Math.max(from, a.start), Math.min(to, a.end)) / HOUR_MS }));
      const demand = uses.reduce((d, { u, h }) => ({ cpu: d.cpu + u.cpu * h, memory: d.memory + u.memoryGb * h, gpu: d.gpu + u.gpu * h }), { cpu: 0, memory: 0, gpu: 0 });
      // Over-committed resources are charged pro rata so the charges never exceed the asset.
      const scale = {
        cpu: demand.cpu > a.vcpu * hours ? (a.vcpu * hours) / demand.cpu : 1,
        memory: demand.memory > a.memoryGb * hours ? (a.memoryGb * hours) / demand.memory : 1,
        gpu: demand.gpu > a.gpu * hours ? (a.gpu * hours) / demand.gpu : 1,
      };
      let allocated = 0;
      for (const { u, h } of uses) {
        if (h === 0) continue;
        const item: Item = {
          workloadId: u.workloadId,
          edgeId: a.edgeId,
          provider: a.provider,
          cpu: u.cpu * h * scale.cpu * unit.cpu,
          memory: u.memoryGb * h * scale.memory * unit.memory,
          gpu: a.gpu > 0 ? u.gpu * h * scale.gpu * unit.gpu : 0,
          shared: 0,
        };
        allocated += item.cpu + item.memory + item.gpu;
        items.push(item);
      }
      const assetIdle = Math.max(0, cost - allocated);
      idle += assetIdle;
      idleByEdge.set(a.edgeId, (idleByEdge.get(a.edgeId) ?? 0) + assetIdle);
      idleByProvider.set(a.provider, (idleByProvider.get(a.provider) ?? 0) + assetIdle);
    }
    const allocatedCost = items.reduce((s, i) => s + i.cpu + i.memory + i.gpu, 0);
    // Shared costs: each split over the workloads with allocations in its window.
    let sharedCost = 0;
    let unallocatedShared = 0;
    for (const s of this.shared) {
      const part = (s.cost * overlap(s.start, s.end, from, to)) / (s.end - s.start);
      if (part === 0) continue;
      sharedCost += part;
      const carriers = items.filter((i) => i.cpu + i.memory + i.gpu > 0);
      const workloads = [...new Set(carriers.map((i) => i.workloadId))];
      if (workloads.length === 0) {
        unallocatedShared += part;
        continue;
      }
      const costOf = (i: Item): number => i.cpu + i.memory + i.gpu;
      if (q.shareMode === "even") {
        const perWorkload = part / workloads.length;
        for (const w of workloads) {
          const mine = carriers.filter((i) => i.workloadId === w);
          const total = mine.reduce((t, i) => t + costOf(i), 0);
          for (const i of mine) i.shared += total > 0 ? (perWorkload * costOf(i)) / total : perWorkload / mine.length;
        }
      } else {
        const total = carriers.reduce((t, i) => t + costOf(i), 0);
        for (const i of carriers) i.shared += (part * costOf(i)) / total;
      }
    }
    const group = (keyOf: (i: Item) => string, idleOf: Map<string, number> | null): CostBreakdown[] => {
      const out = new Map<string, CostBreakdown>();
      for (const i of items) {
        const b = out.get(keyOf(i)) ?? emptyBreakdown(keyOf(i));
        out.set(b.key, { ...b, cpuCost: b.cpuCost + i.cpu, memoryCost: b.memoryCost + i.memory, gpuCost: b.gpuCost + i.gpu, sharedCost: b.sharedCost + i.shared, totalCost: b.totalCost + i.cpu + i.memory + i.gpu + i.shared });
      }
      for (const [k, v] of idleOf ?? []) {
        const b = out.get(k) ?? emptyBreakdown(k);
        out.set(k, { ...b, idleCost: b.idleCost + v, totalCost: b.totalCost + v });
      }
      return [...out.values()].sort((x, y) => y.totalCost - x.totalCost || (x.key < y.key ? -1 : 1));
    };
    const byResource = {
      cpu: items.reduce((s, i) => s + i.cpu, 0),
      memory: items.reduce((s, i) => s + i.memory, 0),
      gpu: items.reduce((s, i) => s + i.gpu, 0),
      idle,
      shared: sharedCost,
    };
    const total = assetCost + sharedCost;
    return {
      from,
      to,
      shareMode: q.shareMode,
      assetCost,
      allocatedCost,
      idleCost: idle,
      sharedCost,
      unallocatedSharedCost: unallocatedShared,
      totalCost: total,
      byWorkload: group((i) => i.workloadId, null),
      byEdge: group((i) => i.edgeId, idleByEdge),
      byProvider: group((i) => i.provider, idleByProvider),
      byResource,
      explanation: [
        `assets ${money(assetCost)} = allocated ${money(allocatedCost)} (cpu ${money(byResource.cpu)} + memory ${money(byResource.memory)} + gpu ${money(byResource.gpu)}) + idle ${money(idle)}`,
        `efficiency: allocated / assets = ${pct(assetCost > 0 ? allocatedCost / assetCost : 0)}`,
        `shared ${money(sharedCost)} split ${q.shareMode === "even" ? "evenly over workloads" : "in proportion to allocated cost"}` + (unallocatedShared > 0 ? `; ${money(unallocatedShared)} had no workload to carry it` : ""),
      ],
    };
  }

  /**
   * Spend per step of `stepMs` over `[from, to)`: asset and shared costs spread evenly over their
   * windows. The series a spend forecast is fitted on.
   */
  spendSeries(from: number, to: number, stepMs: number): number[] {
    if (!(stepMs > 0) || !(to > from)) throw ValidationError.of("stepMs", "need stepMs > 0 and to > from", "invalid_range");
    const steps = Math.ceil((to - from) / stepMs);
    if (steps > 100_000) throw ValidationError.of("stepMs", `${steps} steps is more than 100,000`, "too_big");
    const out = new Array<number>(steps).fill(0);
    const spread = (cost: number, s: number, e: number): void => {
      const rate = cost / (e - s);
      const first = Math.max(0, Math.floor((s - from) / stepMs));
      const last = Math.min(steps - 1, Math.floor((e - from) / stepMs));
      for (let k = first; k <= last; k++) {
        const t0 = from + k * stepMs;
        out[k] = (out[k] ?? 0) + rate * overlap(s, e, t0, Math.min(t0 + stepMs, to));
      }
    };
    for (const a of this.assets.values()) spread(a.cost, a.start, a.end);
    for (const s of this.shared) spread(s.cost, s.start, s.end);
    return out;
  }

  /** Instances of each (provider, region, instance type) running in each hour of `[from, to)`, for commitment sizing. */
  usageHistory(from: number, to: number): UsageHistory[] {
    const hours = Math.ceil((to - from) / HOUR_MS);
    if (!(hours > 0) || hours > 10 * 8760) throw ValidationError.of("to", "need 1 to 87,600 hours between from and to", "invalid_range");
    const groups = new Map<string, { provider: ProviderId; region: string; instanceType: string; hourlyInstances: number[] }>();
    for (const a of this.assets.values()) {
      if (a.instanceType === undefined) continue;
      const key = `${a.provider}/${a.region}/${a.instanceType}`;
      let g = groups.get(key);
      if (g === undefined) groups.set(key, (g = { provider: a.provider, region: a.region, instanceType: a.instanceType, hourlyInstances: new Array<number>(hours).fill(0) }));
      const first = Math.max(0, Math.floor((a.start - from) / HOUR_MS));
      const last = Math.min(hours - 1, Math.floor((a.end - from) / HOUR_MS));
      for (let k = first; k <= last; k++) {
        const t0 = from + k * HOUR_MS;
        g.hourlyInstances[k] = (g.hourlyInstances[k] ?? 0) + overlap(a.start, a.end, t0, t0 + HOUR_MS) / HOUR_MS;
      }
    }
    return [...groups.values()].sort((x, y) => (`${x.provider}/${x.region}/${x.instanceType}` < `${y.provider}/${y.region}/${y.instanceType}` ? -1 : 1));
  }
}
