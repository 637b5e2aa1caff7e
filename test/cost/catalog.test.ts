import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import { INTERRUPTION_BUCKETS, PROVIDERS, PURCHASE_OPTIONS, type CatalogInput } from "../../src/cost/catalog-schema.js";
import { defaultCatalog, loadCatalog } from "../../src/cost/catalog.js";
import { DEFAULT_CATALOG_DATE, DEFAULT_CATALOG_INPUT } from "../../src/cost/default-catalog.js";
import { optimize } from "../../src/cost/optimizer.js";

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

const tiny = (): CatalogInput => ({
  version: "2.1.0",
  label: "our negotiated prices",
  pricesAsOf: "2025-03-01",
  currency: "USD",
  providers: [{ id: "aws", name: "AWS", regions: [{ id: "us-east-1" }], egressPerGb: 0.09 }],
  instanceTypes: [
    {
      name: "m5.large",
      provider: "aws",
      family: "m5",
      vcpu: 2,
      memoryGb: 8,
      prices: [{ region: "us-east-1", onDemand: 0.08, spot: { hourly: 0.03, interruption: "5-10%" }, reserved: [{ termYears: 1, upfront: "all", upfrontCost: 438, hourly: 0 }] }],
    },
  ],
});

describe("default catalog", () => {
  const catalog = defaultCatalog();

  it("is dated, labelled as sample prices and versioned", () => {
    expect(catalog.label).toContain("sample prices");
    expect(catalog.data.pricesAsOf).toBe(DEFAULT_CATALOG_DATE);
    expect(catalog.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("prices every provider, every purchase option and every interruption bucket", () => {
    expect(new Set(catalog.data.providers.map((p) => p.id))).toEqual(new Set(PROVIDERS));
    expect(catalog.purchaseOptions()).toEqual([...PURCHASE_OPTIONS]);
    const buckets = new Set(catalog.offers().flatMap((o) => (o.interruption === null ? [] : [o.interruption])));
    expect(buckets).toEqual(new Set(INTERRUPTION_BUCKETS));
    expect(catalog.offers().some((o) => o.type.gpu > 0)).toBe(true);
    expect(catalog.faas("aws")?.perGbSecond).toBe(0.0000166667);
  });

  it("quotes the published list prices it is dated by", () => {
    expect(catalog.offer("aws", "us-east-1", "m5.large", "on_demand")?.hourly).toBe(0.096);
    expect(catalog.offer("aws", "us-east-1", "t3.small", "on_demand")?.hourly).toBe(0.0208);
    expect(catalog.offer("gcp", "us-central1", "e2-standard-2", "on_demand")?.hourly).toBe(0.067006);
    // Reservations amortise their upfront payment over the term's hours.
    const all = catalog.offer("aws", "us-east-1", "m5.large", "reserved_1y_all_upfront");
    expect(all?.hourly).toBeCloseTo((all?.upfrontCost ?? 0) / 8760, 12);
    expect(all?.committed).toBe(true);
  });

  it("every effective commitment rate is below on demand and every spot rate too", () => {
    for (const o of catalog.offers()) {
      const od = catalog.offer(o.provider, o.region, o.type.name, "on_demand")?.hourly ?? 0;
      if (o.committed || o.option === "spot") expect(o.hourly).toBeLessThan(od);
      if (o.option === "dedicated") expect(o.hourly).toBeGreaterThan(od);
    }
  });

  it("is frozen: callers cannot change prices", () => {
    expect(Object.isFrozen(catalog.data.instanceTypes[0])).toBe(true);
    expect(Object.isFrozen(DEFAULT_CATALOG_INPUT)).toBe(true);
  });
});

describe("user catalogs", () => {
  it("loads a valid catalog and optimizes against it", () => {
    const catalog = loadCatalog(tiny());
    expect(catalog.version).toBe("2.1.0");
    expect(catalog.offer("aws", "us-east-1", "m5.large", "reserved_1y_all_upfront")?.hourly).toBeCloseTo(0.05, 12);
    const plan = optimize([{ id: "a", provider: "aws", region: "us-east-1", instanceType: "m5.large" }], catalog, { strategy: "minimize_cost" });
    expect(plan.catalogVersion).toBe("2.1.0");
    expect(plan.monthlySavings).toBeGreaterThan(0);
  });

  it("reports every problem with its path", () => {
    const bad = tiny() as unknown as { version: string; pricesAsOf: string; instanceTypes: Array<Record<string, unknown>> };
    bad.version = "latest";
    bad.pricesAsOf = "March";
    bad.instanceTypes.push({ ...(bad.instanceTypes[0] as object), prices: [{ region: "mars-1", onDemand: -1 }] });
    const issues = issuesOf(() => loadCatalog(bad));
    expect(issues.some((i) => i.startsWith("catalog.version"))).toBe(true);
    expect(issues.some((i) => i.startsWith("catalog.pricesAsOf"))).toBe(true);
    expect(issues.some((i) => i.startsWith("catalog.instanceTypes[1].prices[0].onDemand"))).toBe(true);
  });

  it("refuses cross-reference errors: unknown regions, duplicates, inconsistent reservations", () => {
    const c = tiny();
    const type = c.instanceTypes[0];
    if (type === undefined) throw new Error("fixture");
    c.instanceTypes.push({ ...type });
    c.instanceTypes.push({ ...type, name: "x", prices: [{ region: "eu-west-9", onDemand: 1, reserved: [{ termYears: 1, upfront: "none", upfrontCost: 5, hourly: 1 }] }] });
    const issues = issuesOf(() => loadCatalog(c));
    expect(issues.some((i) => i.includes("instanceTypes[1].name") && i.includes("twice"))).toBe(true);
    expect(issues.some((i) => i.includes("instanceTypes[2].prices[0].region"))).toBe(true);
    expect(issues.some((i) => i.includes("instanceTypes[2].prices[0].reserved[0].upfrontCost"))).toBe(true);
  });

  it("a workload on an unknown type is refused before any work, naming the workload", () => {
    const issues = issuesOf(() => optimize([{ id: "a", provider: "aws", region: "us-east-1", instanceType: "m9.huge" }], defaultCatalog()));
    expect(issues[0]).toMatch(/^workloads\.a\.instanceType/);
  });
});
