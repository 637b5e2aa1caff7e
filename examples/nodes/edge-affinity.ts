/**
 * `EdgeAffinity`: places an EU-resident service near its users, explains every edge's score or
 * rejection, commits the resources, and asks whether two jobs belong on functions or VMs.
 *
 *     npx tsx examples/nodes/edge-affinity.ts
 */
import { EdgeInfrastructure, LocalRuntime, WorkflowBuilder, createNodeRegistry } from "../../src/index.js";
import { sampleFleet } from "./support.js";

const infrastructure = new EdgeInfrastructure();
for (const edge of sampleFleet) infrastructure.registerEdge({ ...edge, lifecycleState: "active" });

const checkout = {
  id: "checkout",
  requests: { cpu: 4, memoryMb: 8_192 },
  residency: ["eu"],
  users: [
    { id: "paris", lat: 48.86, lon: 2.35, weight: 3 },
    { id: "munich", lat: 48.14, lon: 11.58, weight: 1 },
  ],
};
const jobs = [
  { id: "thumbnails", memoryMb: 512, durationSec: 0.12, payloadMb: 2 },
  { id: "video-encode", memoryMb: 16_384, durationSec: 1_800, payloadMb: 900, state: "local" as const },
];

const registry = createNodeRegistry();
const workflow = new WorkflowBuilder(registry, { name: "placement" })
  .addNode("EdgeAffinity", "explain", { operation: "explain", workload: checkout })
  .addNode("EdgeAffinity", "place", { operation: "place", workload: checkout, commit: true })
  .addNode("EdgeAffinity", "deployment", { operation: "analyze_deployment", jobs })
  .build();
const { explain, place, deployment } = (await new LocalRuntime({ registry, infrastructure }).execute(workflow)).results;

if (explain.status === "completed") {
  const { explanation } = explain.output;
  console.log("every edge, scored 0-100 per part (higher is better) or filtered out:");
  for (const edge of explanation.edges) {
    if (edge.score === null) {
      console.log(`  ${edge.edgeId}: filtered out: ${edge.rejections.map((r) => r.message).join("; ")}`);
      continue;
    }
    const { components, rttMs, total } = edge.score;
    const parts = [
      `latency ${components.latency.toFixed(0)} (users ${rttMs?.toFixed(0)} ms away on average)`,
      `balance ${components.balance.toFixed(0)} (free capacity left after placing)`,
      `cost ${components.cost.toFixed(0)} (cheapest edge scores 100)`,
    ];
    // Locality only counts when the workload names the data it reads; this one does not.
    console.log(`  ${edge.edgeId}: ${total.toFixed(1)} = weighted mean of ${parts.join(", ")}`);
  }
}
if (place.status === "completed") {
  const { decision } = place.output;
  console.log(`placed ${decision.workloadId} on ${decision.edgeId}: ${decision.message}`);
  console.log(`allocated on ${decision.edgeId}: ${JSON.stringify(infrastructure.getEdge(decision.edgeId ?? "").allocated)}`);
}
if (deployment.status === "completed") {
  const { analysis } = deployment.output;
  console.log(`deployment: ${analysis.recommendation} on ${analysis.provider} — ${analysis.summary}`);
  for (const job of analysis.jobs) console.log(`  job ${job.jobId}: ${job.target === "faas" ? "a function" : "a VM / edge"} (${job.reasons.join("; ")})`);
}
