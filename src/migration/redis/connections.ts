/**
 * Redis connection settings shared by the adapter and the router.
 *
 * @module
 */
import { Redis, type RedisOptions } from "ioredis";
import type { Clock } from "../../core/clock.js";

/** Where an edge's Redis listens. */
export interface RedisEdgeAddress {
  readonly host: string;
  readonly port: number;
  readonly db?: number;
  readonly password?: string;
}

/**
 * A connection that fails fast while disconnected (no offline queue, one retry per request), so a dead
 * edge shows up as an error the executor retries and then acts on, instead of a hang.
 */
export function connect(address: RedisEdgeAddress, extra: RedisOptions = {}): Redis {
  const redis = new Redis({
    host: address.host,
    port: address.port,
    db: address.db ?? 0,
    ...(address.password === undefined ? {} : { password: address.password }),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times: number) => Math.min(50 * times, 500),
    lazyConnect: false,
    ...extra,
  });
  // Connection errors reach callers through their commands; the event would only be noise.
  redis.on("error", () => undefined);
  return redis;
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export async function ready(redis: Redis, clock: Clock, timeoutMs = 2_000): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = clock.setTimer(timeoutMs, () => {
      cleanup();
      reject(new Error(`redis not ready after ${timeoutMs} ms (status ${redis.status})`));
    });
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      clock.clearTimer(timer);
      redis.off("ready", onReady);
    };
    redis.on("ready", onReady);
  });
}
