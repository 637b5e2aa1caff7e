/**
 * Watches a running world and records every violation of the cross-engine invariants it sees: two
 * leaders in one term, a lease held by two holders at once or a fencing token that does not grow,
 * a workload served from two edges at once, capacity over-committed on an edge or in a pool, and a
 * placement outside its workload's residency zone. Checks run on every engine event that can break
 * them and again at every step the driver takes.
 */
import { z } from "zod";
import type { Lease } from "../../../src/index.js";
import type { World } from "./world.js";
import { FRONTEND_POOL } from "./world.js";

const EPSILON = 1e-9;
/** Where the replicated lease store keeps an edge's lease (its default prefix, the edge resource). */
const LEASE_PREFIX = "edgeflow/lease/edge:";
const storedLease = z.object({ holder: z.string(), token: z.number() });
/** The output of a batch placement node, as the runtime reports it. */
const batchOutput = z.object({ batch: z.object({ decisions: z.array(z.object({ workloadId: z.string(), edgeId: z.string().nullable() })) }) });

export class Observer {
  readonly violations: string[] = [];
  /** Leader per term, as any member announced it. */
  readonly leaders = new Map<number, string>();
  /** Every placement decision seen, in order. */
  readonly placements: Array<{ at: number; workloadId: string; edgeId: string }> = [];
  private readonly holders = new Map<string, Lease>();
  private readonly appliedTokens = new Map<string, number>();
  private readonly tokenHolders = new Map<string, string>();
  private readonly lastToken = new Map<string, number>();
  private readonly unsubscribe: Array<() => void> = [];
  private observations = 0;
  /** Lease grants seen (acquisitions, and renewals of a lease never announced). */
  grants = 0;
  private readonly startedAt: number;

  constructor(private readonly world: World) {
    this.startedAt = world.clock.now();
    for (const kv of world.controlPlane) {
      const onRole = (e: { role: string; term: number }): void => {
        if (e.role === "leader") this.leader(e.term, kv.host.id);
      };
      kv.host.events.on("role", onRole);
      this.unsubscribe.push(() => kv.host.events.off("role", onRole));
    }
    for (const store of [world.leases, world.migrationLocks]) {
      const leases = store.events;
      const onGranted = (lease: Lease): void => this.leaseGranted(lease);
      const onEnded = (lease: Lease): void => this.leaseEnded(lease);
      // A grant whose reply was lost looks, on the retry, like a renewal of a lease never announced.
      leases.on("lease:acquired", onGranted);
      leases.on("lease:renewed", onGranted);
      leases.on("lease:released", onEnded);
      leases.on("lease:expired", onEnded);
      this.unsubscribe.push(() => {
        leases.off("lease:acquired", onGranted);
        leases.off("lease:renewed", onGranted);
        leases.off("lease:released", onEnded);
        leases.off("lease:expired", onEnded);
      });
    }
    const onEdge = (): void => this.checkEdgeCapacity();
    world.infrastructure.events.on("edge:updated", onEdge);
    this.unsubscribe.push(() => world.infrastructure.events.off("edge:updated", onEdge));
    const onNode = (e: { output: unknown }): void => {
      const placement = batchOutput.safeParse(e.output);
      if (placement.success) this.placed(placement.data.batch.decisions);
    };
    world.runtime.events.on("node:complete", onNode);
    this.unsubscribe.push(() => world.runtime.events.off("node:complete", onNode));
    const frontend = world.pools.pool(FRONTEND_POOL);
    this.unsubscribe.push(frontend.on("allocated", () => this.checkPoolCapacity()));
  }

  /** How many times {@link Observer.observe} ran. */
  get steps(): number {
    return this.observations;
  }

  /** The instant checks, run by the driver after every step of virtual time. */
  observe(): void {
    this.observations++;
    for (const kv of this.world.controlPlane) {
      const status = kv.host.status();
      if (status.role === "leader") this.leader(status.term, status.id);
    }
    for (const w of this.world.workloads) {
      const serving = this.world.adapter.servingEdges(w.id);
      if (serving.length > 1) this.fail(`workload "${w.id}" served by ${serving.join(" and ")} at once`);
      if (this.world.adapter.acceptingEdges(w.id) > 1) this.fail(`workload "${w.id}" has more than one instance accepting writes`);
    }
    this.checkReplicatedLeases();
    this.checkEdgeCapacity();
    this.checkPoolCapacity();
  }

  /** Records placement decisions and checks each against its workload's residency. */
  private placed(decisions: ReadonlyArray<{ readonly workloadId: string; readonly edgeId: string | null }>): void {
    for (const d of decisions) {
      if (d.edgeId === null) continue;
      this.placements.push({ at: this.world.clock.now(), workloadId: d.workloadId, edgeId: d.edgeId });
      this.checkResidency(d.workloadId, d.edgeId, "placed");
    }
  }

  checkResidency(workloadId: string, edgeId: string, what: string): void {
    const zone = this.world.residency.get(workloadId);
    const zones = this.world.infrastructure.getEdge(edgeId).complianceZones;
    if (zone === undefined || !zones.includes(zone)) this.fail(`workload "${workloadId}" ${what} on "${edgeId}" (zones ${zones.join(",")}), outside its residency "${zone ?? "?"}"`);
  }

  fail(message: string): void {
    const at = this.world.clock.now() - this.startedAt;
    if (this.violations.length < 50) this.violations.push(`t+${at} ms: ${message}`);
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private leader(term: number, id: string): void {
    const known = this.leaders.get(term);
    if (known === undefined) this.leaders.set(term, id);
    else if (known !== id) this.fail(`two leaders in term ${term}: ${known} and ${id}`);
  }

  private leaseGranted(lease: Lease): void {
    const live = this.holders.get(lease.resource);
    if (live !== undefined && live.token === lease.token && live.holder === lease.holder) {
      this.holders.set(lease.resource, lease);
      return;
    }
    this.grants++;
    if (live !== undefined && live.expiresAt > this.world.clock.now()) {
      this.fail(`lease "${lease.resource}" granted to "${lease.holder}" while "${live.holder}" holds it until ${live.expiresAt}`);
    }
    const last = this.lastToken.get(lease.resource);
    if (last !== undefined && lease.token <= last) this.fail(`lease "${lease.resource}": fencing token ${lease.token} after ${last}`);
    this.lastToken.set(lease.resource, lease.token);
    this.holders.set(lease.resource, lease);
  }

  private leaseEnded(lease: Lease): void {
    const live = this.holders.get(lease.resource);
    if (live !== undefined && live.token === lease.token) this.holders.delete(lease.resource);
  }

  /**
   * The edge leases as each member has applied them: a member's token for a lease never goes back,
   * and a token means the same holder on every member.
   */
  private checkReplicatedLeases(): void {
    for (const kv of this.world.controlPlane) {
      for (const edge of this.world.edges) {
        const stored = storedLease.safeParse(JSON.parse(kv.localGet(`${LEASE_PREFIX}${edge.id}`) ?? "null"));
        if (!stored.success) continue;
        const { holder, token } = stored.data;
        const seen = `${kv.host.id}/${edge.id}`;
        const previous = this.appliedTokens.get(seen) ?? 0;
        if (token < previous) this.fail(`member ${kv.host.id} went back from token ${previous} to ${token} on "${edge.id}"`);
        this.appliedTokens.set(seen, token);
        const owner = this.tokenHolders.get(`${edge.id}#${token}`);
        if (owner === undefined) this.tokenHolders.set(`${edge.id}#${token}`, holder);
        else if (owner !== holder) this.fail(`token ${token} on "${edge.id}" names "${owner}" and "${holder}"`);
      }
    }
  }

  private checkEdgeCapacity(): void {
    for (const edge of this.world.infrastructure.edges()) {
      for (const [resource, capacity] of Object.entries(edge.capacity)) {
        const allocated = edge.allocated[resource] ?? 0;
        if (allocated > capacity + EPSILON) this.fail(`edge "${edge.id}" over-committed: ${allocated} of ${capacity} ${resource}`);
      }
    }
  }

  /** Sums the live allocations per edge (not the pool's own totals) against each edge's limit. */
  private checkPoolCapacity(): void {
    const pool = this.world.pools.pool(FRONTEND_POOL);
    const used = new Map<string, Record<string, number>>();
    for (const a of pool.allocations()) {
      const sums = used.get(a.edgeId) ?? {};
      for (const [resource, amount] of Object.entries(a.resources)) sums[resource] = (sums[resource] ?? 0) + amount;
      used.set(a.edgeId, sums);
    }
    for (const edge of pool.utilization().edges) {
      for (const [resource, amount] of Object.entries(used.get(edge.edgeId) ?? {})) {
        const limit = edge.limit[resource] ?? 0;
        if (amount > limit + EPSILON) this.fail(`pool "${FRONTEND_POOL}" over-committed on "${edge.edgeId}": ${amount} of ${limit} ${resource}`);
      }
    }
  }
}
