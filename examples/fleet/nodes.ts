/**
 * The demo's own node types: the glue between the built-in nodes and the demo's simulated world
 * (its trace, its control plane, its failure). Each reaches engines only through the infrastructure.
 *
 * @module
 */
import { z } from "zod";
import {
  AFFINITY_PLACER,
  AffinityPlacer,
  EDGE_LIFECYCLE,
  MigrationError,
  UnschedulableError,
  summaryOf,
  EdgeInfrastructure,
  NotLeaderError,
  TimeoutError,
  ValidationError,
  RESOURCE_SCALER,
  ResourceScaler,
  defineNode,
  enginePort,
  migrationServiceFor,
  monitoringKey,
  sleep,
  type BatchPlacement,
  type NodeContext,
} from "../../src/index.js";
import { FLEET_WORLD, serviceLease, type FleetWorld, type LeaseRecord, type MinutePoint } from "./world.js";
import { MINUTE_MS } from "./trace.js";
import { FLEET_SERVICES, FLEET_SITES } from "./fleet-spec.js";

/** Workload leases last this long unless their holder renews them. */
export const LEASE_TTL_MS = 30_000;
const PROBE_EVERY_MS = 5_000;

/** Holders renew their leases this often. */
export const RENEW_EVERY_MS = 10_000;

function worldOf(ctx: NodeContext): FleetWorld {
  return ctx.infrastructure.get(FLEET_WORLD);
}

/** Renews every lease whose holder is still up, on the clock, until the run ends. */
function keepRenewing(ctx: NodeContext, world: FleetWorld, held: Map<string, LeaseRecord>): void {
  const renew = async (): Promise<void> => {
    for (const [service, lease] of held) {
      if (world.downEdges.has(lease.holder)) continue;
      // A renewal that fails (say, mid-election) is retried on the next round, well within the TTL.
      await world.controlPlane.leases.renew(serviceLease(service), lease.holder, lease.token).catch(() => undefined);
    }
  };
  const tick = (): void => {
    if (ctx.signal.aborted) return;
    void renew().finally(() => {
      if (!ctx.signal.aborted && !world.closed) ctx.clock.setTimer(RENEW_EVERY_MS, tick);
    });
  };
  ctx.clock.setTimer(RENEW_EVERY_MS, tick);
}

/** Takes one lease per placed service, held by the edge that runs it, renewed while that edge is up. */
export const HoldLeases = defineNode({
  type: "HoldLeases",
  description: "Takes a fenced lease per placed service in the replicated lease store, held by its edge.",
  config: z.object({}),
  inputs: z.object({ batch: enginePort<BatchPlacement>("a batch placement") }),
  outputs: z.object({ leases: z.array(z.object({ service: z.string(), holder: z.string(), token: z.number(), at: z.number() })) }),
  run: async (ctx, _config, { batch }) => {
    const world = worldOf(ctx);
    const held = world.heldLeases;
    for (const decision of batch.decisions) {
      if (decision.edgeId === null) continue;
      const lease = await world.controlPlane.leases.acquire(serviceLease(decision.workloadId), decision.edgeId, LEASE_TTL_MS);
      const record = { service: decision.workloadId, holder: lease.holder, token: lease.token, at: ctx.clock.now() };
      held.set(decision.workloadId, record);
      world.leases.push(record);
      world.placement.set(decision.workloadId, decision.edgeId);
      world.adapter.seed(decision.workloadId, decision.edgeId, stateOf(decision.workloadId));
      // A standby copy on another site of the same zone: what an emergency migration restores from.
      const replica = replicaSite(decision.workloadId, decision.edgeId);
      if (replica !== undefined) world.adapter.addReplica(decision.workloadId, replica, stateOf(decision.workloadId), ctx.clock.now());
    }
    keepRenewing(ctx, world, held);
    return { leases: [...held.values()] };
  },
});

/** Another site of the service's compliance zone, the first listed (data residency holds for the copy too). */
function replicaSite(service: string, primary: string): string | undefined {
  const zone = FLEET_SERVICES.find((s) => s.id === service)?.residency?.[0];
  return FLEET_SITES.find((s) => s.id !== primary && !s.cold && (zone === undefined || (s.complianceZones ?? []).includes(zone)))?.id;
}

/** A small stand-in for a service's state: what the migration copies. */
function stateOf(service: string): ReadonlyMap<string, Uint8Array> {
  return new Map(Array.from({ length: 16 }, (_, i) => [`${service}/${i}`, new Uint8Array(1024).fill(i)]));
}

/** Service time of a request is long (LLM inference); queueing delay grows as instances fill up. */
function waitMs(busy: number, instances: number, meanServiceMs: number): number {
  const rho = Math.min(0.95, busy / Math.max(1, instances));
  return (meanServiceMs * rho) / (1 - rho);
}

/** The scaler's forecast of a service's demand one step (a minute) ahead; none while history is too short. */
function nextMinuteForecast(scaler: ResourceScaler, service: string): number | undefined {
  try {
    return Math.max(0, scaler.forecast(service, "immediate").mean[0] ?? 0);
  } catch (error) {
    if (error instanceof ValidationError && error.issues.some((i) => i.code === "insufficient_history")) return undefined;
    throw error;
  }
}

/**
 * Replays the rest of the trace minute by minute on the clock: each service's demand goes to the
 * autoscaler (which decides its instances) and each edge's load, queueing delay and availability go
 * to monitoring (which raises alerts).
 */
export const ReplayTrace = defineNode({
  type: "ReplayTrace",
  description: "Replays the trace on the clock into the autoscaler and monitoring, one minute at a time.",
  config: z.object({ minutes: z.number().int().positive().optional() }),
  inputs: z.object({ after: z.unknown().optional() }),
  outputs: z.object({ minutes: z.number().int(), scalingChanges: z.number().int() }),
  run: async (ctx, config, _inputs) => {
    const world = worldOf(ctx);
    const infrastructure = EdgeInfrastructure.from(ctx.infrastructure);
    const monitoring = ctx.infrastructure.get(monitoringKey);
    const scaler = ctx.infrastructure.getOrCreate(RESOURCE_SCALER, () => new ResourceScaler({ strategy: "hybrid", perInstance: 1 }, { clock: ctx.clock }));
    const total = world.trace.durationMs / MINUTE_MS;
    const end = Math.min(total, world.warmupMinutes + (config.minutes ?? world.replayMinutes ?? total));
    const pendingForecasts = new Map<number, number>();
    const meanServiceMs = world.trace.requests.reduce((s, r) => s + r.serviceMs, 0) / Math.max(1, world.trace.requests.length);
    for (let minute = world.warmupMinutes; minute < end; minute++) {
      await sleep(ctx.clock, MINUTE_MS, ctx.signal);
      ctx.progress((minute - world.warmupMinutes + 1) / (end - world.warmupMinutes), `trace minute ${minute + 1}/${total}`);
      const now = ctx.clock.now();
      let requests = 0;
      let demand = 0;
      let instances = 0;
      const perEdge = new Map<string, { cpu: number; waitSum: number; weight: number }>();
      for (const service of world.services) {
        const load = world.loads.get(service.id)?.[minute] ?? { requests: 0, busy: 0 };
        scaler.recordUsage({ service: service.id, demand: load.busy, instances: world.instances.get(service.id) ?? 1 });
        const running = world.instances.get(service.id) ?? 1;
        const edgeId = world.placement.get(service.id);
        if (edgeId !== undefined) {
          const entry = perEdge.get(edgeId) ?? { cpu: 0, waitSum: 0, weight: 0 };
          entry.cpu += load.busy * (service.requests.cpu / 2);
          entry.waitSum += waitMs(load.busy, running, meanServiceMs) * Math.max(1, load.requests);
          entry.weight += Math.max(1, load.requests);
          perEdge.set(edgeId, entry);
        }
        const decision = scaler.predictScaling(service.id);
        if (decision.target !== running) {
          scaler.apply(decision.id);
          world.scaling.push({ minute, service: service.id, from: running, to: decision.target, reason: decision.reason, urgency: decision.urgency });
          world.instances.set(service.id, decision.target);
        }
        const next = nextMinuteForecast(scaler, service.id);
        if (next !== undefined) pendingForecasts.set(minute + 1, (pendingForecasts.get(minute + 1) ?? 0) + next);
        requests += load.requests;
        demand += load.busy;
        instances += world.instances.get(service.id) ?? running;
      }
      for (const edge of infrastructure.edges()) {
        if (world.downEdges.has(edge.id)) continue;
        const load = perEdge.get(edge.id);
        const samples = [
          { edgeId: edge.id, metric: "resource_usage", value: Math.min(100, (100 * (load?.cpu ?? 0)) / (edge.capacity.cpu ?? 1)), timestamp: now },
          { edgeId: edge.id, metric: "latency", value: load === undefined ? 0 : load.waitSum / load.weight, timestamp: now },
          { edgeId: edge.id, metric: "availability", value: 100, timestamp: now },
        ];
        monitoring.recordBatch(samples);
      }
      monitoring.evaluate();
      // Each service's standby copy is refreshed every minute: an emergency failover loses at most that.
      for (const service of world.services) {
        const primary = world.placement.get(service.id);
        const replica = primary === undefined ? undefined : replicaSite(service.id, primary);
        if (replica !== undefined) world.adapter.addReplica(service.id, replica, stateOf(service.id), now);
      }
      const point: MinutePoint = { minute, requests, demand, instances, forecast: pendingForecasts.get(minute) };
      world.minutes.push(point);
    }
    return { minutes: end - world.warmupMinutes, scalingChanges: world.scaling.length };
  },
});

/** Monitoring keeps probing a site that went down: every probe finds it unavailable. */
function probeWhileDown(ctx: NodeContext, world: FleetWorld, edgeId: string): void {
  const monitoring = ctx.infrastructure.get(monitoringKey);
  const probe = (): void => {
    if (world.closed || !world.downEdges.has(edgeId)) return;
    monitoring.record({ edgeId, metric: "availability", value: 0, timestamp: ctx.clock.now() });
    monitoring.evaluate();
    ctx.clock.setTimer(PROBE_EVERY_MS, probe);
  };
  probe();
}

/** What the forced failure did. */
const failureSchema = z.object({
  edgeId: z.string(),
  failedAt: z.number(),
  previousLeader: z.string(),
  previousTerm: z.number(),
  newLeader: z.string(),
  newTerm: z.number(),
  detectedAfterMs: z.number(),
  electedAfterMs: z.number(),
});

/**
 * Takes down the edge hosting the Raft leader: it drops off both simulated networks, its lifecycle
 * goes to `failed`, monitoring sees it unavailable. Resolves once the survivors' partition detectors
 * have declared it dead and a new leader is elected.
 */
export const FailEdge = defineNode({
  type: "FailEdge",
  description: "Crashes the edge hosting the control plane's leader and waits for detection and re-election.",
  config: z.object({ timeoutMs: z.number().int().positive().default(120_000) }),
  inputs: z.object({ after: z.unknown().optional() }),
  outputs: failureSchema,
  run: async (ctx, config) => {
    const world = worldOf(ctx);
    const plane = world.controlPlane;
    const leader = plane.leader();
    if (leader === undefined) throw new NotLeaderError(null, "the control plane has no leader to fail");
    const edgeId = leader.host.id;
    const previousTerm = leader.host.status().term;
    const failedAt = ctx.clock.now();
    plane.isolate(edgeId);
    world.downEdges.add(edgeId);
    world.adapter.setEdgeUp(edgeId, false);
    ctx.infrastructure.get(EDGE_LIFECYCLE).transition(edgeId, { type: "FAIL", reason: "site unreachable (forced failure)" });
    probeWhileDown(ctx, world, edgeId);
    const survivors = plane.detectors.filter((d) => d.status().nodeId !== edgeId);
    let detectedAt: number | undefined;
    let elected: { id: string; term: number; at: number } | undefined;
    for (let waited = 0; waited < config.timeoutMs && (detectedAt === undefined || elected === undefined); waited += 1_000) {
      await sleep(ctx.clock, 1_000, ctx.signal);
      if (detectedAt === undefined && survivors.every((d) => d.members().some((m) => m.id === edgeId && m.state === "dead"))) detectedAt = ctx.clock.now();
      const next = plane.leader();
      if (elected === undefined && next !== undefined && next.host.id !== edgeId) elected = { id: next.host.id, term: next.host.status().term, at: ctx.clock.now() };
    }
    if (detectedAt === undefined || elected === undefined) throw new TimeoutError(`no ${detectedAt === undefined ? "detection" : "new leader"} within ${config.timeoutMs} ms of failing ${edgeId}`, config.timeoutMs);
    return {
      edgeId,
      failedAt,
      previousLeader: edgeId,
      previousTerm,
      newLeader: elected.id,
      newTerm: elected.term,
      detectedAfterMs: detectedAt - failedAt,
      electedAfterMs: elected.at - failedAt,
    };
  },
});

const migrationOutcome = z.object({
  service: z.string(),
  from: z.string(),
  to: z.string(),
  strategy: z.string(),
  phase: z.string(),
  downtimeMs: z.number(),
  dataLossWindowMs: z.number(),
  /** Clock time the service was serving again on its new site. */
  restoredAt: z.number(),
  score: z.number(),
  rttMs: z.number().nullable(),
  previousLease: z.object({ holder: z.string(), token: z.number() }),
  lease: z.object({ holder: z.string(), token: z.number(), at: z.number() }),
});
/** One service moved off the failed edge. */
export type MigrationOutcome = z.output<typeof migrationOutcome>;

/** Polls on the clock until `done()` holds; gives up after `timeoutMs`. */
async function waitFor(ctx: NodeContext, what: string, done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  for (let waited = 0; !(await done()); waited += 1_000) {
    if (waited >= timeoutMs) throw new TimeoutError(`${what} did not happen within ${timeoutMs} ms`, timeoutMs);
    await sleep(ctx.clock, 1_000, ctx.signal);
  }
}

/**
 * Moves every service off a failed edge: placement picks a compliant live edge; once the dead holder's
 * lease has expired the new edge takes it with a higher fencing token; then an emergency migration
 * restores the service there from its standby copy (holding the control plane's migration locks).
 */
export const Failover = defineNode({
  type: "Failover",
  description: "Re-places the services of a failed edge, moves their leases to the new edges, and migrates them there.",
  config: z.object({ timeoutMs: z.number().int().positive().default(120_000) }),
  inputs: z.object({ edgeId: z.string().min(1) }),
  outputs: z.object({ migrations: z.array(migrationOutcome) }),
  run: async (ctx, config, { edgeId }) => {
    const world = worldOf(ctx);
    const infrastructure = EdgeInfrastructure.from(ctx.infrastructure);
    const placer = ctx.infrastructure.getOrCreate(AFFINITY_PLACER, () => new AffinityPlacer());
    const migrations = migrationServiceFor(ctx);
    const leases = world.controlPlane.leases;
    const out: MigrationOutcome[] = [];
    const affected = world.services.filter((s) => world.placement.get(s.id) === edgeId);
    for (const [i, service] of affected.entries()) {
      ctx.progress(i / affected.length, `moving ${service.id}`);
      const decision = placer.place(infrastructure.edges(), service);
      if (decision.edgeId === null || decision.score === null) throw new UnschedulableError(decision);
      const target = decision.edgeId;
      // The crashed site cannot release its lease and might only be cut off, still writing: nobody
      // else may own the service until that lease has expired. Then the new site takes it, fenced
      // by a higher token, and only then restores the service.
      const previous = world.heldLeases.get(service.id);
      await waitFor(ctx, `expiry of ${service.id}'s lease`, async () => (await leases.get(serviceLease(service.id))) === undefined, config.timeoutMs);
      const lease = await leases.acquire(serviceLease(service.id), target, LEASE_TTL_MS);
      const record = { service: service.id, holder: target, token: lease.token, at: ctx.clock.now() };
      world.heldLeases.set(service.id, record);
      world.leases.push(record);
      const request = {
        source: edgeId,
        target,
        strategy: "emergency" as const,
        workloads: [{ id: service.id, sizeBytes: service.stateBytes, requests: service.requests, residency: [...(service.residency ?? [])] }],
      };
      const plan = await migrations.plan(request, { signal: ctx.signal });
      const summary = summaryOf(await migrations.wait(await migrations.start(plan)));
      if (summary.phase !== "completed") {
        world.heldLeases.delete(service.id);
        await leases.release(serviceLease(service.id), target, lease.token);
        const why = summary.failure === null ? "" : `: ${JSON.stringify(summary.failure)}`;
        throw new MigrationError("not_completed", `migration of ${service.id} ended ${summary.phase}${why}`, { migrationId: summary.migrationId });
      }
      const restoredAt = ctx.clock.now();
      infrastructure.free(edgeId, service.requests);
      infrastructure.allocate(target, service.requests);
      world.placement.set(service.id, target);
      out.push({
        service: service.id,
        from: edgeId,
        to: target,
        strategy: summary.strategy,
        phase: summary.phase,
        downtimeMs: summary.downtimeMs,
        dataLossWindowMs: summary.dataLossWindowMs,
        restoredAt,
        score: decision.score.total,
        rttMs: decision.score.rttMs,
        previousLease: { holder: previous?.holder ?? edgeId, token: previous?.token ?? 0 },
        lease: { holder: record.holder, token: record.token, at: record.at },
      });
    }
    return { migrations: out };
  },
});
