/**
 * `EdgeMigration`: moves a live cache (2,000 keys, ~200 KB) from edge-par-1 to edge-fra-1. The plan
 * checks capacity and residency and estimates duration and downtime with the pre-copy model; the
 * migration copies in rounds, cuts over and reroutes; a second, slow migration is rolled back and the
 * source serves again.
 *
 *     npx tsx examples/nodes/edge-migration.ts
 */
import { EdgeInfrastructure, InMemoryWorkloadAdapter, LocalRuntime, MIGRATION_ADAPTER, ManualClock, WorkflowBuilder, createNodeRegistry } from "../../src/index.js";
import { onVirtualTime, sampleFleet } from "./support.js";

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const infrastructure = new EdgeInfrastructure({ clock });
for (const edge of sampleFleet) infrastructure.registerEdge({ ...edge, lifecycleState: "active" });

// Where workloads really run: an in-memory adapter (edgeflow/migration/redis has a Redis one).
const adapter = new InMemoryWorkloadAdapter({ clock, edges: sampleFleet.map((e) => e.id) });
const entries = (n: number, tag: string): Map<string, Uint8Array> =>
  new Map(Array.from({ length: n }, (_, i) => [`session:${i}`, new TextEncoder().encode(`${tag}-${i}`.padEnd(100, "."))]));
adapter.seed("cache", "edge-par-1", entries(2_000, "cache"));
adapter.seed("search", "edge-par-1", entries(2_000, "search"));
infrastructure.register(MIGRATION_ADAPTER, adapter);

const registry = createNodeRegistry();
const runtime = new LocalRuntime({ registry, infrastructure, clock });
const request = { source: "edge-par-1", target: "edge-fra-1", workloads: [{ id: "cache", residency: ["eu"], requests: { cpu: 1 } }] };
const move = new WorkflowBuilder(registry, { name: "move-cache" })
  .addNode("EdgeMigration", "plan", { operation: "plan", request })
  .addNode("EdgeMigration", "execute", { operation: "execute" })
  .addNode("EdgeMigration", "progress", { operation: "progress" })
  .connect("plan", "request", "execute", "request")
  .connect("execute", "migrationId", "progress", "migrationId")
  .build();
const { plan, execute, progress } = (await onVirtualTime(clock, runtime.execute(move))).results;
if (plan.status === "completed") {
  const { estimate, totalBytes } = plan.output.plan;
  console.log(`plan: ${estimate.strategy} migration of ${(totalBytes / 1024).toFixed(0)} KiB, about ${estimate.durationMs.toFixed(1)} ms with ${estimate.downtimeMs.toFixed(1)} ms of downtime (estimated at 1 Gbit/s by default)`);
}
if (execute.status === "completed") {
  const m = execute.output.migration;
  console.log(`migration ${m.migrationId}: ${m.phase} in ${m.rounds} copy rounds, ${m.downtimeMs} ms of downtime, ${(m.wireBytes / 1024).toFixed(0)} KiB on the wire`);
}
if (progress.status === "completed") console.log(`progress: ${progress.output.progress.percent} %`);
console.log(`cache now served by ${adapter.route("cache")}`);

// A migration over a slow link (1 KB/s), started without waiting, then rolled back.
const slow = { source: "edge-par-1", target: "edge-fra-1", workloads: [{ id: "search" }], options: { bandwidthBytesPerSec: 1_000, burstBytes: 500, batchKeys: 5 } };
const start = new WorkflowBuilder(registry, { name: "slow-move" }).addNode("EdgeMigration", "start", { operation: "execute", request: slow, wait: false }).build();
const started = (await runtime.execute(start)).results.start;
if (started.status !== "completed") throw new Error("the slow migration did not start");
await clock.advanceAsync(2_000);
const undo = new WorkflowBuilder(registry, { name: "undo" })
  .addNode("EdgeMigration", "rollback", { operation: "rollback", migrationId: started.output.migrationId })
  .addNode("EdgeMigration", "metrics", { operation: "metrics" })
  .connect("rollback", "migrationId", "metrics", "migrationId")
  .build();
const { rollback, metrics } = (await onVirtualTime(clock, runtime.execute(undo))).results;
if (rollback.status === "completed") console.log(`slow migration ${rollback.output.migrationId}: ${rollback.output.phase}; search still served by ${adapter.route("search")}`);
if (metrics.status === "completed") {
  const rate = metrics.output.metrics.successRate;
  console.log(`history: ${rate === null ? "no finished migrations" : `${(rate * 100).toFixed(0)} % of finished migrations succeeded`}`);
}
