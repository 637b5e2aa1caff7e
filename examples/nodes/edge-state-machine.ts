/**
 * `EdgeStateMachine`: brings a warming edge into service (warming → active), takes a fenced lease on
 * it, renews the lease with its fencing token, and lists lifecycles and leases. Runs on a virtual
 * clock, so lease times are exact.
 *
 *     npx tsx examples/nodes/edge-state-machine.ts
 */
import { EdgeInfrastructure, LocalRuntime, ManualClock, WorkflowBuilder, createNodeRegistry } from "../../src/index.js";
import { sampleFleet } from "./support.js";

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const infrastructure = new EdgeInfrastructure({ clock });
for (const edge of sampleFleet) infrastructure.registerEdge(edge);
const registry = createNodeRegistry();
const runtime = new LocalRuntime({ registry, infrastructure, clock });

// 1. The edge finished warming up: tell its lifecycle, which checks the move is allowed.
const bringUp = new WorkflowBuilder(registry, { name: "bring-up" })
  .addNode("EdgeStateMachine", "ready", { operation: "transition", edgeId: "edge-fra-1", event: "READY" })
  .build();
const ready = (await runtime.execute(bringUp)).results.ready;
if (ready.status === "completed") {
  console.log(`edge-fra-1: warming → ${ready.output.state} (entered at ${new Date(ready.output.snapshot.enteredAt).toISOString()})`);
}

// 2. A deployer takes a 30 s lease on it, then renews it 20 s later with the fencing token it got.
const lease = new WorkflowBuilder(registry, { name: "lease" })
  .addNode("EdgeStateMachine", "acquire", { operation: "acquire_lease", edgeId: "edge-fra-1", holder: "deployer-a", ttlMs: 30_000 })
  .build();
const acquired = (await runtime.execute(lease)).results.acquire;
if (acquired.status !== "completed") throw new Error("the lease was refused");
console.log(`lease on ${acquired.output.lease.resource}: holder deployer-a, fencing token ${acquired.output.token}, expires in 30 s`);

await clock.advanceAsync(20_000);
const renewAndList = new WorkflowBuilder(registry, { name: "renew" })
  .addNode("EdgeStateMachine", "renew", { operation: "renew_lease", edgeId: "edge-fra-1", holder: "deployer-a", token: acquired.output.token, ttlMs: 30_000 })
  .addNode("EdgeStateMachine", "steal", { operation: "acquire_lease", edgeId: "edge-fra-1", holder: "deployer-b" })
  .addNode("EdgeStateMachine", "list", { operation: "list" })
  .build();
const { renew, steal, list } = (await runtime.execute(renewAndList, { errorPolicy: "continue" })).results;
if (renew.status === "completed") console.log(`renewed after 20 s: now expires ${(renew.output.lease.expiresAt - clock.now()) / 1000} s from now, same token ${renew.output.token}`);
if (steal.status === "failed") console.log(`deployer-b refused while deployer-a holds it (${steal.error.cause instanceof Error ? steal.error.cause.message : steal.error.message})`);
if (list.status === "completed") {
  console.log(`lifecycles: ${list.output.edges.map((e) => `${e.edgeId}=${e.state}`).join(", ")}`);
  console.log(`leases: ${list.output.leases.map((l) => `${l.resource}→${l.holder}#${l.token}`).join(", ")}`);
}
