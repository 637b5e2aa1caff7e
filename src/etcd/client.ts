/**
 * {@link EtcdClientOwner}: what every etcd backend that owns one client shares: the connection
 * settings, request bounds, and closing.
 *
 * @module
 */
import { Etcd3 } from "etcd3";
import { z } from "zod";
import type { Clock } from "../core/clock.js";
import { ClosedError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { parseConnection, type EtcdConnectionOptions } from "./connection.js";
import { RequestDeadlines } from "./deadlines.js";

/** Base of the etcd backends: validates the connection options and owns the client. */
export abstract class EtcdClientOwner {
  protected readonly clock: Clock;
  protected readonly client: Etcd3;
  /** The key prefix every key of this backend starts with. */
  protected readonly prefix: string;
  protected readonly timeoutMs: number;
  private readonly deadlines: RequestDeadlines;
  private readonly ownerName: string;
  private closed = false;

  /** @param name how a `ClosedError` names the backend */
  protected constructor(name: string, options: EtcdConnectionOptions) {
    const parsed = parseConnection(options);
    this.ownerName = name;
    this.clock = parsed.clock;
    this.prefix = parsed.prefix;
    this.timeoutMs = parsed.requestTimeoutMs;
    this.deadlines = new RequestDeadlines(this.clock, this.timeoutMs);
    this.client = new Etcd3({ hosts: parsed.hosts, dialTimeout: this.timeoutMs });
  }

  /** Closes the client's connections. Idempotent; afterwards every method throws a `ClosedError`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Throws a `ClosedError` once closed. */
  protected open(): void {
    if (this.closed) throw new ClosedError(this.ownerName);
  }

  /** Runs one request bounded by the request timeout and `signal`, with etcd's errors typed. */
  protected call<T>(what: string, request: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    return this.deadlines.run(what, request, signal);
  }
}

/** Validates a backend's `maxAttempts` (compare-and-swap attempts before a `ConflictError`; default 64). */
export function parseMaxAttempts(value: unknown): number {
  return parseWith(z.number().int().positive().max(10_000).default(64), value, "options.maxAttempts");
}
