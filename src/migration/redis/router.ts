/**
 * {@link RedisRouter}: the client side of a Redis workload's traffic. Writers send each command through
 * it; it picks the edge the workload is routed to, holds writes while that edge is draining, and counts
 * writes in flight so a drain can wait for them. A write it resolves is acknowledged by the edge that
 * holds the workload's authoritative copy at that moment.
 *
 * @module
 */
import type { Redis } from "ioredis";
import { ClosedError } from "../../core/errors.js";
import type { RedisEdgeAddress } from "./connections.js";
import { connect } from "./connections.js";

interface Gate {
  open: boolean;
  waiters: Array<() => void>;
}

/**
 * @example
 * ```ts
 * const router = new RedisRouter({ "edge-a": { host: "127.0.0.1", port: 6379 } });
 * router.setRoute("cart", "edge-a");
 * await router.write("cart", (redis) => redis.set("cart:42", "3 items"));
 * ```
 */
export class RedisRouter {
  private readonly addresses: Readonly<Record<string, RedisEdgeAddress>>;
  private readonly clients = new Map<string, Redis>();
  private readonly routes = new Map<string, string>();
  private readonly gates = new Map<string, Gate>();
  private readonly inFlight = new Map<string, number>();
  private readonly idle = new Map<string, Array<() => void>>();
  private closed = false;

  constructor(addresses: Readonly<Record<string, RedisEdgeAddress>>) {
    this.addresses = addresses;
  }

  /** The edge a workload is routed to. */
  route(workloadId: string): string | undefined {
    return this.routes.get(workloadId);
  }

  /** Routes a workload's traffic to an edge; writes held for the old edge go to the new one. */
  setRoute(workloadId: string, edgeId: string): void {
    this.routes.set(workloadId, edgeId);
    this.wake(workloadId);
  }

  /** Holds new writes of the workload on the edge and resolves once those in flight have finished. */
  async close(workloadId: string, edgeId: string): Promise<void> {
    this.gate(workloadId, edgeId).open = false;
    const key = `${workloadId}\u0000${edgeId}`;
    if ((this.inFlight.get(key) ?? 0) === 0) return;
    await new Promise<void>((resolve) => this.idle.set(key, [...(this.idle.get(key) ?? []), resolve]));
  }

  /** Lets writes of the workload on the edge through again. */
  open(workloadId: string, edgeId: string): void {
    this.gate(workloadId, edgeId).open = true;
    this.wake(workloadId);
  }

  /** Whether writes of the workload on the edge are let through. */
  isOpen(workloadId: string, edgeId: string): boolean {
    return this.gates.get(`${workloadId}\u0000${edgeId}`)?.open ?? true;
  }

  /**
   * Runs one write on the edge the workload is routed to, waiting while that edge is draining. Resolves
   * with the command's reply (the write is acknowledged); rejects when the edge refused or failed it.
   */
  async write<T>(workloadId: string, command: (redis: Redis) => Promise<T>): Promise<T> {
    for (;;) {
      if (this.closed) throw new ClosedError("redis router");
      const edgeId = this.routes.get(workloadId);
      if (edgeId === undefined) throw new Error(`workload "${workloadId}" has no route`);
      const gate = this.gate(workloadId, edgeId);
      if (!gate.open) {
        await new Promise<void>((resolve) => gate.waiters.push(resolve));
        continue;
      }
      const key = `${workloadId}\u0000${edgeId}`;
      this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
      try {
        return await command(this.client(edgeId));
      } finally {
        const left = (this.inFlight.get(key) ?? 1) - 1;
        this.inFlight.set(key, left);
        if (left === 0) for (const resolve of this.idle.get(key)?.splice(0) ?? []) resolve();
      }
    }
  }

  /** Closes the router's connections; pending writes are refused. */
  async closeAll(): Promise<void> {
    this.closed = true;
    for (const gate of this.gates.values()) for (const resolve of gate.waiters.splice(0)) resolve();
    for (const client of this.clients.values()) client.disconnect();
    this.clients.clear();
  }

  private client(edgeId: string): Redis {
    let client = this.clients.get(edgeId);
    if (client === undefined) {
      const address = this.addresses[edgeId];
      if (address === undefined) throw new Error(`unknown edge "${edgeId}"`);
      // A write cut off mid-flight must fail, not be re-sent later to an edge that may no longer own the data.
      client = connect(address, { autoResendUnfulfilledCommands: false });
      this.clients.set(edgeId, client);
    }
    return client;
  }

  private gate(workloadId: string, edgeId: string): Gate {
    const key = `${workloadId}\u0000${edgeId}`;
    let gate = this.gates.get(key);
    if (gate === undefined) {
      gate = { open: true, waiters: [] };
      this.gates.set(key, gate);
    }
    return gate;
  }

  private wake(workloadId: string): void {
    for (const [key, gate] of this.gates) if (key.startsWith(`${workloadId}\u0000`)) for (const resolve of gate.waiters.splice(0)) resolve();
  }
}
