import { describe, expect, it } from "vitest";
import { CancelledError, ValidationError } from "../../src/core/errors.js";
import { DEFAULT_CATALOG_INPUT } from "../../src/cost/default-catalog.js";
import { CostEngine } from "../../src/cost/engine.js";
import { recommendKind } from "../../src/cost/optimizer.js";
import { defaultCatalog } from "../../src/cost/catalog.js";

const H = 3_600_000;

describe("CostEngine", () => {
  it("a bad catalog leaves the current one in place", () => {
    const engine = new CostEngine();
    const before = engine.catalog;
    expect(() => engine.useCatalog({ ...DEFAULT_CATALOG_INPUT, version: "x" })).toThrow(ValidationError);
    expect(engine.catalog).toBe(before);
    const next = engine.useCatalog({ ...DEFAULT_CATALOG_INPUT, version: "9.9.9" });
    expect(engine.catalog).toBe(next);
    expect(engine.catalog.version).toBe("9.9.9");
  });

  it("commitments from the ledger's own history, and ROI of a plan", () => {
    const engine = new CostEngine();
    // Three always-on m5.large for 30 days plus a fourth for 2 hours a day.
    const records = [];
    for (let i = 0; i < 3; i++) records.push({ kind: "asset" as const, id: `base-${i}`, edgeId: "e", provider: "aws" as const, region: "us-east-1", instanceType: "m5.large", start: 0, end: 720 * H });
    for (let d = 0; d < 30; d++) records.push({ kind: "asset" as const, id: `peak-${d}`, edgeId: "e", provider: "aws" as const, region: "us-east-1", instanceType: "m5.large", start: (d * 24 + 10) * H, end: (d * 24 + 12) * H });
    engine.record(records);
    const [rec] = engine.commitments(engine.ledger.usageHistory(0, 720 * H), { strategy: "balance_cost_performance" });
    expect(rec?.instances).toBe(3);
    expect(rec?.coverage).toBeCloseTo((3 * 720) / (3 * 720 + 60), 12);
    const plan = engine.optimize([{ id: "api", provider: "aws", region: "us-east-1", instanceType: "m5.large", count: 3 }], { strategy: "predictable_cost" });
    const roi = engine.roi({ recommendations: plan.recommendations });
    expect(roi.implementationCost).toBe(0);
    expect(roi.paybackMonths).toBe(0);
    expect(roi.annualSavings).toBeCloseTo(12 * plan.monthlySavings, 9);
  });

  it("a move's one-off cost is netted from its monthly savings and counted once in ROI", () => {
    // 10 × m5.large: $0.12/h in ap-southeast-1, $0.096/h in us-east-1 → 10 × 0.024 × 730 = $175.20 a month.
    // The move: 1,000 GB × $0.09 + $300 = $390 one-off, $32.50 a month over 12 months → net $142.70.
    const plan = recommendKind(
      "relocation",
      [{ id: "db", provider: "aws", region: "ap-southeast-1", instanceType: "m5.large", count: 10, relocation: { allowed: [{ provider: "aws", region: "us-east-1" }], dataGb: 1000, fixedCost: 300 } }],
      defaultCatalog(),
      { strategy: "minimize_cost", amortizationMonths: 12 },
    );
    const rec = plan.recommendations[0];
    if (rec === undefined) throw new Error("expected a relocation");
    expect(rec.proposed.region).toBe("us-east-1");
    expect(rec.implementationCost).toBeCloseTo(390, 9);
    expect(rec.monthlySavings).toBeCloseTo(175.2 - 32.5, 9);
    expect(rec.current.monthlyCost - rec.proposed.monthlyCost).toBeCloseTo(rec.monthlySavings, 9);
    const engine = new CostEngine();
    const roi = engine.roi({ recommendations: [rec] });
    expect(roi.monthlySavings).toBeCloseTo(rec.monthlySavings + 32.5, 9);
  });

  it("a cancelled optimization throws CancelledError and returns nothing", () => {
    const controller = new AbortController();
    controller.abort();
    const engine = new CostEngine();
    expect(() => engine.optimize([{ id: "a", provider: "aws", region: "us-east-1", instanceType: "m5.large" }], {}, undefined, controller.signal)).toThrow(CancelledError);
  });

  it("validates strategies and options with the field named", () => {
    const engine = new CostEngine();
    try {
      engine.optimize([{ id: "a", provider: "aws", region: "us-east-1", instanceType: "m5.large" }], { strategy: "yolo" as never });
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).issues[0]?.path).toBe("options.strategy");
    }
  });
});
