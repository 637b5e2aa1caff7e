/**
 * Invariants of the optimizer, commitments and ROI over random fleets of the default catalog.
 * `SIM_RUNS=N` for deep runs; a failure prints its seed (`SIM_SEED=<seed>` replays it).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUCKET_UPPER, HOURS_PER_MONTH, type InterruptionBucket } from "../../src/cost/catalog-schema.js";
import { defaultCatalog } from "../../src/cost/catalog.js";
import { breakevenUtilisation, commitmentSize, recommendCommitments, unitUtilisation } from "../../src/cost/commitments.js";
import { bruteForceSavings, optimize, recommendKind } from "../../src/cost/optimizer.js";
import { MAX_PAYBACK_MONTHS, calculateRoi } from "../../src/cost/roi.js";
import { planSchema } from "../../src/cost/schemas.js";
import { STRATEGY_RULES } from "../../src/cost/strategies.js";
import { TOLERANCE_MAX_INTERRUPTION, type CostWorkloadInput } from "../../src/cost/workload.js";
import { simRuns, simSeed } from "../support/sim.js";
import { allFinite, fleetArb, strategyArb } from "./fixtures.js";

const catalog = defaultCatalog();
const params = (runs: number, seed: number): fc.Parameters<unknown> => ({ numRuns: simRuns(runs), seed: simSeed(seed) });
const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

describe("optimizer properties", () => {
  it("every plan costs no more than today, per recommendation and in total, and the savings add up", () => {
    fc.assert(
      fc.property(fleetArb(), strategyArb, (fleet, strategy) => {
        const plan = optimize(fleet, catalog, { strategy });
        expect(planSchema.parse(plan)).toBeTruthy();
        expect(plan.proposedMonthlyCost).toBeLessThanOrEqual(plan.currentMonthlyCost);
        const sum = plan.recommendations.reduce((s, r) => s + r.monthlySavings, 0);
        expect(close(sum, plan.monthlySavings)).toBe(true);
        expect(close(plan.currentMonthlyCost - plan.proposedMonthlyCost, plan.monthlySavings)).toBe(true);
        const perWorkload = new Set<string>();
        for (const r of plan.recommendations) {
          expect(perWorkload.has(r.workloadId)).toBe(false);
          perWorkload.add(r.workloadId);
          expect(r.monthlySavings).toBeGreaterThan(0);
          expect(r.proposed.monthlyCost).toBeLessThan(r.current.monthlyCost);
          expect(close(r.current.monthlyCost - r.proposed.monthlyCost, r.monthlySavings)).toBe(true);
          expect(r.explanation.length).toBeGreaterThan(1);
        }
        expect(plan.recommendations.length + plan.skipped.length).toBe(fleet.length);
        expect(allFinite(plan)).toBe(true);
        expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
      }),
      params(100, 1501),
    );
  });

  it("each strategy's constraints always hold (risk-averse never above the 5-10% bucket, tolerance caps spot)", () => {
    fc.assert(
      fc.property(fleetArb(), strategyArb, (fleet, strategy) => {
        const rules = STRATEGY_RULES[strategy];
        const byId = new Map(fleet.map((w) => [w.id, w] as const));
        for (const r of optimize(fleet, catalog, { strategy }).recommendations) {
          const w = byId.get(r.workloadId) as CostWorkloadInput;
          expect(r.risk.score).toBeLessThanOrEqual(rules.maxRisk + 1e-12);
          expect(r.confidence).toBeGreaterThanOrEqual(rules.minConfidence);
          expect(r.monthlySavings).toBeGreaterThanOrEqual(rules.minSavingsFraction * r.current.monthlyCost - 1e-9);
          if (r.proposed.target === "faas") expect(rules.faas).toBe(true);
          else expect(rules.options.includes(r.proposed.purchaseOption as never) || r.proposed.purchaseOption === w.purchaseOption).toBe(true);
          if (r.kinds.includes("relocation")) expect(rules.relocation).toBe(true);
          if (r.kinds.includes("scale_to_zero")) expect(rules.scaleToZero && w.scaleToZero?.coldStartTolerant).toBe(true);
          for (const pool of r.spotPools) {
            const edge = BUCKET_UPPER[pool.interruption as InterruptionBucket];
            expect(edge).toBeLessThanOrEqual(rules.maxInterruption);
            expect(edge).toBeLessThanOrEqual(TOLERANCE_MAX_INTERRUPTION[w.interruptionTolerance ?? "none"]);
            if (strategy === "risk_averse") expect(edge).toBeLessThanOrEqual(0.1);
          }
          if (!rules.downsize && r.proposed.target === "vm") {
            const cur = catalog.instanceType(w.provider, w.instanceType);
            const next = catalog.instanceType(r.proposed.provider, r.proposed.instanceType);
            expect(next && cur && next.vcpu >= cur.vcpu && next.memoryGb >= cur.memoryGb).toBe(true);
          }
          if (strategy === "maximize_performance" || strategy === "predictable_cost") expect(r.kinds).not.toContain("spot");
          if (r.kinds.includes("commitment")) expect((w.hoursPerMonth ?? HOURS_PER_MONTH) / HOURS_PER_MONTH).toBeGreaterThanOrEqual(rules.commitmentFloor);
        }
      }),
      params(100, 1502),
    );
  });

  it("the indexed search finds exactly the brute-force savings", () => {
    fc.assert(
      fc.property(fleetArb(8), strategyArb, (fleet, strategy) => {
        const fast = optimize(fleet, catalog, { strategy });
        const brute = bruteForceSavings(fleet, catalog, { strategy });
        expect(close(fast.monthlySavings, brute.monthlySavings)).toBe(true);
        expect(fast.recommendations.length).toBe(brute.changed);
      }),
      params(40, 1503),
    );
  });

  it("single-kind reports only make changes of their kind, each cheaper than today", () => {
    fc.assert(
      fc.property(fleetArb(), strategyArb, fc.constantFrom("spot", "rightsizing", "faas", "scale_to_zero", "relocation" as const), (fleet, strategy, kind) => {
        const report = recommendKind(kind, fleet, catalog, { strategy });
        for (const r of report.recommendations) {
          expect(r.kinds).toContain(kind);
          expect(r.proposed.monthlyCost).toBeLessThan(r.current.monthlyCost);
        }
        expect(close(report.currentMonthlyCost - report.proposedMonthlyCost, report.monthlySavings)).toBe(true);
        expect(allFinite(report)).toBe(true);
      }),
      params(60, 1504),
    );
  });
});

describe("commitment properties", () => {
  const hourlyArb = fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { minLength: 1, maxLength: 24 * 40 });

  it("breakeven utilisation is 1 − discount, and the sized commitment stops exactly where the next unit would fall below it", () => {
    fc.assert(
      fc.property(hourlyArb, fc.double({ min: 0.01, max: 10, noNaN: true }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (hourly, od, discount) => {
        const e = od * (1 - discount);
        expect(breakevenUtilisation(od, e)).toBeCloseTo(1 - discount, 12);
        const floor = breakevenUtilisation(od, e);
        const n = commitmentSize(hourly, floor);
        if (n > 0) expect(unitUtilisation(hourly, n)).toBeGreaterThanOrEqual(floor);
        expect(unitUtilisation(hourly, n + 1) < floor || n + 1 > Math.ceil(Math.max(...hourly))).toBe(true);
        // Each committed unit saves (utilisation × od − e) ≥ 0 an hour, so the commitment never costs more.
        const cost = (k: number): number => hourly.reduce((s, u) => s + k * e + Math.max(0, u - k) * od, 0);
        expect(cost(n)).toBeLessThanOrEqual(cost(0) + 1e-9);
        // ... and n is optimal: one unit more or less costs at least as much.
        expect(cost(n)).toBeLessThanOrEqual(cost(n + 1) + 1e-9);
        if (n > 0) expect(cost(n)).toBeLessThanOrEqual(cost(n - 1) + 1e-9);
      }),
      params(300, 1505),
    );
  });

  it("commitment recommendations save money, respect the strategy and stay finite", () => {
    const types = catalog.offers().filter((o) => o.option === "on_demand" && o.provider !== "edge-local");
    fc.assert(
      fc.property(fc.constantFrom(...types), hourlyArb, strategyArb, (offer, hourly, strategy) => {
        const recs = recommendCommitments([{ provider: offer.provider, region: offer.region, instanceType: offer.type.name, hourlyInstances: hourly }], catalog, { strategy });
        for (const r of recs) {
          expect(r.monthlySavings).toBeGreaterThan(0);
          expect(STRATEGY_RULES[strategy].options).toContain(r.purchaseOption);
          expect(r.marginalUtilisation).toBeGreaterThanOrEqual(Math.max(r.breakevenUtilisation, STRATEGY_RULES[strategy].commitmentFloor) - 1e-12);
          expect(r.breakevenUtilisation).toBeCloseTo(1 - r.discount, 12);
          expect(r.currentMonthlyCost).toBeCloseTo((hourly.reduce((s, u) => s + u, 0) * offer.hourly * HOURS_PER_MONTH) / hourly.length, 6);
          expect(allFinite(r)).toBe(true);
        }
      }),
      params(200, 1506),
    );
  });
});

describe("ROI properties", () => {
  it("every figure is finite and JSON-safe, zero cost included; payback × savings = cost", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e7, noNaN: true })),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 600 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (cost, savings, horizon, rate) => {
          const roi = calculateRoi({ implementationCost: cost, monthlySavings: savings, horizonMonths: horizon, discountRate: rate });
          expect(allFinite(roi)).toBe(true);
          expect(JSON.parse(JSON.stringify(roi))).toEqual(roi);
          if (cost === 0) expect(roi.paybackMonths).toBe(0);
          if (cost === 0) expect(roi.annualRoi).toBeNull();
          if (roi.paybackMonths !== null && cost > 0) expect(roi.paybackMonths * savings).toBeCloseTo(cost, 6);
          if (savings <= 0 && cost > 0) expect(roi.paybackMonths).toBeNull();
          if (roi.paybackMonths !== null) expect(roi.paybackMonths).toBeLessThanOrEqual(MAX_PAYBACK_MONTHS);
          // NPV never exceeds the undiscounted total.
          expect(roi.npv).toBeLessThanOrEqual(-cost + Math.max(0, savings) * horizon + 1e-6 * Math.max(1, cost));
        },
      ),
      params(300, 1507),
    );
  });
});
