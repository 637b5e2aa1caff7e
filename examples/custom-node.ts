/**
 * A custom node with two operations, each with its own config and typed outputs (the README's
 * "Writing your own nodes").
 *
 *     npx tsx examples/custom-node.ts
 */
import { z } from "zod";
import { EdgeInfrastructure, LocalRuntime, WorkflowBuilder, createNodeRegistry, defineNode, serviceKey } from "../src/index.js";

class QuotaBook {
  private used = new Map<string, number>();
  take(tenant: string, amount: number): number {
    const total = (this.used.get(tenant) ?? 0) + amount;
    this.used.set(tenant, total);
    return total;
  }
  usage(tenant: string): number {
    return this.used.get(tenant) ?? 0;
  }
}
const QUOTAS = serviceKey<QuotaBook>("example.quotas");

const Quota = defineNode({
  type: "Quota",
  description: "Charges and reads tenants' quotas.",
  // Input ports, shared by the operations (an operation ignores those it does not use).
  inputs: z.object({ amount: z.number().positive().optional() }),
  operations: {
    take: {
      // This operation's config, without `operation`: defineNode adds it.
      config: z.object({ tenant: z.string().min(1) }),
      // This operation's output ports: real schemas, so users get real types.
      outputs: z.object({ total: z.number() }),
      run: async (ctx, { tenant }, { amount }) => ({
        total: ctx.infrastructure.getOrCreate(QUOTAS, () => new QuotaBook()).take(tenant, amount ?? 1),
      }),
    },
    usage: {
      config: z.object({ tenant: z.string().min(1) }),
      outputs: z.object({ used: z.number(), tenant: z.string() }),
      run: async (ctx, { tenant }) => ({ used: ctx.infrastructure.getOrCreate(QUOTAS, () => new QuotaBook()).usage(tenant), tenant }),
    },
  },
});

const registry = createNodeRegistry().register(Quota);
const workflow = new WorkflowBuilder(registry)
  .addNode("Quota", "charge", { operation: "take", tenant: "acme" })
  .addNode("Quota", "check", { operation: "usage", tenant: "acme" })
  .connect("charge", "total", "check", "amount") // only `take`'s ports are offered here
  .build();
const run = await new LocalRuntime({ registry, infrastructure: new EdgeInfrastructure() }).execute(workflow);
if (run.results.check.status === "completed") {
  const used: number = run.results.check.output.used; // no cast
  console.log(`acme has used ${used} units`);
}
