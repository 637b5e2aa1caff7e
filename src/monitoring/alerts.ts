/**
 * Alerting in the manner of Prometheus: a rule's condition must hold for `forMs` before an alert goes
 * from pending to firing; it resolves when the condition clears. Notifications are de-duplicated:
 * one `firing` per severity per episode, one `resolved` per episode that notified, and a cooldown per
 * (edge, metric, severity) that holds back repeats of the same severity — never an escalation: a
 * severity above every one the episode has already notified goes out at once, even when that
 * severity's own cooldown (from an earlier episode) is still running.
 *
 * @module
 */
import { freeze } from "immer";
import { z } from "zod";
import type { TypedEmitter } from "../core/events.js";
import { ValidationError } from "../core/errors.js";
import { parseWith, requireNumber } from "../core/validation.js";
import { MetricTypeRegistry } from "./metric-types.js";
import { SEVERITIES, type Alert, type AlertNotification, type AlertRule, type Labels, type MonitoringEvents, type SeriesKey, type Severity } from "./types.js";

const thresholdsSchema = z
  .object({ info: z.number().finite(), warning: z.number().finite(), error: z.number().finite(), critical: z.number().finite() })
  .partial()
  .refine((t) => Object.keys(t).length > 0, { message: "at least one severity threshold is required" });

/** Schema of an alert rule (see {@link AlertRule}). */
export const alertRuleSchema = z
  .object({
    metric: z.string().min(1).max(200),
    direction: z.enum(["above", "below"]),
    thresholds: thresholdsSchema,
    forMs: z.number().int().min(0).default(60_000),
    cooldownMs: z.number().int().min(0).default(300_000),
    edgeId: z.string().min(1).max(200).optional(),
  })
  .superRefine((rule, ctx) => {
    // Higher severities must be further on the bad side, or classification would be ambiguous.
    let previous: number | undefined;
    for (const severity of SEVERITIES) {
      const t = rule.thresholds[severity];
      if (t === undefined) continue;
      if (previous !== undefined && (rule.direction === "above" ? t < previous : t > previous)) {
        ctx.addIssue({ code: "custom", path: ["thresholds", severity], message: `${severity} must be ${rule.direction === "above" ? ">=" : "<="} the lower severities' thresholds for direction "${rule.direction}"` });
      }
      previous = t;
    }
  });
export type AlertRuleInput = z.input<typeof alertRuleSchema>;

/** Defaults operators expect. Latency in ms; ratios in percent. */
export const DEFAULT_ALERT_RULES: readonly AlertRuleInput[] = Object.freeze([
  { metric: "latency", direction: "above", thresholds: { warning: 500, error: 1000, critical: 2000 } },
  { metric: "error_rate", direction: "above", thresholds: { warning: 5, error: 10, critical: 20 } },
  { metric: "resource_usage", direction: "above", thresholds: { warning: 70, error: 85, critical: 95 } },
  { metric: "availability", direction: "below", thresholds: { warning: 99, error: 95, critical: 90 } },
  { metric: "cache_hit_rate", direction: "below", thresholds: { warning: 70, error: 50, critical: 30 } },
]);

/** The highest severity whose threshold `value` crosses (strictly), or `undefined`. */
export function classify(rule: AlertRule, value: number): { severity: Severity; threshold: number } | undefined {
  // Rules come from setRule, already parsed; a non-finite value would silently classify as nothing.
  if (typeof value !== "number" || !Number.isFinite(value)) requireNumber(value, "value");
  if (typeof rule !== "object" || rule === null || typeof rule.thresholds !== "object" || rule.thresholds === null) parseWith(alertRuleSchema, rule, "rule");
  for (let i = SEVERITIES.length - 1; i >= 0; i--) {
    const severity = SEVERITIES[i] as Severity;
    const t = rule.thresholds[severity];
    if (t !== undefined && (rule.direction === "above" ? value > t : value < t)) return { severity, threshold: t };
  }
  return undefined;
}

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

interface Instance {
  alert: Alert;
  /** Severities notified as firing in this episode. */
  notified: Set<Severity>;
}

function labelsKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k] ?? ""}`)
    .join(",");
}

/** One observation the manager evaluates: the latest value of a series. */
export interface Observation {
  readonly key: SeriesKey;
  readonly timestamp: number;
  readonly value: number;
}

const observationSchema = z.object({
  key: z.object({ edgeId: z.string().min(1), metric: z.string().min(1), labels: z.record(z.string(), z.string()) }),
  timestamp: z.number(),
  value: z.number(),
});

/**
 * Checks observations by hand (the monitor evaluates every series each interval); zod explains a bad one.
 *
 * @internal
 */
export function checkObservations(observations: unknown): void {
  if (!Array.isArray(observations)) throw ValidationError.of("observations", "must be an array", "invalid_type");
  observations.forEach((o: unknown, i) => {
    const obs = o as Partial<Observation> | null;
    const ok =
      typeof obs === "object" && obs !== null && typeof obs.key === "object" && obs.key !== null && typeof obs.key.edgeId === "string" && typeof obs.key.metric === "string" &&
      typeof obs.key.labels === "object" && obs.key.labels !== null && typeof obs.timestamp === "number" && Number.isFinite(obs.timestamp) && typeof obs.value === "number" && Number.isFinite(obs.value);
    if (!ok) parseWith(observationSchema, o, `observations[${i}]`);
  });
}

/** Filter of {@link AlertManager.alerts}. */
export const alertFilterSchema = z.object({
  edgeId: z.string().min(1).max(200).optional(),
  state: z.enum(["pending", "firing", "resolved"]).optional(),
  includeResolved: z.boolean().optional(),
});

/** Alert rules, alert instances and their notifications; the monitoring engine evaluates it. */
export class AlertManager {
  private readonly rules = new Map<string, AlertRule>();
  private readonly active = new Map<string, Instance>();
  private readonly lastNotified = new Map<string, number>();
  private readonly resolved: Alert[] = [];
  private readonly log: AlertNotification[] = [];
  private nextId = 1;

  constructor(
    private readonly types: MetricTypeRegistry,
    private readonly events: TypedEmitter<MonitoringEvents>,
    private readonly historyLimit = 1000,
  ) {
    if (!(types instanceof MetricTypeRegistry)) throw ValidationError.of("types", "types must be a MetricTypeRegistry", "invalid_type");
    if (typeof events?.emit !== "function") throw ValidationError.of("events", "events must be a TypedEmitter", "invalid_type");
    requireNumber(historyLimit, "historyLimit", { integer: true, min: 0 });
  }

  /** The unit of a registered metric type (`undefined` for one not registered). */
  unitOf(metric: string): string | undefined {
    return this.types.has(metric) ? this.types.get(metric).unit : undefined;
  }

  /** Adds or replaces the rule for (metric, edge). Validated in full before anything changes. */
  setRule(input: AlertRuleInput): AlertRule {
    const rule = parseWith(alertRuleSchema, input, "rule");
    this.types.get(rule.metric, "rule.metric");
    const frozen = freeze({ ...rule, thresholds: { ...rule.thresholds } }, true) as AlertRule;
    this.rules.set(`${rule.metric}|${rule.edgeId ?? ""}`, frozen);
    return frozen;
  }

  /** The rule in force for a series: the edge's own, else the metric's global rule. */
  ruleFor(edgeId: string, metric: string): AlertRule | undefined {
    if (typeof edgeId !== "string") throw ValidationError.of("edgeId", `must be a string, got ${typeof edgeId}`, "invalid_type");
    if (typeof metric !== "string") throw ValidationError.of("metric", `must be a string, got ${typeof metric}`, "invalid_type");
    return this.rules.get(`${metric}|${edgeId}`) ?? this.rules.get(`${metric}|`);
  }

  /** Every rule in force. */
  listRules(): AlertRule[] {
    return [...this.rules.values()];
  }

  /**
   * Evaluates every observation at `now`. Observations older than `stalenessMs` count as absent, so
   * their alerts resolve, as Prometheus does when a series disappears.
   */
  evaluate(observations: readonly Observation[], now: number, stalenessMs: number): void {
    checkObservations(observations);
    requireNumber(now, "now");
    requireNumber(stalenessMs, "stalenessMs", { min: 0 });
    const seen = new Set<string>();
    for (const o of observations) {
      const rule = this.ruleFor(o.key.edgeId, o.key.metric);
      if (rule === undefined) continue;
      const id = `${o.key.edgeId}|${o.key.metric}|${labelsKey(o.key.labels)}`;
      const fresh = now - o.timestamp <= stalenessMs;
      const crossed = fresh ? classify(rule, o.value) : undefined;
      if (crossed !== undefined) seen.add(id);
      this.step(id, o, rule, crossed, now);
    }
    for (const [id, instance] of this.active) {
      if (!seen.has(id)) this.clear(id, instance, now);
    }
  }

  private step(id: string, o: Observation, rule: AlertRule, crossed: ReturnType<typeof classify>, now: number): void {
    const instance = this.active.get(id);
    if (crossed === undefined) {
      if (instance !== undefined) this.clear(id, instance, now);
      return;
    }
    if (instance === undefined) {
      const alert: Alert = freeze({
        id: `alert-${this.nextId++}`,
        edgeId: o.key.edgeId,
        metric: o.key.metric,
        labels: o.key.labels,
        state: "pending",
        severity: crossed.severity,
        direction: rule.direction,
        threshold: crossed.threshold,
        value: o.value,
        activeSince: now,
      });
      const created: Instance = { alert, notified: new Set() };
      this.active.set(id, created);
      this.events.emit("alert:pending", alert);
      if (rule.forMs === 0) this.fire(created, crossed.severity, now);
      return;
    }
    const previous = instance.alert;
    instance.alert = freeze({ ...previous, severity: crossed.severity, threshold: crossed.threshold, value: o.value });
    if (previous.state === "pending") {
      if (now - previous.activeSince >= rule.forMs) this.fire(instance, crossed.severity, now);
    } else {
      // Firing already: escalation fires at once (the condition has held for `forMs`), and a
      // notification held back by the cooldown goes out once the cooldown has passed.
      this.fire(instance, crossed.severity, now);
    }
  }

  private fire(instance: Instance, severity: Severity, now: number): void {
    const wasFiring = instance.alert.state === "firing";
    instance.alert = freeze({ ...instance.alert, state: "firing" as const, firedAt: wasFiring ? instance.alert.firedAt : now });
    // One notification per episode at or above a severity: no repeats, no de-escalation noise.
    for (const n of instance.notified) if (rank(n) >= rank(severity)) return;
    // Past this point the severity is above everything this episode notified: when the episode has
    // notified at all, operators were told of a lesser severity, so this is an escalation and goes out
    // whatever the cooldown of its own severity (left from an earlier episode) says.
    const escalation = instance.notified.size > 0;
    const cooldownKey = `${instance.alert.edgeId}|${instance.alert.metric}|${severity}`;
    const rule = this.ruleFor(instance.alert.edgeId, instance.alert.metric);
    const last = this.lastNotified.get(cooldownKey);
    if (!escalation && last !== undefined && rule !== undefined && now - last < rule.cooldownMs) return;
    instance.notified.add(severity);
    this.lastNotified.set(cooldownKey, now);
    this.notify({ kind: "firing", at: now, alert: instance.alert });
  }

  private clear(id: string, instance: Instance, now: number): void {
    this.active.delete(id);
    if (instance.alert.state !== "firing") return;
    const alert = freeze({ ...instance.alert, state: "resolved" as const, resolvedAt: now });
    this.resolved.push(alert);
    if (this.resolved.length > this.historyLimit) this.resolved.shift();
    // Only an episode that told someone it was firing tells them it resolved.
    if (instance.notified.size > 0) this.notify({ kind: "resolved", at: now, alert });
  }

  private notify(notification: AlertNotification): void {
    const frozen = freeze(notification);
    this.log.push(frozen);
    if (this.log.length > this.historyLimit) this.log.shift();
    this.events.emit(notification.kind === "firing" ? "alert:firing" : "alert:resolved", frozen);
  }

  /** Pending and firing alerts, plus recently resolved ones when asked. */
  alerts(filter: { edgeId?: string; state?: Alert["state"]; includeResolved?: boolean } = {}): Alert[] {
    parseWith(alertFilterSchema, filter, "filter");
    const all = [...[...this.active.values()].map((i) => i.alert), ...(filter.includeResolved === true || filter.state === "resolved" ? this.resolved : [])];
    return all.filter((a) => (filter.edgeId === undefined || a.edgeId === filter.edgeId) && (filter.state === undefined || a.state === filter.state));
  }

  /** Notifications sent, oldest first (bounded). */
  notifications(): readonly AlertNotification[] {
    return [...this.log];
  }
}
