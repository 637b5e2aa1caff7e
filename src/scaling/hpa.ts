/**
 * {@link HpaAutoscaler}: the Kubernetes Horizontal Pod Autoscaler's replica calculation
 * (`pkg/controller/podautoscaler`), on an injected time axis.
 *
 * - Per metric, `usageRatio = metric / target`; within `tolerance` (0.1) of 1 nothing changes, else
 *   `desired = ceil(usageRatio × readyPods)`.
 * - Missing metrics: on a scale-up, pods without a metric count as 0 % of target; on a scale-down as
 *   100 % (or the target, if above 100 %). Unready pods count as 0 on a scale-up and are ignored
 *   otherwise. If that reverses the direction or lands within tolerance, nothing changes.
 * - Several metrics: the largest proposal wins.
 * - Stabilisation: the recommendation becomes the lowest over the scale-up window (default 0 s) and
 *   the highest over the scale-down window (default 300 s), relative to the current count.
 * - Behaviour policies limit the change per period (`Percent` / `Pods`), from the replica count at the
 *   start of the period; `selectPolicy` Max (default) takes the policy allowing the larger change,
 *   Min the smaller, Disabled forbids that direction. Then `[minReplicas, maxReplicas]`.
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";

const policySchema = z.object({ type: z.enum(["Percent", "Pods"]), value: z.number().int().positive(), periodSeconds: z.number().int().min(1).max(1800) });
const rulesSchema = (defaults: { window: number; policies: z.input<typeof policySchema>[] }) =>
  z
    .object({
      stabilizationWindowSeconds: z.number().int().min(0).max(3600).default(defaults.window),
      selectPolicy: z.enum(["Max", "Min", "Disabled"]).default("Max"),
      policies: z.array(policySchema).min(1).default(defaults.policies),
    })
    .default({ stabilizationWindowSeconds: defaults.window, selectPolicy: "Max", policies: defaults.policies });

const targetSchema = z.discriminatedUnion("type", [
  /** Per-pod utilisation in percent of the request. */
  z.object({ type: z.literal("Utilization"), averageUtilization: z.number().positive() }),
  /** Per-pod value (requests per second, queue length). */
  z.object({ type: z.literal("AverageValue"), averageValue: z.number().positive() }),
  /** One value for the whole target (an external or object metric). */
  z.object({ type: z.literal("Value"), value: z.number().positive() }),
]);

/** HPA settings, with Kubernetes' defaults. */
export const hpaConfigSchema = z
  .object({
    minReplicas: z.number().int().min(0).default(1),
    maxReplicas: z.number().int().min(1).default(10),
    tolerance: z.number().min(0).max(1).default(0.1),
    metrics: z.array(z.object({ name: z.string().min(1), target: targetSchema })).min(1).default([{ name: "cpu", target: { type: "Utilization", averageUtilization: 80 } }]),
    behavior: z
      .object({
        scaleUp: rulesSchema({ window: 0, policies: [{ type: "Percent", value: 100, periodSeconds: 15 }, { type: "Pods", value: 4, periodSeconds: 15 }] }),
        scaleDown: rulesSchema({ window: 300, policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] }),
      })
      .default({
        scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }, { type: "Pods", value: 4, periodSeconds: 15 }] },
        scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] },
      }),
  })
  .refine((c) => c.maxReplicas >= c.minReplicas, { message: "maxReplicas must be >= minReplicas", path: ["maxReplicas"] });

/** What a caller may pass as HPA settings. */
export type HpaConfigInput = z.input<typeof hpaConfigSchema>;
/** Resolved HPA settings. */
export type HpaConfig = z.output<typeof hpaConfigSchema>;

/** One pod's sample of a per-pod metric. `value` absent = the metric is missing for that pod. */
export interface PodSample {
  readonly ready: boolean;
  readonly value?: number;
}

/** Observations of one metric: per-pod samples, or one value for `Value` targets. */
export type MetricObservation = { readonly pods: readonly PodSample[] } | { readonly value: number };

/** One HPA evaluation. */
export interface HpaResult {
  readonly desired: number;
  /** Largest raw proposal over the metrics, before stabilisation and policies. */
  readonly proposed: number;
  /** After the stabilisation windows. */
  readonly stabilized: number;
  readonly perMetric: Readonly<Record<string, number>>;
  readonly reason: string;
}

/** Proposal for one per-pod metric, following `GetResourceReplicas`/`GetMetricReplicas`. */
export function replicasForPods(current: number, pods: readonly PodSample[], target: number, tolerance: number, fallbackUsage: number): number {
  const ready = pods.filter((p) => p.ready && p.value !== undefined);
  const unready = pods.filter((p) => !p.ready);
  const missing = pods.filter((p) => p.ready && p.value === undefined);
  if (ready.length === 0) return current; // no metrics at all: HPA keeps the count
  const sum = (xs: readonly PodSample[]): number => xs.reduce((acc, p) => acc + (p.value ?? 0), 0);
  const usageRatio = sum(ready) / ready.length / target;
  const scaleUpWithUnready = unready.length > 0 && usageRatio > 1;
  if (!scaleUpWithUnready && missing.length === 0) {
    if (Math.abs(1 - usageRatio) <= tolerance) return current;
    return Math.ceil(usageRatio * ready.length);
  }
  let total = sum(ready);
  let count = ready.length;
  if (missing.length > 0) {
    if (usageRatio < 1) total += missing.length * fallbackUsage;
    count += missing.length;
  }
  if (scaleUpWithUnready) count += unready.length;
  const newRatio = total / count / target;
  if (Math.abs(1 - newRatio) <= tolerance || (usageRatio < 1 && newRatio > 1) || (usageRatio > 1 && newRatio < 1)) return current;
  const proposal = Math.ceil(newRatio * count);
  if ((newRatio < 1 && proposal > current) || (newRatio > 1 && proposal < current)) return current;
  return proposal;
}

/**
 * @example
 * ```ts
 * const hpa = new HpaAutoscaler({ maxReplicas: 20, metrics: [{ name: "cpu", target: { type: "Utilization", averageUtilization: 60 } }] });
 * const { desired } = hpa.recommend(clock.now(), 4, { cpu: { pods: [{ ready: true, value: 90 }, ...] } });
 * ```
 */
export class HpaAutoscaler {
  readonly config: HpaConfig;
  private readonly recommendations: { time: number; replicas: number }[] = [];
  private readonly events: { time: number; change: number }[] = [];

  constructor(config: HpaConfigInput = {}) {
    this.config = parseWith(hpaConfigSchema, config, "config");
  }

  /** Computes the replica count at `now` (ms) from the current count and the metric observations. */
  recommend(now: number, currentReplicas: number, observations: Readonly<Record<string, MetricObservation>>): HpaResult {
    if (!Number.isFinite(now)) throw ValidationError.of("now", "now must be finite");
    if (!Number.isInteger(currentReplicas) || currentReplicas < 0) throw ValidationError.of("currentReplicas", `must be an integer >= 0, got ${String(currentReplicas)}`);
    const c = this.config;
    if (currentReplicas === 0 && c.minReplicas !== 0) return { desired: 0, proposed: 0, stabilized: 0, perMetric: {}, reason: "scaled to zero by someone else: autoscaling is disabled" };
    const perMetric: Record<string, number> = {};
    for (const metric of c.metrics) {
      const obs = observations[metric.name];
      if (obs === undefined) continue;
      if ("value" in obs) {
        if (metric.target.type !== "Value") throw ValidationError.of(`observations.${metric.name}`, "a per-pod target needs pod samples");
        if (!Number.isFinite(obs.value) || obs.value < 0) throw ValidationError.of(`observations.${metric.name}.value`, "value must be a finite number >= 0");
        const ratio = obs.value / metric.target.value;
        perMetric[metric.name] = Math.abs(1 - ratio) <= c.tolerance ? currentReplicas : Math.ceil(ratio * currentReplicas);
      } else {
        if (metric.target.type === "Value") throw ValidationError.of(`observations.${metric.name}`, "a Value target needs one value, not pod samples");
        obs.pods.forEach((p, i) => {
          if (p.value !== undefined && (!Number.isFinite(p.value) || p.value < 0)) throw ValidationError.of(`observations.${metric.name}.pods[${i}].value`, "must be a finite number >= 0");
        });
        const target = metric.target.type === "Utilization" ? metric.target.averageUtilization : metric.target.averageValue;
        const fallback = metric.target.type === "Utilization" ? Math.max(100, target) : target;
        perMetric[metric.name] = replicasForPods(currentReplicas, obs.pods, target, c.tolerance, fallback);
      }
    }
    const values = Object.values(perMetric);
    const proposed = values.length === 0 ? currentReplicas : Math.max(...values);
    const stabilized = this.stabilize(now, currentReplicas, proposed);
    const { desired, limit } = this.limit(now, currentReplicas, stabilized);
    if (desired !== currentReplicas) this.events.push({ time: now, change: desired - currentReplicas });
    const parts = [`proposed ${proposed}`];
    if (stabilized !== proposed) parts.push(`stabilised to ${stabilized}`);
    if (limit !== undefined) parts.push(limit);
    return { desired, proposed, stabilized, perMetric, reason: parts.join("; ") };
  }

  private stabilize(now: number, current: number, proposed: number): number {
    const { scaleUp, scaleDown } = this.config.behavior;
    let up = proposed;
    let down = proposed;
    for (const r of this.recommendations) {
      if (r.time > now - scaleUp.stabilizationWindowSeconds * 1000) up = Math.min(up, r.replicas);
      if (r.time > now - scaleDown.stabilizationWindowSeconds * 1000) down = Math.max(down, r.replicas);
    }
    const horizon = Math.max(scaleUp.stabilizationWindowSeconds, scaleDown.stabilizationWindowSeconds) * 1000;
    while (this.recommendations.length > 0 && (this.recommendations[0]?.time ?? now) <= now - horizon) this.recommendations.shift();
    this.recommendations.push({ time: now, replicas: proposed });
    let result = current;
    if (result < up) result = up;
    if (result > down) result = down;
    return result;
  }

  private changeIn(now: number, periodSeconds: number, sign: 1 | -1): number {
    let total = 0;
    for (const e of this.events) if (e.time > now - periodSeconds * 1000 && Math.sign(e.change) === sign) total += Math.abs(e.change);
    return total;
  }

  private limit(now: number, current: number, desired: number): { desired: number; limit?: string } {
    const c = this.config;
    const longest = Math.max(...[...c.behavior.scaleUp.policies, ...c.behavior.scaleDown.policies].map((p) => p.periodSeconds)) * 1000;
    while (this.events.length > 0 && (this.events[0]?.time ?? now) <= now - longest) this.events.shift();
    let out = desired;
    let note: string | undefined;
    if (desired > current) {
      const rules = c.behavior.scaleUp;
      let limit: number;
      if (rules.selectPolicy === "Disabled") limit = current;
      else {
        const proposals = rules.policies.map((p) => {
          const start = current - this.changeIn(now, p.periodSeconds, 1) + this.changeIn(now, p.periodSeconds, -1);
          return p.type === "Pods" ? start + p.value : Math.ceil(start * (1 + p.value / 100));
        });
        limit = rules.selectPolicy === "Min" ? Math.min(...proposals) : Math.max(...proposals);
      }
      if (out > limit) {
        out = limit;
        note = `scale-up limited to ${limit} by policy`;
      }
      if (out > c.maxReplicas) {
        out = c.maxReplicas;
        note = `capped at maxReplicas ${c.maxReplicas}`;
      }
    } else if (desired < current) {
      const rules = c.behavior.scaleDown;
      let limit: number;
      if (rules.selectPolicy === "Disabled") limit = current;
      else {
        const proposals = rules.policies.map((p) => {
          const start = current - this.changeIn(now, p.periodSeconds, 1) + this.changeIn(now, p.periodSeconds, -1);
          return p.type === "Pods" ? start - p.value : Math.trunc(start * (1 - p.value / 100));
        });
        // For scale-down, the largest change is the lowest count.
        limit = rules.selectPolicy === "Min" ? Math.max(...proposals) : Math.min(...proposals);
      }
      if (out < limit) {
        out = limit;
        note = `scale-down limited to ${limit} by policy`;
      }
      if (out < c.minReplicas) {
        out = c.minReplicas;
        note = `raised to minReplicas ${c.minReplicas}`;
      }
    }
    if (out > c.maxReplicas) out = c.maxReplicas;
    if (out < c.minReplicas) out = c.minReplicas;
    return note === undefined ? { desired: out } : { desired: out, limit: note };
  }
}
