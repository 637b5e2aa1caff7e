/**
 * `EdgeState`: a shopping cart kept as a single-writer state object. Its home edge is chosen near its
 * users inside its residency zone; every write returns the new version; a wrong-typed write is refused
 * and changes nothing; the object then moves to another edge and keeps its data.
 *
 *     npx tsx examples/nodes/edge-state.ts
 */
import { EdgeInfrastructure, LocalRuntime, ManualClock, WorkflowBuilder, createNodeRegistry } from "../../src/index.js";
import { sampleFleet } from "./support.js";

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const infrastructure = new EdgeInfrastructure({ clock });
for (const edge of sampleFleet) infrastructure.registerEdge({ ...edge, lifecycleState: "active" });
const registry = createNodeRegistry();
const runtime = new LocalRuntime({ registry, infrastructure, clock });

const cart = { stateId: "cart:alice", users: [{ lat: 48.86, lon: 2.35 }], residency: ["eu"] };
const shop = new WorkflowBuilder(registry, { name: "shop" })
  .addNode("EdgeState", "owner", { operation: "set", ...cart, key: "owner", value: "alice" })
  .build();
const owner = (await runtime.execute(shop)).results.owner;
if (owner.status === "completed") console.log(`cart:alice lives on ${owner.output.home} (nearest EU edge to Paris); version ${owner.output.version}`);

for (const item of ["book", "lamp"]) {
  const add = new WorkflowBuilder(registry, { name: "add" })
    .addNode("EdgeState", "items", { operation: "append", stateId: "cart:alice", key: "items", value: item })
    .addNode("EdgeState", "count", { operation: "increment", stateId: "cart:alice", key: "count", by: 1 })
    .build();
  const { items, count } = (await runtime.execute(add)).results;
  if (items.status === "completed" && count.status === "completed") console.log(`added ${item}: versions ${items.output.version} and ${count.output.version}`);
}

const mistake = new WorkflowBuilder(registry, { name: "mistake" })
  .addNode("EdgeState", "bad", { operation: "increment", stateId: "cart:alice", key: "owner" })
  .build();
const bad = (await runtime.execute(mistake, { errorPolicy: "continue" })).results.bad;
if (bad.status === "failed") console.log(`incrementing a string is refused: ${bad.error.cause instanceof Error ? bad.error.cause.message : bad.error.message}`);

const move = new WorkflowBuilder(registry, { name: "move" })
  .addNode("EdgeState", "migrate", { operation: "migrate", stateId: "cart:alice", to: "edge-fra-1" })
  .build();
const migrated = (await runtime.execute(move)).results.migrate;
// With a migration engine registered (MIGRATION_SERVICE, as for the EdgeMigration node) the move is a
// live migration with rollback (path "migration" and its id); without one, a direct handover.
if (migrated.status === "completed") console.log(`moved from ${migrated.output.from} to ${migrated.output.home} at version ${migrated.output.version} (${migrated.output.path}${migrated.output.migrationId === null ? "" : ` ${migrated.output.migrationId}`})`);

const look = new WorkflowBuilder(registry, { name: "look" })
  .addNode("EdgeState", "all", { operation: "get", stateId: "cart:alice" })
  .addNode("EdgeState", "where", { operation: "where", stateId: "cart:alice" })
  .addNode("EdgeState", "metadata", { operation: "metadata", stateId: "cart:alice" })
  .build();
const { all, where, metadata } = (await runtime.execute(look)).results;
if (all.status === "completed") console.log(`contents on ${all.output.home}: ${JSON.stringify(all.output.value)}`);
if (where.status === "completed") console.log(`home ${where.output.home}, lease expires in ${((where.output.leaseExpiresAt ?? clock.now()) - clock.now()) / 1000} s`);
if (metadata.status === "completed") console.log(`version ${metadata.output.metadata.version}, ${metadata.output.metadata.accessCount} accesses`);
