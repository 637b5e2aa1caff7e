/**
 * Cost optimizer throughput and optimality: a 10,000-workload fleet against a 500-instance-type
 * catalog (synthetic, seeded, shaped like the default sample catalog: families of sizes, 1–3 regions,
 * every purchase option). The indexed optimizer is timed beside a brute-force evaluation of every
 * (workload, instance type × region, purchase option) triple, scale to zero on and off, in the same
 * run, and the savings each finds are printed side by side (the optimizer must find ≥ 99 %).
 *
 *   npx tsx bench/cost.bench.ts                  # 10,000 workloads × 500 types, minimize_cost
 *   STRATEGIES=all npx tsx bench/cost.bench.ts   # ... every strategy (about five times as long)
 *   QUICK=1 npx tsx bench/cost.bench.ts          # 1,000 workloads, every strategy
 */
import { performance } from "node:perf_hooks";
import { Random } from "../src/core/random.js";
import { INTERRUPTION_BUCKETS, PROVIDERS, type CatalogInput, type ProviderId } from "../src/cost/catalog-schema.js";
import { loadCatalog, type PricingCatalog } from "../src/cost/catalog.js";
import { bruteForceSavings, optimize } from "../src/cost/optimizer.js";
import { STRATEGIES } from "../src/cost/strategies.js";
import { TOLERANCES, type CostWorkloadInput } from "../src/cost/workload.js";

const quick = process.env["QUICK"] === "1";
const WORKLOADS = quick ? 1_000 : 10_000;
const TYPES = 500;
const random = new Random(20250115);

const REGIONS: Readonly<Record<ProviderId, readonly string[]>> = {
  aws: ["us-east-1", "eu-west-1", "ap-southeast-1"],
  gcp: ["us-central1", "europe-west4"],
  azure: ["eastus", "westeurope"],
  alibaba: ["us-east-1", "eu-central-1"],
  "edge-local": ["local"],
};

function syntheticCatalog(): CatalogInput {
  const instanceTypes: CatalogInput["instanceTypes"] = [];
  const sizes = [1, 2, 4, 8, 16, 32, 48, 64, 96, 128];
  for (let i = 0; instanceTypes.length < TYPES; i++) {
    const provider = PROVIDERS[i % PROVIDERS.length] as ProviderId;
    const family = `f${i}`;
    const memPerCpu = random.pick([1, 2, 4, 8]);
    const gpu = random.float() < 0.1 ? 1 : 0;
    const perCpu = random.uniform(0.02, 0.06) * (1 + gpu * 4);
    const regions = REGIONS[provider].filter(() => random.float() < 0.7);
    if (regions.length === 0) regions.push(REGIONS[provider][0] as string);
    for (const vcpu of sizes) {
      if (instanceTypes.length >= TYPES) break;
      const bucket = random.pick(INTERRUPTION_BUCKETS);
      instanceTypes.push({
        name: `${family}.${vcpu}x`,
        provider,
        family,
        vcpu,
        memoryGb: vcpu * memPerCpu,
        gpu,
        prices: regions.map((region, r) => {
          const od = vcpu * perCpu * (1 + 0.1 * r);
          const commit = (d: number): number => od * (1 - d);
          return provider === "edge-local"
            ? { region, onDemand: od }
            : {
                region,
                onDemand: od,
                spot: { hourly: od * random.uniform(0.2, 0.5), interruption: bucket },
                reserved: [
                  { termYears: 1 as const, upfront: "none" as const, upfrontCost: 0, hourly: commit(0.37) },
                  { termYears: 1 as const, upfront: "partial" as const, upfrontCost: commit(0.39) * 4380, hourly: commit(0.39) / 2 },
                  { termYears: 1 as const, upfront: "all" as const, upfrontCost: commit(0.4) * 8760, hourly: 0 },
                  { termYears: 3 as const, upfront: "none" as const, upfrontCost: 0, hourly: commit(0.55) },
                  { termYears: 3 as const, upfront: "partial" as const, upfrontCost: commit(0.57) * 13140, hourly: commit(0.57) / 2 },
                  { termYears: 3 as const, upfront: "all" as const, upfrontCost: commit(0.58) * 26280, hourly: 0 },
                ],
                savingsPlan: [
                  { termYears: 1 as const, hourly: commit(0.27) },
                  { termYears: 3 as const, hourly: commit(0.5) },
                ],
                dedicated: od * 1.1,
              };
        }),
      });
    }
  }
  return {
    version: "1.0.0",
    label: "synthetic benchmark catalog",
    pricesAsOf: "2025-01-15",
    currency: "USD",
    providers: PROVIDERS.map((id) => ({
      id,
      name: id,
      regions: REGIONS[id].map((r) => ({ id: r })),
      egressPerGb: id === "edge-local" ? 0 : 0.09,
      ...(id === "aws" ? { faas: { service: "aws_lambda", perGbSecond: 0.0000166667, perRequest: 0.0000002 } } : {}),
    })),
    instanceTypes,
  };
}

function fleet(catalog: PricingCatalog): CostWorkloadInput[] {
  const starts = catalog.offers().filter((o) => o.option === "on_demand");
  return Array.from({ length: WORKLOADS }, (_, i): CostWorkloadInput => {
    const offer = random.pick(starts);
    const hours = random.float() < 0.7 ? 730 : Math.round(random.uniform(50, 730));
    return {
      id: `w${i}`,
      provider: offer.provider,
      region: offer.region,
      instanceType: offer.type.name,
      count: random.int(1, 20),
      hoursPerMonth: hours,
      interruptionTolerance: random.pick(TOLERANCES),
      ...(random.float() < 0.6 ? { usage: { cpuP995: random.uniform(2, 95), memoryP995: random.uniform(5, 95), windowDays: random.uniform(0, 30) } } : {}),
      ...(random.float() < 0.2 ? { scaleToZero: { activeHoursPerMonth: hours * random.float(), coldStartTolerant: random.float() < 0.5 } } : {}),
      ...(random.float() < 0.2 ? { requests: { perMonth: random.int(0, 50_000_000), avgDurationMs: random.int(5, 3000), memoryMb: random.pick([128, 256, 512, 1024, 2048]) } } : {}),
      ...(random.float() < 0.2 ? { relocation: { allowed: [{ provider: random.pick(PROVIDERS) }], dataGb: random.int(0, 2000), fixedCost: random.int(0, 3000) } } : {}),
    };
  });
}

function time<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

const catalog = loadCatalog(syntheticCatalog());
const workloads = fleet(catalog);
console.log(`cost optimizer: ${WORKLOADS.toLocaleString()} workloads × ${catalog.data.instanceTypes.length} instance types (${catalog.offers().length.toLocaleString()} offers, every purchase option)`);
// Warm-up on a slice so JIT compilation is not billed to the first strategy.
optimize(workloads.slice(0, 500), catalog, { strategy: "minimize_cost" });
bruteForceSavings(workloads.slice(0, 50), catalog, { strategy: "minimize_cost" });

const rows: string[] = [];
const strategies = quick || process.env["STRATEGIES"] === "all" ? STRATEGIES : (["minimize_cost"] as const);
for (const strategy of strategies) {
  const fast = time(() => optimize(workloads, catalog, { strategy }));
  const brute = time(() => bruteForceSavings(workloads, catalog, { strategy }));
  const recs = fast.value.recommendations.length;
  const found = brute.value.monthlySavings > 0 ? fast.value.monthlySavings / brute.value.monthlySavings : 1;
  rows.push(
    `| ${strategy} | ${fast.ms.toFixed(0)} ms | ${((recs / fast.ms) * 1000).toFixed(0)} | ${brute.ms.toFixed(0)} ms | ${(brute.value.evaluated / 1e6).toFixed(1)} M | ${(brute.ms / fast.ms).toFixed(1)}× | ` +
      `$${fast.value.monthlySavings.toFixed(2)} | $${brute.value.monthlySavings.toFixed(2)} | ${(100 * found).toFixed(3)} % |`,
  );
  if (found < 0.99) console.error(`FAIL: ${strategy} found only ${(100 * found).toFixed(3)} % of the brute-force savings`);
}
console.log("| strategy | optimizer | recommendations/s | brute force | triples scored | speed-up | optimizer savings/month | brute-force savings/month | found |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const r of rows) console.log(r);
