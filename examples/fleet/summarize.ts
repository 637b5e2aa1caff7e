/**
 * What the demo tells a newcomer, as plain data: every placement and why, lifecycle changes, cold
 * starts avoided, alerts, scaling, the failure and the migrations with their leases, and the cost.
 * Times are minutes since the start of the trace; every figure carries its unit in its name.
 *
 * @module
 */
import {
  RAFT_CLUSTERS,
  costKey,
  monitoringKey,
  orderingServiceKey,
  type EdgeInfrastructure,
  type LifecycleTransition,
  type PlacementDecision,
  type RunResult,
  type Workflow,
} from "../../src/index.js";
import { FLEET_SITES } from "./fleet-spec.js";
import type { LeaderChange } from "./control-plane.js";
import type { MigrationOutcome } from "./nodes.js";
import { costWorkloads } from "./workflow.js";
import { compareWarming, type WarmingComparison } from "./warm-replay.js";
import type { FleetWorld, MinutePoint, ScalingChange } from "./world.js";

export interface PlacementSummary {
  readonly service: string;
  readonly edgeId: string | null;
  readonly city: string;
  readonly residency: readonly string[];
  readonly score: number;
  /** Each score part in [0, 100]; `null` when it does not apply to this service. */
  readonly parts: { readonly latency: number | null; readonly balance: number; readonly cost: number; readonly locality: number | null };
  readonly rttMs: number | null;
  readonly edgesConsidered: number;
  readonly edgesFeasible: number;
  /** Edges refused, by the first filter that refused them. */
  readonly refused: Readonly<Record<string, number>>;
}

export interface AlertSummary {
  readonly edgeId: string;
  readonly metric: string;
  readonly severity: string;
  readonly state: string;
  readonly value: number;
  readonly threshold: number;
  readonly firedAtMinute: number | null;
  readonly resolvedAtMinute: number | null;
}

export interface TransitionSummary {
  readonly edgeId: string;
  readonly from: string;
  readonly to: string;
  readonly event: string;
  readonly atMinute: number;
}

export interface CostSummary {
  readonly currentMonthlyUsd: number;
  readonly proposedMonthlyUsd: number;
  readonly monthlySavingsUsd: number;
  readonly fleetMonthlyUsd: number;
  readonly recommendations: readonly { readonly service: string; readonly change: string; readonly currentMonthlyUsd: number; readonly proposedMonthlyUsd: number; readonly savingsUsd: number; readonly why: string }[];
  /** Per service: monthly cost now and after the recommendations. */
  readonly breakdown: readonly { readonly service: string; readonly currentMonthlyUsd: number; readonly proposedMonthlyUsd: number }[];
}

export interface FleetSummary {
  readonly seed: number;
  readonly status: string;
  readonly trace: { readonly source: string; readonly description: string; readonly requests: number; readonly minutes: number; readonly warmupMinutes: number };
  readonly fleet: readonly { readonly id: string; readonly city: string; readonly region: string; readonly zone: string; readonly cpu: number; readonly costPerHourUsd: number; readonly startedAs: string }[];
  readonly controlPlane: { readonly members: readonly string[]; readonly firstLeader: LeaderChange | null; readonly leaderChanges: readonly LeaderChange[] };
  readonly placements: readonly PlacementSummary[];
  readonly transitions: readonly TransitionSummary[];
  readonly warming: { readonly predicted: readonly { readonly edge: string; readonly confidence: number; readonly reason: string }[]; readonly comparison: WarmingComparison };
  readonly alerts: readonly AlertSummary[];
  readonly scaling: readonly ScalingChange[];
  readonly minutes: readonly MinutePoint[];
  readonly failure: {
    readonly edgeId: string;
    readonly atMinute: number;
    readonly detectedAfterMs: number;
    readonly electedAfterMs: number;
    readonly previousLeader: string;
    readonly previousTerm: number;
    readonly newLeader: string;
    readonly newTerm: number;
    readonly detectorEvents: readonly { readonly observer: string; readonly peer: string; readonly kind: string; readonly atMinute: number }[];
  } | null;
  /** Each move, and how long after the crash its new site got the lease (the old one had to expire first). */
  readonly migrations: readonly (MigrationOutcome & { readonly restoredAfterCrashMs: number; readonly leaseTakenAfterCrashMs: number })[];
  /** The committed placement after failover, as read back linearizably from the control plane. */
  readonly committedPlacement: { readonly readIndex: number; readonly members: number; readonly applied: number } | null;
  readonly finalPlacement: Readonly<Record<string, string>>;
  readonly eventLog: readonly { readonly atMinute: number; readonly hlc: string; readonly key: string; readonly what: string }[];
  readonly cost: CostSummary | null;
  readonly workflow: { readonly name: string; readonly nodes: readonly { readonly id: string; readonly type: string; readonly status: string }[]; readonly connections: readonly { readonly from: string; readonly to: string; readonly label: string }[] };
  readonly runLog: readonly string[];
}

const HOURS_PER_MONTH = 730;

export interface SummaryInput {
  readonly seed: number;
  readonly run: RunResult;
  readonly workflow: Workflow;
  readonly world: FleetWorld;
  readonly infrastructure: EdgeInfrastructure;
  readonly transitions: readonly LifecycleTransition[];
  readonly firstLeader: LeaderChange | undefined;
  readonly log: readonly string[];
}

function outputOf<T>(run: RunResult, nodeId: string): T | undefined {
  const result = run.results[nodeId];
  return result?.status === "completed" ? (result.output as T) : undefined;
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function summarize(input: SummaryInput): FleetSummary {
  const { run, world, infrastructure } = input;
  const minuteOf = (at: number): number => round((at - world.start) / 60_000, 1);
  const city = (id: string | null): string => FLEET_SITES.find((s) => s.id === id)?.city ?? "—";

  const batch = outputOf<{ batch: { decisions: readonly PlacementDecision[] } }>(run, "place")?.batch;
  const placements: PlacementSummary[] = (batch?.decisions ?? []).map((d) => {
    const service = world.services.find((s) => s.id === d.workloadId);
    const c = d.score?.components;
    return {
      service: d.workloadId,
      edgeId: d.edgeId,
      city: city(d.edgeId),
      residency: [...(service?.residency ?? [])],
      score: round(d.score?.total ?? 0, 1),
      parts: { latency: d.score?.rttMs === null ? null : round(c?.latency ?? 0, 1), balance: round(c?.balance ?? 0, 1), cost: round(c?.cost ?? 0, 1), locality: null },
      rttMs: d.score?.rttMs === null || d.score === null ? null : round(d.score.rttMs, 1),
      edgesConsidered: d.evaluated,
      edgesFeasible: d.feasible,
      refused: { ...d.rejected },
    };
  });

  const predicted = outputOf<{ decisions: readonly { edge: string; confidence: number; reasons: readonly string[] }[] }>(run, "predict_demand")?.decisions ?? [];
  const monitoring = infrastructure.get(monitoringKey);
  const alerts: AlertSummary[] = monitoring.alerts({ includeResolved: true }).map((a) => ({
    edgeId: a.edgeId,
    metric: a.metric,
    severity: a.severity,
    state: a.state,
    value: round(a.value, 1),
    threshold: a.threshold,
    firedAtMinute: a.firedAt === undefined ? null : minuteOf(a.firedAt),
    resolvedAtMinute: a.resolvedAt === undefined ? null : minuteOf(a.resolvedAt),
  }));
  alerts.sort((a, b) => (a.firedAtMinute ?? Infinity) - (b.firedAtMinute ?? Infinity) || a.edgeId.localeCompare(b.edgeId) || a.metric.localeCompare(b.metric));

  type Failure = { edgeId: string; failedAt: number; previousLeader: string; previousTerm: number; newLeader: string; newTerm: number; detectedAfterMs: number; electedAfterMs: number };
  const failed = outputOf<Failure>(run, "fail_leader_edge");
  const plane = world.controlPlane;
  const failure =
    failed === undefined
      ? null
      : {
          edgeId: failed.edgeId,
          atMinute: minuteOf(failed.failedAt),
          detectedAfterMs: failed.detectedAfterMs,
          electedAfterMs: failed.electedAfterMs,
          previousLeader: failed.previousLeader,
          previousTerm: failed.previousTerm,
          newLeader: failed.newLeader,
          newTerm: failed.newTerm,
          detectorEvents: plane.detectorEvents.filter((e) => e.at >= failed.failedAt).map((e) => ({ observer: e.observer, peer: e.peer, kind: e.kind, atMinute: minuteOf(e.at) })),
        };

  const read = outputOf<{ readIndex: number; value?: string | null }>(run, "read_placement");
  const stores = infrastructure.get(RAFT_CLUSTERS).get("control-plane").kv;
  const committedPlacement =
    read === undefined ? null : { readIndex: read.readIndex, members: plane.members.length, applied: [...(stores?.values() ?? [])].filter((kv) => kv.localGet("fleet/placement") !== null).length };

  const ordering = infrastructure.get(orderingServiceKey);
  const eventLog = ordering.orderedSince(0, 10_000).entries.map((entry) => ({
    atMinute: minuteOf(entry.event.hlc.wall),
    hlc: `${new Date(entry.event.hlc.wall).toISOString().slice(11, 23)}/${entry.event.hlc.logical}`,
    key: entry.event.key ?? "",
    what: entry.event.key === "placements" ? `placed: ${describePlacements(world, entry.event.payload)}` : describePayload(entry.event.payload),
  }));

  return {
    seed: input.seed,
    status: run.status,
    trace: { source: world.trace.source, description: world.trace.description, requests: world.trace.requests.length, minutes: world.trace.durationMs / 60_000, warmupMinutes: world.warmupMinutes },
    fleet: FLEET_SITES.map((s) => ({ id: s.id, city: s.city, region: s.region, zone: s.complianceZones?.[0] ?? "", cpu: s.capacity.cpu ?? 0, costPerHourUsd: s.costPerHour ?? 0, startedAs: s.lifecycleState ?? "initialized" })),
    controlPlane: { members: plane.members, firstLeader: input.firstLeader ?? null, leaderChanges: plane.leaderChanges.map((c) => ({ ...c, at: minuteOf(c.at) })) },
    placements,
    transitions: input.transitions.map((t) => ({ edgeId: t.edgeId, from: t.from, to: t.to, event: t.event, atMinute: minuteOf(t.at) })),
    warming: { predicted: predicted.map((d) => ({ edge: d.edge, confidence: round(d.confidence), reason: d.reasons[0] ?? "" })), comparison: compareWarming(world.trace) },
    alerts,
    scaling: world.scaling,
    minutes: world.minutes.map((m) => ({ ...m, demand: round(m.demand), forecast: m.forecast === undefined ? undefined : round(m.forecast) })),
    failure,
    migrations: (outputOf<{ migrations: MigrationOutcome[] }>(run, "failover")?.migrations ?? []).map((m) => ({
      ...m,
      restoredAfterCrashMs: round(m.restoredAt - (failed?.failedAt ?? m.restoredAt), 0),
      leaseTakenAfterCrashMs: round(m.lease.at - (failed?.failedAt ?? m.lease.at), 0),
    })),
    committedPlacement,
    finalPlacement: Object.fromEntries([...world.placement.entries()].sort(([a], [b]) => a.localeCompare(b))),
    eventLog,
    cost: costSummary(run, world, infrastructure),
    workflow: {
      name: input.workflow.name ?? "fleet",
      nodes: input.workflow.nodes.map((n) => ({ id: n.id, type: n.type, status: run.results[n.id]?.status ?? "not run" })),
      connections: input.workflow.connections.map((c) => ({ from: c.from, to: c.to, label: `${c.output} → ${c.input}` })),
    },
    runLog: input.log,
  };
}

/** The placement event carries the chosen edges in the services' order. */
function describePlacements(world: FleetWorld, payload: unknown): string {
  const edges = Array.isArray(payload) ? payload : [];
  return world.services.map((s, i) => `${s.id} → ${String(edges[i] ?? "nowhere")}`).join(", ");
}

function describePayload(payload: unknown): string {
  if (Array.isArray(payload)) return payload.map((p) => describePayload(p)).join("; ");
  if (typeof payload !== "object" || payload === null) return String(payload);
  const p = payload as Record<string, unknown>;
  if (typeof p.edge === "string" && typeof p.from === "string") return `${p.edge}: ${p.from} → ${String(p.to)} (${String(p.event)})`;
  if (typeof p.alert === "string") return `alert ${p.alert} on ${String(p.edge)} (${String(p.severity)})`;
  if (typeof p.service === "string") return `${p.service} moved ${String(p.from)} → ${String(p.to)}`;
  return JSON.stringify(payload);
}

type Configuration = { monthlyCost: number; target: string; instanceType: string; purchaseOption: string; count: number; hoursPerMonth: number };
type Recommendation = { workloadId: string; kinds: readonly string[]; current: Configuration; proposed: Configuration; monthlySavings: number; explanation: readonly string[] };
type Plan = { currentMonthlyCost: number; proposedMonthlyCost: number; monthlySavings: number; recommendations: readonly Recommendation[] };

/** A recommendation in words: what changes, from what to what. */
function describeChange(r: Recommendation): string {
  const what = r.kinds.map((k) => k.replaceAll("_", " ")).join(" + ");
  const from = `${r.current.count} × ${r.current.instanceType} ${r.current.hoursPerMonth.toFixed(0)} h/month`;
  const to = r.proposed.target === "faas" ? `functions (${r.proposed.instanceType})` : `${r.proposed.count} × ${r.proposed.instanceType} ${r.proposed.hoursPerMonth.toFixed(0)} h/month`;
  return `${what}: ${from} → ${to}`;
}

function costSummary(run: RunResult, world: FleetWorld, infrastructure: EdgeInfrastructure): CostSummary | null {
  const plan = outputOf<{ plan: Plan }>(run, "cost")?.plan;
  if (plan === undefined) return null;
  const used = new Set(world.placement.values());
  const fleetMonthlyUsd = infrastructure.edges().filter((e) => used.has(e.id)).reduce((s, e) => s + e.costPerHour * HOURS_PER_MONTH, 0);
  const recommended = new Map(plan.recommendations.map((r) => [r.workloadId, r]));
  const engine = infrastructure.get(costKey);
  return {
    currentMonthlyUsd: round(plan.currentMonthlyCost),
    proposedMonthlyUsd: round(plan.proposedMonthlyCost),
    monthlySavingsUsd: round(plan.monthlySavings),
    fleetMonthlyUsd: round(fleetMonthlyUsd),
    recommendations: plan.recommendations.map((r) => ({
      service: r.workloadId,
      change: describeChange(r),
      currentMonthlyUsd: round(r.current.monthlyCost),
      proposedMonthlyUsd: round(r.proposed.monthlyCost),
      savingsUsd: round(r.monthlySavings),
      why: r.explanation[0] ?? "",
    })),
    breakdown: costWorkloads(world).map((workload) => {
      const r = recommended.get(workload.id);
      // A service without a recommendation keeps its cost: the cost engine prices it alone.
      const current = r?.current.monthlyCost ?? engine.optimize([workload]).currentMonthlyCost;
      return { service: workload.id, currentMonthlyUsd: round(current), proposedMonthlyUsd: round(r?.proposed.monthlyCost ?? current) };
    }),
  };
}
