/**
 * Typed service lookup. The infrastructure context that every workflow node receives is a
 * {@link ServiceRegistry}: engines publish shared services (edge registry, metric store, Raft
 * clusters, ...) under typed {@link ServiceKey}s, and nodes look them up without casts or globals.
 *
 * @module
 */
import { ClosedError, NotFoundError, ValidationError, errorMessage } from "./errors.js";

/** A typed name for a service. Create one per service with {@link serviceKey}. */
export interface ServiceKey<T> {
  readonly name: string;
  /** Phantom field carrying the service type; never set at run time. */
  readonly __type?: T;
}

/**
 * @example
 * ```ts
 * const METRICS = serviceKey<MetricStore>("monitoring.metrics");
 * infrastructure.register(METRICS, new MetricStore());
 * infrastructure.get(METRICS).record(...);
 * ```
 */
export function serviceKey<T>(name: string): ServiceKey<T> {
  if (name.trim() === "") throw ValidationError.of("name", "service key name must not be empty");
  return Object.freeze({ name });
}

/** How to shut `service` down: its `close()`, else its `[Symbol.asyncDispose]()`, else nothing. */
function closeOf(service: unknown): (() => unknown) | undefined {
  if (typeof service !== "object" || service === null) return undefined;
  const { close } = service as { close?: unknown };
  if (typeof close === "function") return () => close.call(service) as unknown;
  const dispose = (service as { [Symbol.asyncDispose]?: unknown })[Symbol.asyncDispose];
  return typeof dispose === "function" ? () => dispose.call(service) as unknown : undefined;
}

/**
 * A container of shared services, one instance per application (never a process-wide singleton).
 * It owns what it holds: {@link ServiceRegistry.close} closes every service that can be closed.
 */
export class ServiceRegistry {
  private readonly services = new Map<string, unknown>();
  private closing: Promise<void> | undefined;

  /** Publishes a service. Registering a second service under the same key is an error. */
  register<T>(key: ServiceKey<T>, service: T): T {
    if (this.closing !== undefined) throw new ClosedError("ServiceRegistry");
    if (this.services.has(key.name)) {
      throw ValidationError.of(`services.${key.name}`, `a service is already registered under "${key.name}"`, "duplicate_service");
    }
    this.services.set(key.name, service);
    return service;
  }

  /** Replaces (or publishes) a service. */
  replace<T>(key: ServiceKey<T>, service: T): T {
    if (this.closing !== undefined) throw new ClosedError("ServiceRegistry");
    this.services.set(key.name, service);
    return service;
  }

  /** The service under `key`; throws {@link NotFoundError} naming the key when absent. */
  get<T>(key: ServiceKey<T>): T {
    if (!this.services.has(key.name)) {
      throw new NotFoundError("service", key.name, `no service registered under "${key.name}"; register it on the infrastructure first`);
    }
    return this.services.get(key.name) as T;
  }

  tryGet<T>(key: ServiceKey<T>): T | undefined {
    return this.services.get(key.name) as T | undefined;
  }

  /** The service under `key`, creating and registering it with `create` on first use. */
  getOrCreate<T>(key: ServiceKey<T>, create: () => T): T {
    if (this.services.has(key.name)) return this.services.get(key.name) as T;
    return this.register(key, create());
  }

  has(key: ServiceKey<unknown>): boolean {
    return this.services.has(key.name);
  }

  unregister(key: ServiceKey<unknown>): boolean {
    return this.services.delete(key.name);
  }

  /** Names of all registered services, in registration order. */
  names(): string[] {
    return [...this.services.keys()];
  }

  /**
   * Closes every service that has `close()` or `[Symbol.asyncDispose]()`, newest first (a service
   * may use those registered before it), each even if another fails; then rejects with an
   * `AggregateError` of the failures, if any. Idempotent: later calls return the same promise.
   * Registering afterwards throws {@link ClosedError}; lookups still work.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const failures: unknown[] = [];
      // Yield first, so `closing` is set before any service runs (one may hold this registry).
      await Promise.resolve();
      for (const [name, service] of [...this.services].reverse()) {
        // A registry may be published in itself (EdgeInfrastructure under EDGE_INFRASTRUCTURE).
        const close = service === this ? undefined : closeOf(service);
        if (close === undefined) continue;
        try {
          await close();
        } catch (error) {
          failures.push(new Error(`closing service "${name}" failed: ${errorMessage(error)}`, { cause: error }));
        }
      }
      if (failures.length > 0) throw new AggregateError(failures, `${failures.length} service(s) failed to close`);
    })();
    return this.closing;
  }

  /** Same as {@link ServiceRegistry.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
