import { describe, expectTypeOf, it } from "vitest";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import type { CostPlan, Roi } from "../../src/cost/schemas.js";
import type { ResultsOf } from "../../src/workflow/runtime.js";
import { ResourceOptimizer } from "../../nodes/resource-optimizer.js";

const registry = new NodeRegistry().register(ResourceOptimizer);

describe("ResourceOptimizer types", () => {
  it("accepts each operation's config and refuses others", () => {
    new WorkflowBuilder(registry).addNode("ResourceOptimizer", "a", { operation: "optimize", strategy: "risk_averse" });
    new WorkflowBuilder(registry).addNode("ResourceOptimizer", "b", { operation: "calculate_roi", implementationCost: 0, monthlySavings: 10 });
    // @ts-expect-error not a strategy
    new WorkflowBuilder(registry).addNode("ResourceOptimizer", "c", { operation: "optimize", strategy: "cheapest" });
    // @ts-expect-error not an operation
    new WorkflowBuilder(registry).addNode("ResourceOptimizer", "d", { operation: "delete_everything" });
    // @ts-expect-error horizonMonths is a number
    new WorkflowBuilder(registry).addNode("ResourceOptimizer", "e", { operation: "calculate_roi", horizonMonths: "12" });
  });

  it("plans and ROI come out typed", () => {
    const _workflow = new WorkflowBuilder(registry)
      .addNode("ResourceOptimizer", "plan", { operation: "optimize" })
      .addNode("ResourceOptimizer", "roi", { operation: "calculate_roi" })
      .connect("plan", "recommendations", "roi", "recommendations")
      .build();
    type Results = ResultsOf<typeof _workflow>;
    type PlanOut = Extract<Results["plan"], { status: "completed" }>["output"]["plan"];
    type RoiOut = Extract<Results["roi"], { status: "completed" }>["output"]["roi"];
    expectTypeOf<PlanOut["monthlySavings"]>().toEqualTypeOf<CostPlan["monthlySavings"]>();
    expectTypeOf<PlanOut["strategy"]>().toEqualTypeOf<CostPlan["strategy"]>();
    expectTypeOf<RoiOut["paybackMonths"]>().toEqualTypeOf<Roi["paybackMonths"]>();
  });
});
