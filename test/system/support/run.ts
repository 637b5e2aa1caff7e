/**
 * One scenario from start to end: the world is built, the rollout runs under the fault schedule, an
 * edge crashes, the failover runs, and the end state is checked against every invariant. Returns the
 * problems found (empty when the scenario holds) and what happened, for the test's own assertions.
 */
import { z } from "zod";
import type { CostAllocation, CostPlan, RunResult } from "../../../src/index.js";
import { assetCosts, costRecords, costReportProblems, costWorkloads } from "./cost.js";
import { Driver } from "./driver.js";
import { Observer } from "./observer.js";
import type { Scenario } from "./scenario.js";
import { failoverWorkflow, PLACEMENTS_KEY, rolloutWorkflow } from "./workflows.js";
import { buildWorld, FRONTEND, type World } from "./world.js";

/** Virtual time a workflow may take; far above what the slowest fault schedule needs. */
const WORKFLOW_LIMIT_MS = 10 * 60_000;

export interface Outcome {
  readonly problems: readonly string[];
  readonly crashed: string;
  readonly displaced: number;
  readonly terms: number;
  readonly steps: number;
  /** Lease grants, edge leases (through Raft) and migration locks together. */
  readonly leaseGrants: number;
}

function completed(run: RunResult, id: string): unknown {
  const result = run.results[id];
  if (result?.status !== "completed") throw new Error(`node "${id}" did not complete: ${JSON.stringify(result)}`);
  return result.output;
}

export async function runScenario(s: Scenario): Promise<Outcome> {
  const world = await buildWorld(s);
  const observer = new Observer(world);
  try {
    return await runIn(world, observer, s);
  } finally {
    observer.stop();
    await world.close();
  }
}

async function runIn(world: World, observer: Observer, s: Scenario): Promise<Outcome> {
  const driver = new Driver(world, observer, s.faults);
  const startedAt = world.clock.now();
  // The demand of the last minutes, as monitoring would have reported it.
  s.trace.forEach((demand, i) => world.scaler.recordUsage({ service: FRONTEND, demand, instances: 1, timestamp: startedAt - (s.trace.length - i) * 60_000 }));
  await driver.until(() => world.controlPlane.some((kv) => kv.host.isLeader()), 60_000, "a first leader");

  const rollout = await driver.complete(world.runtime.execute(rolloutWorkflow(world)), WORKFLOW_LIMIT_MS, "the rollout");
  completed(rollout, "rolled_out");
  await driver.idle(s.faults.crashAfterMs);

  const victim = world.workloads[s.faults.crashWorkload % world.workloads.length];
  const crashed = victim === undefined ? undefined : world.adapter.route(victim.id);
  if (crashed === undefined) throw new Error("the workload chosen to crash has no edge");
  world.adapter.setEdgeUp(crashed, false);
  const displaced = world.workloads.filter((w) => world.adapter.route(w.id) === crashed);

  let costsUntil = startedAt;
  const failover = failoverWorkflow(world, {
    crashed,
    displaced,
    costRecords: () => {
      costsUntil = world.clock.now();
      return costRecords(world, observer, startedAt, costsUntil);
    },
    costWorkloads: () => costWorkloads(world, s.trace),
  });
  const recovery = await driver.complete(world.runtime.execute(failover), WORKFLOW_LIMIT_MS, "the failover");
  const problems: string[] = [];
  for (const j of displaced.keys()) {
    const { phase } = z.object({ phase: z.string() }).parse(completed(recovery, `migrate_${j}`));
    if (phase !== "completed") problems.push(`migration of "${displaced[j]?.id}" ended ${phase}`);
  }
  const allocation = (completed(recovery, "ledger") as { allocation: CostAllocation }).allocation;
  const plan = (completed(recovery, "optimize") as { plan: CostPlan }).plan;
  problems.push(...costReportProblems(allocation, plan, assetCosts(world, startedAt, costsUntil)));

  // Faults end; every member must converge on the final placements.
  driver.healAll();
  await driver.until(() => world.controlPlane.every((kv) => kv.localGet(PLACEMENTS_KEY) === world.controlPlane[0]?.localGet(PLACEMENTS_KEY)), 30_000, "convergence");
  await driver.idle(1_000);
  problems.push(...endStateProblems(world, observer, s, crashed), ...observer.violations);
  return { problems, crashed, displaced: displaced.length, terms: observer.leaders.size, steps: observer.steps, leaseGrants: observer.grants };
}

/** Each workload exactly once, where Raft says, within its zone, with the edges' books matching. */
function endStateProblems(world: World, observer: Observer, s: Scenario, crashed: string): string[] {
  const problems: string[] = [];
  const replicated = world.controlPlane.map((kv) => kv.localGet(PLACEMENTS_KEY));
  const agreed = z.record(z.string(), z.string()).parse(JSON.parse(replicated[0] ?? "{}"));
  if (new Set(replicated).size !== 1) problems.push(`members disagree on the placements: ${JSON.stringify(replicated)}`);
  if (observer.leaders.size === 0) problems.push("no leader was ever elected");
  const expectedLoad = new Map(world.edges.map((e, i) => [e.id, { cpu: e.capacity.cpu - (s.edges[i]?.freeCpu ?? 0), memoryMb: e.capacity.memoryMb - (s.edges[i]?.freeMemoryMb ?? 0) }]));
  for (const w of world.workloads) {
    const serving = world.adapter.servingEdges(w.id);
    if (serving.length !== 1) {
      problems.push(`workload "${w.id}" ends served by ${serving.length} edges (${serving.join(", ")})`);
      continue;
    }
    const edgeId = serving[0] ?? "";
    if (edgeId === crashed) problems.push(`workload "${w.id}" is still on the crashed edge`);
    if (agreed[w.id] !== edgeId) problems.push(`workload "${w.id}" runs on "${edgeId}" but the control plane says "${agreed[w.id] ?? "nowhere"}"`);
    observer.checkResidency(w.id, edgeId, "runs");
    const load = expectedLoad.get(edgeId);
    if (load !== undefined) {
      load.cpu += w.requests?.["cpu"] ?? 0;
      load.memoryMb += w.requests?.["memoryMb"] ?? 0;
    }
  }
  for (const edge of world.infrastructure.edges()) {
    if (edge.id === crashed) continue;
    const load = expectedLoad.get(edge.id);
    if (load === undefined || edge.allocated.cpu !== load.cpu || edge.allocated.memoryMb !== load.memoryMb) {
      problems.push(`edge "${edge.id}" books ${JSON.stringify(edge.allocated)} but runs ${JSON.stringify(load)}`);
    }
  }
  return problems;
}
