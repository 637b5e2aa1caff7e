/**
 * Typed service lookup. The infrastructure context that every workflow node receives is a
 * {@link ServiceRegistry}: engines publish shared services (edge registry, metric store, Raft
 * clusters, ...) under typed {@link ServiceKey}s, and nodes look them up without casts or globals.
 *
 * @module
 */
import { NotFoundError, ValidationError } from "./errors.js";

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

/** A container of shared services, one instance per application (never a process-wide singleton). */
export class ServiceRegistry {
  private readonly services = new Map<string, unknown>();

  /** Publishes a service. Registering a second service under the same key is an error. */
  register<T>(key: ServiceKey<T>, service: T): T {
    if (this.services.has(key.name)) {
      throw ValidationError.of(`services.${key.name}`, `a service is already registered under "${key.name}"`, "duplicate_service");
    }
    this.services.set(key.name, service);
    return service;
  }

  /** Replaces (or publishes) a service. */
  replace<T>(key: ServiceKey<T>, service: T): T {
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
}
