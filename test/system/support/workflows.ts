/**
 * The two workflows a scenario runs, built from the built-in nodes on one shared infrastructure:
 *
 * - rollout: discovery → warming edges brought into service → batch placement (committed) →
 *   deployment → a lease on each workload's edge → the placements replicated through Raft →
 *   a scaling decision carried out in a resource pool;
 * - failover, once an edge has crashed: the edge marked failed → its workloads placed again →
 *   the crashed edge's lease taken over → each workload migrated (emergency, from its replica) →
 *   the placements read back and replicated again → the cost ledger and an optimization plan.
 *
 * The failover is built after the crash, as an operator's runbook would be, because which workloads
 * it moves depends on where the rollout put them.
 */
import { z } from "zod";
import { WorkflowBuilder, type MigrationRequestInput, type Workload } from "../../../src/index.js";
import { CONTROL_PLANE, FRONTEND, FRONTEND_POOL, MAX_FRONTEND_INSTANCES, PER_INSTANCE, type World } from "./world.js";

type Builder = ReturnType<typeof WorkflowBuilder.untyped>;

/** Retries for steps that need a Raft leader: none during an election or behind a partition. */
export const CONTROL_PLANE_STEP = { timeoutMs: 3_000, retry: { attempts: 60, backoffMs: 200, backoffCoefficient: 1.5, maximumBackoffMs: 2_000 } } as const;
/** The rollout's edge leases; short, so the failover has to wait for a crashed edge's lease to lapse. */
export const ROLLOUT_LEASE_TTL_MS = 15_000;
export const PLACEMENTS_KEY = "placements";

const edgeIdList = z.array(z.string().nullable());
const scalingDecision = z.object({ target: z.number().int().min(0) }).loose();
const placementMap = z.record(z.string(), z.string());

/** Joins any number of nodes' outputs into one node (Merge takes eight inputs: larger sets become a tree). */
function fanIn(b: Builder, id: string, sources: ReadonlyArray<{ node: string; output: string }>): { node: string; output: string } {
  const ports = ["a", "b", "c", "d", "e", "f", "g", "h"] as const;
  if (sources.length <= ports.length) {
    b.addNode("Merge", id, { mode: "array" });
    sources.forEach((s, i) => b.connect(s.node, s.output, id, ports[i] ?? "h"));
    return { node: id, output: "value" };
  }
  const groups: Array<{ node: string; output: string }> = [];
  for (let i = 0; i < sources.length; i += ports.length) groups.push(fanIn(b, `${id}_${i / ports.length}`, sources.slice(i, i + ports.length)));
  return fanIn(b, id, groups);
}

/** Per workload, the edge chosen for it, from a batch decision's `edgeIds` (in workload order). */
function edgeAt(index: number) {
  return (value: unknown): string => {
    const edgeId = edgeIdList.parse(value)[index];
    if (edgeId === null || edgeId === undefined) throw new Error(`workload #${index} was not placed`);
    return edgeId;
  };
}

export function rolloutWorkflow(world: World) {
  const b = WorkflowBuilder.untyped(world.registry, { name: "rollout" });
  const warming = world.edges.filter((e) => e.lifecycleState === "warming");
  b.addNode("EdgeDiscovery", "discover", { operation: "find", query: { lifecycleStates: ["warming"] } });
  const broughtUp = warming.map((_edge, k) => {
    b.addNode("Transform", `warming_${k}`, { fn: edgeAt(k) });
    b.addNode("EdgeStateMachine", `bring_up_${k}`, { operation: "transition", event: "READY" });
    b.connect("discover", "edgeIds", `warming_${k}`, "value");
    b.connect(`warming_${k}`, "value", `bring_up_${k}`, "edgeId");
    return { node: `bring_up_${k}`, output: "state" };
  });
  const ready = fanIn(b, "ready", broughtUp.length > 0 ? broughtUp : [{ node: "discover", output: "edgeIds" }]);

  b.addNode("Transform", "workloads", { fn: () => world.workloads });
  b.addNode("EdgeAffinity", "place", { operation: "place_batch", commit: true });
  b.addNode("Deploy", "deploy", {});
  b.connect(ready.node, ready.output, "workloads", "value");
  b.connect("workloads", "value", "place", "workloads");
  b.connect("workloads", "value", "deploy", "workloads");
  b.connect("place", "edgeIds", "deploy", "edgeIds");

  const leases = world.workloads.map((_w, i) => {
    b.addNode("Transform", `edge_of_${i}`, { fn: edgeAt(i) });
    b.addNode("EdgeStateMachine", `lease_${i}`, { operation: "acquire_lease", holder: "rollout-controller", ttlMs: ROLLOUT_LEASE_TTL_MS }, CONTROL_PLANE_STEP);
    b.connect("deploy", "edgeIds", `edge_of_${i}`, "value");
    b.connect(`edge_of_${i}`, "value", `lease_${i}`, "edgeId");
    return { node: `lease_${i}`, output: "lease" };
  });

  b.addNode("Transform", "decisions", { fn: (edgeIds: unknown) => JSON.stringify(placementsOf(world.workloads, edgeIdList.parse(edgeIds))) });
  b.addNode("RaftConsensus", "replicate", { operation: "put", cluster: CONTROL_PLANE, key: PLACEMENTS_KEY }, CONTROL_PLANE_STEP);
  b.connect("deploy", "edgeIds", "decisions", "value");
  b.connect("decisions", "value", "replicate", "value");

  b.addNode("ResourceScaler", "scale", { operation: "predict_scaling", service: FRONTEND, current: 1 });
  b.addNode("Transform", "frontend_size", {
    fn: (decision: unknown) => {
      const instances = Math.min(MAX_FRONTEND_INSTANCES, Math.max(1, scalingDecision.parse(decision).target));
      return { cpu: instances * PER_INSTANCE.cpu, memory: instances * PER_INSTANCE.memoryMb };
    },
  });
  b.addNode("ResourcePool", "scale_out", { operation: "allocate", pool: FRONTEND_POOL, requester: FRONTEND });
  b.connect("scale", "decision", "frontend_size", "value");
  b.connect("frontend_size", "value", "scale_out", "resources");

  fanIn(b, "rolled_out", [...leases, { node: "replicate", output: "ok" }, { node: "scale_out", output: "allocation" }]);
  return b.build();
}

function placementsOf(workloads: readonly Workload[], edgeIds: ReadonlyArray<string | null>): Record<string, string> {
  const out: Record<string, string> = {};
  workloads.forEach((w, i) => {
    const edgeId = edgeIds[i];
    if (edgeId !== null && edgeId !== undefined) out[w.id] = edgeId;
  });
  return out;
}

export interface FailoverPlan {
  readonly crashed: string;
  /** The workloads that were running on the crashed edge. */
  readonly displaced: readonly Workload[];
  /** Cost ledger records for the run so far (assets, usage per placement, shared control plane). */
  readonly costRecords: () => unknown[];
  /** The workloads as the cost optimizer sees them. */
  readonly costWorkloads: () => unknown[];
}

export function failoverWorkflow(world: World, plan: FailoverPlan) {
  const b = WorkflowBuilder.untyped(world.registry, { name: "failover" });
  b.addNode("EdgeStateMachine", "fail_edge", { operation: "transition", edgeId: plan.crashed, event: "FAIL", reason: "edge crashed" });
  b.addNode("Transform", "displaced", { fn: () => plan.displaced });
  b.addNode("EdgeAffinity", "replace", { operation: "place_batch", commit: true });
  b.connect("fail_edge", "state", "displaced", "value");
  b.connect("displaced", "value", "replace", "workloads");
  // The crashed edge's lease is taken over once the rollout's has lapsed (a conflict until then).
  b.addNode("EdgeStateMachine", "takeover", { operation: "acquire_lease", edgeId: plan.crashed, holder: "failover-controller", ttlMs: 60_000 }, {
    timeoutMs: CONTROL_PLANE_STEP.timeoutMs,
    retry: { attempts: 80, backoffMs: 1_000, backoffCoefficient: 1 },
  });

  const migrations = plan.displaced.map((w, j) => {
    fanIn(b, `evacuate_${j}`, [{ node: "replace", output: "edgeIds" }, { node: "takeover", output: "lease" }]);
    b.addNode("Transform", `request_${j}`, {
      fn: (joined: unknown): MigrationRequestInput => {
        const [edgeIds] = z.tuple([edgeIdList, z.unknown()]).parse(joined);
        return {
          source: plan.crashed,
          target: edgeAt(j)(edgeIds),
          // No `requests`: the placement above already committed them on the target, and the
          // planner would count them a second time against the target's free capacity.
          workloads: [{ id: w.id, ...(w.residency === undefined ? {} : { residency: [...w.residency] }) }],
          strategy: "emergency",
        };
      },
    });
    b.addNode("EdgeMigration", `migrate_${j}`, { operation: "execute" });
    b.connect(`evacuate_${j}`, "value", `request_${j}`, "value");
    b.connect(`request_${j}`, "value", `migrate_${j}`, "request");
    return { node: `migrate_${j}`, output: "phase" };
  });

  const moved = fanIn(b, "moved", migrations);
  b.addNode("Transform", "placements_key", { fn: () => PLACEMENTS_KEY });
  b.addNode("RaftConsensus", "current", { operation: "read", cluster: CONTROL_PLANE }, CONTROL_PLANE_STEP);
  b.connect(moved.node, moved.output, "placements_key", "value");
  b.connect("placements_key", "value", "current", "key");
  fanIn(b, "update", [{ node: "current", output: "value" }, { node: "replace", output: "edgeIds" }]);
  b.addNode("Transform", "updated_placements", {
    fn: (joined: unknown) => {
      const [current, edgeIds] = z.tuple([z.string(), edgeIdList]).parse(joined);
      return JSON.stringify({ ...placementMap.parse(JSON.parse(current)), ...placementsOf(plan.displaced, edgeIds) });
    },
  });
  b.addNode("RaftConsensus", "replicate", { operation: "put", cluster: CONTROL_PLANE, key: PLACEMENTS_KEY }, CONTROL_PLANE_STEP);
  b.connect("update", "value", "updated_placements", "value");
  b.connect("updated_placements", "value", "replicate", "value");

  b.addNode("Transform", "cost_records", { fn: () => plan.costRecords() });
  b.addNode("ResourceOptimizer", "ledger", { operation: "record_cost", shareMode: "proportional" });
  b.addNode("Transform", "cost_workloads", { fn: () => plan.costWorkloads() });
  b.addNode("ResourceOptimizer", "optimize", { operation: "optimize", useMonitoring: false });
  b.connect("replicate", "ok", "cost_records", "value");
  b.connect("cost_records", "value", "ledger", "records");
  b.connect("replicate", "ok", "cost_workloads", "value");
  b.connect("cost_workloads", "value", "optimize", "workloads");
  return b.build();
}
