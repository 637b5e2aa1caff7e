/** Worked examples, each computed by hand in the comments and checked against the engine. */
import { describe, expect, it } from "vitest";
import { defaultCatalog } from "../../src/cost/catalog.js";
import { recommendCommitments } from "../../src/cost/commitments.js";
import { costPerRequest, crossoverRequestRate, faasMonthlyCost } from "../../src/cost/faas.js";
import { CostLedger } from "../../src/cost/ledger.js";
import { optimize, recommendKind } from "../../src/cost/optimizer.js";
import { calculateRoi } from "../../src/cost/roi.js";
import { STRATEGIES } from "../../src/cost/strategies.js";

const catalog = defaultCatalog();
const lambda = catalog.faas("aws");

describe("FaaS versus VM: 100 ms at 512 MB on Lambda pricing against a t3.small", () => {
  // Lambda (x86): $0.0000166667 per GB-s and $0.20 per million requests ($0.0000002 each).
  // One request: 0.1 s × 0.5 GB = 0.05 GB-s → 0.05 × 0.0000166667 = $0.000000833335,
  //   plus $0.0000002 = $0.000001033335 per request.
  // t3.small on demand in us-east-1: $0.0208/h × 730 h = $15.184 a month.
  // Crossover: 15.184 / 0.000001033335 = 14,694,169.8 requests a month;
  //   a month is 730 × 3600 = 2,628,000 s, so 14,694,169.8 / 2,628,000 = 5.5914 requests/s.
  // Below ~5.6 requests/s the function is cheaper; above it the VM is.
  it("computes the crossover request rate", () => {
    expect(lambda).toBeDefined();
    if (lambda === undefined) return;
    expect(costPerRequest(lambda, { avgDurationMs: 100, memoryMb: 512 })).toBeCloseTo(0.000001033335, 15);
    const vm = catalog.offer("aws", "us-east-1", "t3.small", "on_demand");
    expect(vm?.hourly).toBe(0.0208);
    const x = crossoverRequestRate(lambda, { avgDurationMs: 100, memoryMb: 512 }, 0.0208 * 730);
    expect(x.perMonth).toBeCloseTo(14_694_169.8, 0);
    expect(x.perSecond).toBeCloseTo(5.5914, 4);
  });

  it("recommends the function below the crossover and the VM above it", () => {
    const workload = (perMonth: number) => ({ id: "thumbs", provider: "aws" as const, region: "us-east-1", instanceType: "t3.small", requests: { perMonth, avgDurationMs: 100, memoryMb: 512 } });
    // 1M requests: 1,000,000 × $0.000001033335 = $1.033 < $15.184 → functions, saving $14.15.
    const below = recommendKind("faas", [workload(1_000_000)], catalog, { strategy: "minimize_cost" });
    expect(below.recommendations[0]?.proposed.target).toBe("faas");
    expect(below.recommendations[0]?.monthlySavings).toBeCloseTo(15.184 - 1.033335, 6);
    // 20M requests: $20.67 > $15.184 → the VM stays.
    const above = recommendKind("faas", [workload(20_000_000)], catalog, { strategy: "minimize_cost" });
    expect(above.recommendations).toHaveLength(0);
    if (lambda !== undefined) expect(faasMonthlyCost(lambda, workload(20_000_000).requests).cost).toBeCloseTo(20.6667, 4);
  });

  it("refuses functions for a job over Lambda's limits (the placement deployment analysis)", () => {
    // 20,000 MB is above Lambda's 10,240 MB limit, however cheap the arithmetic looks.
    const plan = recommendKind("faas", [{ id: "big", provider: "aws", region: "us-east-1", instanceType: "r5.xlarge", requests: { perMonth: 10, avgDurationMs: 100, memoryMb: 20_000 } }], catalog, { strategy: "minimize_cost" });
    expect(plan.recommendations).toHaveLength(0);
  });
});

describe("right-sizing: p99.5 plus 20 % headroom", () => {
  // m5.xlarge has 4 vCPU and 16 GB. p99.5 CPU 30 % → 4 × 0.30 × 1.2 = 1.44 vCPU;
  // p99.5 memory 40 % → 16 × 0.40 × 1.2 = 7.68 GB. The cheapest on-demand type in us-east-1 with
  // ≥ 1.44 vCPU and ≥ 7.68 GB is m5.large (2 vCPU, 8 GB, $0.096/h; m6i.large ties and sorts later).
  // Saving per instance: ($0.192 − $0.096) × 730 h = $70.08 a month; 3 instances: $210.24.
  it("moves m5.xlarge to m5.large", () => {
    const plan = recommendKind("rightsizing", [{ id: "api", provider: "aws", region: "us-east-1", instanceType: "m5.xlarge", count: 3, usage: { cpuP995: 30, memoryP995: 40, windowDays: 14 } }], catalog, { strategy: "minimize_cost" });
    const rec = plan.recommendations[0];
    expect(rec?.proposed.instanceType).toBe("m5.large");
    expect(rec?.monthlySavings).toBeCloseTo(210.24, 9);
    // Full 14 days of evidence: downsizing risk 0.05 + 0.25 × (1 − 1) = 0.05.
    expect(rec?.risk.score).toBeCloseTo(0.05, 12);
    expect(rec?.explanation.join("\n")).toContain("1.44 vCPU");
  });

  it("does not downsize on less than 30 hours of usage", () => {
    const plan = recommendKind("rightsizing", [{ id: "api", provider: "aws", region: "us-east-1", instanceType: "m5.xlarge", usage: { cpuP995: 5, memoryP995: 5, windowDays: 1 } }], catalog, { strategy: "minimize_cost" });
    expect(plan.recommendations).toHaveLength(0);
  });
});

describe("commitments: breakeven utilisation and coverage", () => {
  // m5.large on demand $0.096/h; 1-year no-upfront reservation $0.06/h → discount 1 − 0.06/0.096 = 37.5 %,
  // breakeven utilisation 62.5 %. History (24 h): 3 instances for 18 h, 5 for 6 h. Units 1–3 are used
  // 100 % of hours, units 4–5 only 6/24 = 25 %: commit 3 (risk-averse floor 90 % changes nothing here).
  // Cost of the day: on demand 84 instance-h × 0.096 = $8.064; with 3 reserved: 3 × 0.06 × 24 = $4.32
  // plus 12 on-demand instance-h × 0.096 = $1.152 → $5.472. Saving $2.592 a day × 730/24 = $78.84 a month.
  // Risk-averse scores cost × (1 + 2 × risk): no upfront 5.472 × 1.2 = 6.566 beats partial upfront
  // (3 × 0.058176 × 24 + 1.152 = 5.3407 × 1.3 = 6.943) and the 1-year savings plan (6.198 × 1.2 = 7.437).
  it("commits to the 62.5 %-breakeven units only", () => {
    const hourly = [...Array<number>(18).fill(3), ...Array<number>(6).fill(5)];
    const [rec] = recommendCommitments([{ provider: "aws", region: "us-east-1", instanceType: "m5.large", hourlyInstances: hourly }], catalog, { strategy: "risk_averse", fullConfidenceHours: 24 });
    expect(rec?.purchaseOption).toBe("reserved_1y_no_upfront");
    expect(rec?.breakevenUtilisation).toBeCloseTo(0.625, 12);
    expect(rec?.instances).toBe(3);
    expect(rec?.currentMonthlyCost).toBeCloseTo((8.064 * 730) / 24, 9);
    expect(rec?.monthlySavings).toBeCloseTo(78.84, 9);
    expect(rec?.coverage).toBeCloseTo(72 / 84, 12);
  });

  it("a workload running less than the breakeven share stays on demand", () => {
    // 400 of 730 h = 54.8 % < 62.5 %: reserving would cost 0.06 × 730 = $43.80 against 0.096 × 400 = $38.40.
    const plan = optimize([{ id: "batch", provider: "aws", region: "us-east-1", instanceType: "m5.large", hoursPerMonth: 400 }], catalog, { strategy: "risk_averse" });
    expect(plan.recommendations.filter((r) => r.proposed.purchaseOption === "reserved_1y_no_upfront")).toHaveLength(0);
  });
});

describe("ROI", () => {
  // $1,200 to implement, $300 a month saved, 12 months at 10 % a year:
  // payback 1200 / 300 = 4 months; annual ROI (12 × 300 − 1200) / 1200 = 200 %;
  // monthly rate 1.1^(1/12) − 1 = 0.0079741; annuity (1 − 1.0079741^−12) / 0.0079741 = 11.40049;
  // NPV = −1200 + 300 × 11.40049 = $2,220.15.
  it("payback, annual ROI and NPV", () => {
    const roi = calculateRoi({ implementationCost: 1200, monthlySavings: 300, horizonMonths: 12, discountRate: 0.1 });
    expect(roi.paybackMonths).toBe(4);
    expect(roi.annualRoi).toBeCloseTo(2, 12);
    expect(roi.npv).toBeCloseTo(2220.146, 3);
  });

  it("zero implementation cost is finite and says why annual ROI is null", () => {
    const roi = calculateRoi({ implementationCost: 0, monthlySavings: 50 });
    expect(roi.paybackMonths).toBe(0);
    expect(roi.annualRoi).toBeNull();
    expect(roi.notes.join(" ")).toContain("unbounded");
    expect(JSON.stringify(roi)).not.toMatch(/Infinity|NaN/);
  });
});

describe("OpenCost allocation", () => {
  // One hour of m5.large ($0.096). Reference prices split it by 2 × 0.031611 : 8 × 0.004237
  // (0.063222 : 0.033896 of 0.097118): $0.0312471 per core-hour, $0.0041882 per GB-hour.
  // api: max(1, 0.4) = 1 core, max(2, 3) = 3 GB → 0.0312471 + 3 × 0.0041882 = $0.0438118.
  // worker: max(0.5, 0.7) = 0.7 core, 2 GB → 0.0218730 + 0.0083764 = $0.0302494.
  // Idle: 0.096 − 0.0438118 − 0.0302494 = $0.0219388. Shared $0.01 split evenly: $0.005 each.
  it("charges max(request, usage), leaves the rest idle and splits shared costs", () => {
    const ledger = new CostLedger(catalog);
    const H = 3_600_000;
    ledger.record([
      { kind: "asset", id: "n1", edgeId: "edge-west-1", provider: "aws", region: "us-east-1", instanceType: "m5.large", start: 0, end: H },
      { kind: "usage", assetId: "n1", workloadId: "api", cpuRequest: 1, cpuUsage: 0.4, memoryRequestGb: 2, memoryUsageGb: 3, start: 0, end: H },
      { kind: "usage", assetId: "n1", workloadId: "worker", cpuRequest: 0.5, cpuUsage: 0.7, memoryRequestGb: 2, memoryUsageGb: 1, start: 0, end: H },
      { kind: "shared", name: "control-plane", cost: 0.01, start: 0, end: H },
    ]);
    const even = ledger.allocate({ shareMode: "even" });
    const api = even.byWorkload.find((b) => b.key === "api");
    const worker = even.byWorkload.find((b) => b.key === "worker");
    expect((api?.cpuCost ?? 0) + (api?.memoryCost ?? 0)).toBeCloseTo(0.0438118, 7);
    expect((worker?.cpuCost ?? 0) + (worker?.memoryCost ?? 0)).toBeCloseTo(0.0302494, 7);
    expect(even.idleCost).toBeCloseTo(0.0219388, 7);
    expect(api?.sharedCost).toBeCloseTo(0.005, 12);
    expect(even.totalCost).toBeCloseTo(0.106, 12);
    // Proportional: api carries 0.0438118 / 0.0740612 of the $0.01.
    const prop = ledger.allocate({ shareMode: "proportional" });
    expect(prop.byWorkload.find((b) => b.key === "api")?.sharedCost).toBeCloseTo((0.01 * 0.0438118) / 0.0740612, 7);
    expect(prop.byEdge[0]?.idleCost).toBeCloseTo(0.0219388, 7);
  });
});

describe("strategies change what is selected", () => {
  // An over-provisioned, interruption-tolerant, always-on service: m5.2xlarge × 4 at $0.384/h = $1,121.28 a month,
  // using at most 20 % CPU and 25 % memory over 14 days (needs 8 × 0.2 × 1.2 = 1.92 vCPU, 32 × 0.25 × 1.2 = 9.6 GB;
  // 2.08 vCPU and 10.4 GB with risk-averse's 30 % headroom).
  const service = { id: "svc", provider: "aws" as const, region: "us-east-1", instanceType: "m5.2xlarge", count: 4, interruptionTolerance: "medium" as const, usage: { cpuP995: 20, memoryP995: 25, windowDays: 14 } };
  const pick = (strategy: (typeof STRATEGIES)[number]) => optimize([service], catalog, { strategy }).recommendations[0];

  it("minimize_cost takes the cheapest: a smaller type on spot", () => {
    // r5.large (2 vCPU ≥ 1.92, 16 GB ≥ 9.6) on spot at $0.0395/h, <5% bucket: 4 × 0.0395 × 730 = $115.34;
    // saving $1,121.28 − $115.34 = $1,005.94 a month.
    const r = pick("minimize_cost");
    expect(r?.kinds).toEqual(expect.arrayContaining(["spot", "rightsizing"]));
    expect(r?.proposed.instanceType).toBe("r5.large");
    expect(r?.monthlySavings).toBeCloseTo(1121.28 - 115.34, 9);
  });

  it("maximize_performance keeps the machine and only pays less for it", () => {
    const r = pick("maximize_performance");
    expect(r?.proposed.instanceType).toBe("m5.2xlarge");
    expect(r?.kinds).toEqual(["commitment"]);
  });

  it("predictable_cost commits instead of using spot", () => {
    const r = pick("predictable_cost");
    expect(r?.kinds).toContain("commitment");
    expect(r?.kinds).not.toContain("spot");
  });

  it("risk_averse stays within the 5-10% bucket and 1-year terms, with 30 % headroom", () => {
    const r = pick("risk_averse");
    expect(r).toBeDefined();
    for (const p of r?.spotPools ?? []) expect(["<5%", "5-10%"]).toContain(p.interruption);
    expect(r?.proposed.purchaseOption).not.toMatch(/3y|all_upfront/);
    const type = catalog.instanceType("aws", r?.proposed.instanceType ?? "");
    expect(type?.vcpu).toBeGreaterThanOrEqual(2.08);
    expect(type?.memoryGb).toBeGreaterThanOrEqual(10.4);
  });

  it("each strategy's savings are no more than minimize_cost's", () => {
    const best = pick("minimize_cost")?.monthlySavings ?? 0;
    for (const s of STRATEGIES) expect(pick(s)?.monthlySavings ?? 0).toBeLessThanOrEqual(best + 1e-9);
  });
});
