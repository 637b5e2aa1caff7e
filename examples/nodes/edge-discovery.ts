/**
 * `EdgeDiscovery`: registers edges in the shared registry, then finds them by compliance zone and
 * lifecycle state. Two runs on one runtime share the registry.
 *
 *     npx tsx examples/nodes/edge-discovery.ts
 */
import { EdgeInfrastructure, LocalRuntime, WorkflowBuilder, createNodeRegistry } from "../../src/index.js";
import { sampleFleet } from "./support.js";

const registry = createNodeRegistry();
const runtime = new LocalRuntime({ registry, infrastructure: new EdgeInfrastructure() });

const onboard = WorkflowBuilder.untyped(registry, { name: "onboard" });
for (const edge of sampleFleet) onboard.addNode("EdgeDiscovery", `register-${edge.id}`, { operation: "register", edge });
const onboarded = await runtime.execute(onboard.build());
console.log(`onboarding: ${onboarded.status}, ${Object.keys(onboarded.results).length} edges registered`);

const query = new WorkflowBuilder(registry, { name: "query" })
  .addNode("EdgeDiscovery", "eu", { operation: "find", query: { complianceZones: ["eu"] } })
  .addNode("EdgeDiscovery", "serving", { operation: "find", query: { lifecycleStates: ["active"] } })
  .addNode("EdgeDiscovery", "retire", { operation: "deregister", edgeId: "edge-lon-1" })
  .build();
const { eu, serving, retire } = (await runtime.execute(query)).results;
if (eu.status === "completed") console.log(`EU-resident edges: ${eu.output.edgeIds.join(", ")}`);
if (serving.status === "completed") console.log(`edges serving traffic (active): ${serving.output.edgeIds.join(", ")}`);
if (retire.status === "completed") console.log(`deregistered: ${retire.output.edge.id} (${retire.output.edge.region})`);
