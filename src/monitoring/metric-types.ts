/**
 * The metric types a store accepts and their units. Unknown types are refused, never guessed at:
 * a user-defined type is registered explicitly first.
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import type { BuiltinMetricType, MetricTypeDefinition } from "./types.js";

/** The built-in metric types. Durations in milliseconds, ratios in percent (0–100). */
export const BUILTIN_METRIC_TYPES: Readonly<Record<BuiltinMetricType, MetricTypeDefinition>> = Object.freeze({
  latency: { name: "latency", unit: "ms", description: "request latency in milliseconds", min: 0 },
  throughput: { name: "throughput", unit: "requests_per_second", description: "requests served per second", min: 0 },
  error_rate: { name: "error_rate", unit: "percent", description: "failed requests, percent of all", min: 0, max: 100 },
  resource_usage: { name: "resource_usage", unit: "percent", description: "CPU/memory utilisation, percent", min: 0, max: 100 },
  availability: { name: "availability", unit: "percent", description: "time or requests served successfully, percent", min: 0, max: 100 },
  cache_hit_rate: { name: "cache_hit_rate", unit: "percent", description: "cache hits, percent of lookups", min: 0, max: 100 },
  migration_time: { name: "migration_time", unit: "ms", description: "duration of a live migration in milliseconds", min: 0 },
  coordination_overhead: { name: "coordination_overhead", unit: "ms", description: "time spent in consensus/coordination per operation, ms", min: 0 },
});

const metricNamePattern = /^[a-z][a-z0-9_]*$/;

/** Schema of a user-defined metric type. */
export const metricTypeDefinitionSchema = z
  .object({
    name: z.string().regex(metricNamePattern, "metric type names are lower snake_case (Prometheus-compatible)"),
    unit: z.string().min(1),
    description: z.string().default(""),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
  })
  .refine((d) => d.min === undefined || d.max === undefined || d.min <= d.max, { message: "min must be <= max", path: ["max"] });

const UNIT_SYMBOLS: Readonly<Record<string, string>> = { ms: " ms", percent: " %", requests_per_second: " req/s", bytes: " B", seconds: " s" };

/** `value` with its unit for people to read: `1209 ms`, `97.5 %`, `42 req/s`; other units are spelled out. */
export function formatWithUnit(value: number, unit: string | undefined): string {
  if (unit === undefined) return String(value);
  return `${value}${UNIT_SYMBOLS[unit] ?? ` ${unit.replace(/_/g, " ")}`}`;
}

/** The Prometheus family a metric type is exported as: `edgeflow_<name>_<unit>`. */
export function prometheusFamilyName(type: Pick<MetricTypeDefinition, "name" | "unit">): string {
  if (typeof type?.name !== "string" || typeof type.unit !== "string") throw ValidationError.of("type", "must have a string name and unit", "invalid_type");
  return `edgeflow_${type.name}_${type.unit.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

/** Families the exposition itself defines; no metric type may be exported under these names. */
const RESERVED_FAMILIES: ReadonlySet<string> = new Set(["edgeflow_edge_health", "edgeflow_alerts"]);

/** Known metric types: the built-ins plus those registered. */
export class MetricTypeRegistry {
  private readonly types = new Map<string, MetricTypeDefinition>(Object.entries(BUILTIN_METRIC_TYPES));

  /** Registers a user-defined type. Re-registering a name (built-in or not) is a validation error. */
  register(definition: z.input<typeof metricTypeDefinitionSchema>): MetricTypeDefinition {
    const parsed = parseWith(metricTypeDefinitionSchema, definition, "metricType");
    if (this.types.has(parsed.name)) {
      throw ValidationError.of("metricType.name", `metric type "${parsed.name}" is already registered`, "duplicate_metric_type");
    }
    // Two types exported under one family would make every exposition fail, not just theirs.
    const family = prometheusFamilyName(parsed);
    const clash = [...this.types.values()].find((t) => prometheusFamilyName(t) === family);
    if (clash !== undefined || RESERVED_FAMILIES.has(family)) {
      const owner = clash === undefined ? "the exposition's own family" : `metric type "${clash.name}"`;
      throw ValidationError.of("metricType.name", `metric type "${parsed.name}" would be exported as ${family}, already used by ${owner}`, "duplicate_metric_family");
    }
    const frozen = Object.freeze({ ...parsed });
    this.types.set(parsed.name, frozen);
    return frozen;
  }

  /** Whether a type of this name is known. */
  has(name: string): boolean {
    if (typeof name !== "string") throw ValidationError.of("name", `must be a string, got ${typeof name}`, "invalid_type");
    return this.types.has(name);
  }

  /** The type named `name`; a {@link ValidationError} at `path` when unknown. */
  get(name: string, path = "metric"): MetricTypeDefinition {
    if (typeof name !== "string") throw ValidationError.of(path, `must be a string, got ${typeof name}`, "invalid_type");
    const type = this.types.get(name);
    if (type === undefined) {
      throw ValidationError.of(path, `unknown metric type "${name}"; known: ${[...this.types.keys()].join(", ")} (register user-defined types first)`, "unknown_metric_type");
    }
    return type;
  }

  /** Throws a {@link ValidationError} when `value` is not a valid sample of `type`. */
  checkValue(type: MetricTypeDefinition, value: number, path = "value"): void {
    if (!Number.isFinite(value)) throw ValidationError.of(path, `value must be a finite number, got ${value}`, "invalid_value");
    if (type.min !== undefined && value < type.min) throw ValidationError.of(path, `${type.name} is in ${type.unit} and must be >= ${type.min}, got ${value}`, "out_of_range");
    if (type.max !== undefined && value > type.max) throw ValidationError.of(path, `${type.name} is in ${type.unit} and must be <= ${type.max}, got ${value}`, "out_of_range");
  }

  /** Every known type, built-ins first. */
  list(): MetricTypeDefinition[] {
    return [...this.types.values()];
  }
}
