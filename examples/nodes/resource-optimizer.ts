/**
 * `ResourceOptimizer`: three workloads on AWS list prices (the built-in catalog). The optimizer
 * proposes cheaper configurations (spot for an interruption-tolerant fleet, functions for a
 * thumbnail service billed per request), explains each, and computes the return over a year.
 *
 *     npx tsx examples/nodes/resource-optimizer.ts
 */
import { LocalRuntime, ManualClock, ServiceRegistry, WorkflowBuilder, createNodeRegistry } from "../../src/index.js";

const registry = createNodeRegistry();
const runtime = new LocalRuntime({ registry, infrastructure: new ServiceRegistry(), clock: new ManualClock(Date.UTC(2026, 0, 1)) });

const workloads = [
  { id: "render-farm", provider: "aws" as const, region: "us-east-1", instanceType: "c5.xlarge", count: 6, interruptionTolerance: "high" as const },
  { id: "checkout-api", provider: "aws" as const, region: "us-east-1", instanceType: "m5.xlarge", count: 3, interruptionTolerance: "none" as const },
  { id: "thumbnails", provider: "aws" as const, region: "us-east-1", instanceType: "t3.small", requests: { perMonth: 1_000_000, avgDurationMs: 100, memoryMb: 512 } },
];
const workflow = new WorkflowBuilder(registry, { name: "cost" })
  .addNode("ResourceOptimizer", "plan", { operation: "optimize", strategy: "balance_cost_performance", workloads })
  .addNode("ResourceOptimizer", "roi", { operation: "calculate_roi", horizonMonths: 12 })
  .connect("plan", "recommendations", "roi", "recommendations")
  .build();
const { plan, roi } = (await runtime.execute(workflow)).results;
if (plan.status === "completed") {
  const p = plan.output.plan;
  console.log(`monthly cost: $${p.currentMonthlyCost.toFixed(2)} today → $${p.proposedMonthlyCost.toFixed(2)} proposed (saves $${p.monthlySavings.toFixed(2)}/month)`);
  for (const r of p.recommendations) {
    const from = `${r.current.count} × ${r.current.instanceType} ${r.current.purchaseOption}`;
    const to = r.proposed.target === "faas" ? `${r.proposed.instanceType} (functions)` : `${r.proposed.count} × ${r.proposed.instanceType} ${r.proposed.purchaseOption}`;
    console.log(`  ${r.workloadId}: ${from} → ${to}: −$${r.monthlySavings.toFixed(2)}/month (${r.savingsPercent.toFixed(0)} %), ${r.risk.level} risk`);
  }
  for (const s of p.skipped) console.log(`  ${s.workloadId}: left as is (${s.reason})`);
}
if (roi.status === "completed") {
  const r = roi.output.roi;
  console.log(`over 12 months: $${r.annualSavings.toFixed(2)} saved, payback ${r.paybackMonths === null ? "never" : `${r.paybackMonths.toFixed(1)} months`}, NPV $${r.npv.toFixed(2)}`);
}
