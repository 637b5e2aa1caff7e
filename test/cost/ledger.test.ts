import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import { defaultCatalog } from "../../src/cost/catalog.js";
import { CostLedger } from "../../src/cost/ledger.js";
import type { CostRecordInput } from "../../src/cost/ledger-schema.js";
import { simRuns, simSeed } from "../support/sim.js";
import { allFinite } from "./fixtures.js";

const H = 3_600_000;
const catalog = defaultCatalog();

const recordsArb = fc
  .record({
    assets: fc.array(fc.record({ type: fc.constantFrom("m5.large", "t3.micro", "g4dn.xlarge", "c5.xlarge"), edge: fc.constantFrom("e1", "e2", "e3"), start: fc.integer({ min: 0, max: 20 }), len: fc.integer({ min: 1, max: 24 }) }), { minLength: 1, maxLength: 6 }),
    usage: fc.array(fc.record({ asset: fc.nat(), workload: fc.constantFrom("a", "b", "c", "d"), cpuReq: fc.double({ min: 0, max: 8, noNaN: true }), cpuUse: fc.double({ min: 0, max: 8, noNaN: true }), memReq: fc.double({ min: 0, max: 40, noNaN: true }), memUse: fc.double({ min: 0, max: 40, noNaN: true }), gpu: fc.integer({ min: 0, max: 2 }), start: fc.integer({ min: 0, max: 30 }), len: fc.integer({ min: 1, max: 30 }) }), { maxLength: 12 }),
    shared: fc.array(fc.record({ cost: fc.double({ min: 0, max: 10, noNaN: true }), start: fc.integer({ min: 0, max: 30 }), len: fc.integer({ min: 1, max: 30 }) }), { maxLength: 3 }),
  })
  .map(({ assets, usage, shared }): CostRecordInput[] => [
    ...assets.map((a, i): CostRecordInput => ({ kind: "asset", id: `n${i}`, edgeId: a.edge, provider: "aws", region: "us-east-1", instanceType: a.type, start: a.start * H, end: (a.start + a.len) * H })),
    ...usage.map((u): CostRecordInput => ({ kind: "usage", assetId: `n${u.asset % assets.length}`, workloadId: u.workload, cpuRequest: u.cpuReq, cpuUsage: u.cpuUse, memoryRequestGb: u.memReq, memoryUsageGb: u.memUse, gpuRequest: u.gpu, start: u.start * H, end: (u.start + u.len) * H })),
    ...shared.map((s, i): CostRecordInput => ({ kind: "shared", name: `s${i}`, cost: s.cost, start: s.start * H, end: (s.start + s.len) * H })),
  ]);

describe("cost ledger", () => {
  it("property: every dollar is accounted once — allocated + idle = assets, workloads + idle + unallocated shared = total, per edge and provider too", () => {
    fc.assert(
      fc.property(recordsArb, fc.constantFrom("even", "proportional" as const), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 30 }), (records, shareMode, from, len) => {
        const ledger = new CostLedger(catalog);
        ledger.record(records);
        const a = ledger.allocate({ shareMode, from: from * H, to: (from + len) * H });
        const tol = 1e-9 * Math.max(1, a.totalCost);
        expect(Math.abs(a.allocatedCost + a.idleCost - a.assetCost)).toBeLessThan(tol);
        expect(a.idleCost).toBeGreaterThanOrEqual(0);
        const workloads = a.byWorkload.reduce((s, b) => s + b.totalCost, 0);
        expect(Math.abs(workloads + a.idleCost + a.unallocatedSharedCost - a.totalCost)).toBeLessThan(tol);
        for (const groups of [a.byEdge, a.byProvider]) expect(Math.abs(groups.reduce((s, b) => s + b.totalCost, 0) + a.unallocatedSharedCost - a.totalCost)).toBeLessThan(tol);
        const r = a.byResource;
        expect(Math.abs(r.cpu + r.memory + r.gpu + r.idle + r.shared - a.totalCost)).toBeLessThan(tol);
        expect(allFinite(a)).toBe(true);
      }),
      { numRuns: simRuns(100), seed: simSeed(1510) },
    );
  });

  it("charges requests or usage, whichever is more, and caps over-commitment at the asset's cost", () => {
    const ledger = new CostLedger(catalog);
    ledger.record([
      { kind: "asset", id: "n", edgeId: "e", provider: "aws", region: "us-east-1", instanceType: "t3.micro", start: 0, end: H },
      { kind: "usage", assetId: "n", workloadId: "greedy", cpuRequest: 8, memoryRequestGb: 8, start: 0, end: H },
      { kind: "usage", assetId: "n", workloadId: "modest", cpuUsage: 8, memoryUsageGb: 8, start: 0, end: H },
    ]);
    const a = ledger.allocate();
    expect(a.allocatedCost).toBeCloseTo(0.0104, 12);
    expect(a.idleCost).toBeCloseTo(0, 12);
    expect(a.byWorkload[0]?.totalCost).toBeCloseTo(0.0052, 12);
  });

  it("a bad batch changes nothing and names every bad record", () => {
    const ledger = new CostLedger(catalog);
    ledger.record([{ kind: "asset", id: "n", edgeId: "e", provider: "aws", region: "us-east-1", instanceType: "t3.micro", start: 0, end: H }]);
    let error: unknown;
    try {
      ledger.record([
        { kind: "asset", id: "m", edgeId: "e", provider: "aws", region: "us-east-1", instanceType: "t3.micro", start: 0, end: H },
        { kind: "asset", id: "n", edgeId: "e", provider: "aws", region: "us-east-1", instanceType: "t3.micro", start: 0, end: H },
        { kind: "usage", assetId: "ghost", workloadId: "w", start: 0, end: H },
        { kind: "asset", id: "z", edgeId: "e", provider: "aws", region: "us-east-1", vcpu: 2, start: 0, end: H },
        { kind: "shared", name: "s", cost: 1, start: H, end: 0 },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["records[4].end"]));
    expect(ledger.size).toEqual({ assets: 1, usage: 0, shared: 0 });
    try {
      ledger.record([
        { kind: "asset", id: "n", edgeId: "e", provider: "aws", region: "us-east-1", instanceType: "t3.micro", start: 0, end: H },
        { kind: "usage", assetId: "ghost", workloadId: "w", start: 0, end: H },
        { kind: "asset", id: "z", edgeId: "e", provider: "aws", region: "us-east-1", vcpu: 2, start: 0, end: H },
      ]);
    } catch (e) {
      expect((e as ValidationError).issues.map((i) => i.path)).toEqual(["records[0].id", "records[1].assetId", "records[2].vcpu"]);
    }
    expect(ledger.size).toEqual({ assets: 1, usage: 0, shared: 0 });
  });

  it("spend series and hourly usage history follow the records", () => {
    const ledger = new CostLedger(catalog);
    ledger.record([
      { kind: "asset", id: "a", edgeId: "e", provider: "aws", region: "us-east-1", instanceType: "m5.large", start: 0, end: 2 * H },
      { kind: "asset", id: "b", edgeId: "e", provider: "aws", region: "us-east-1", instanceType: "m5.large", start: H, end: 2.5 * H },
    ]);
    expect(ledger.spendSeries(0, 3 * H, H).map((x) => Number(x.toFixed(6)))).toEqual([0.096, 0.192, 0.048]);
    expect(ledger.usageHistory(0, 3 * H)).toEqual([{ provider: "aws", region: "us-east-1", instanceType: "m5.large", hourlyInstances: [1, 2, 0.5] }]);
  });
});
