/**
 * Edge health, computed on read from the latest samples, the thresholds in force, firing alerts and
 * staleness. Nothing is cached, so a verdict can never outlive its evidence.
 *
 * Rules: no sample at all, or every series stale → `unknown`; otherwise the worst of: an error or
 * critical threshold crossed or alert firing → `unhealthy`; a warning one, or some series stale →
 * `degraded`; else `healthy`. Info-level crossings are listed as reasons but change nothing.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import { requireId, requireNumber } from "../core/validation.js";
import { AlertManager, checkObservations, classify, type Observation } from "./alerts.js";
import { formatWithUnit } from "./metric-types.js";
import type { Alert, EdgeHealth, HealthReason, HealthStatus, Severity } from "./types.js";

const weight: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2, unknown: 3 };

function statusOf(severity: Severity): HealthStatus {
  return severity === "critical" || severity === "error" ? "unhealthy" : severity === "warning" ? "degraded" : "healthy";
}

/** Health of `edgeId` at `now` from its latest observations. */
export function edgeHealth(edgeId: string, observations: readonly Observation[], alerts: AlertManager, now: number, stalenessMs: number): EdgeHealth {
  requireId(edgeId, "edgeId", 200);
  if (!(alerts instanceof AlertManager)) throw ValidationError.of("alerts", "must be an AlertManager", "invalid_type");
  requireNumber(now, "now");
  requireNumber(stalenessMs, "stalenessMs", { min: 0 });
  // The same check the manager applies before evaluating, so both refuse the same observations.
  checkObservations(observations);
  const reasons: HealthReason[] = [];
  let status: HealthStatus = "healthy";
  const worsen = (s: HealthStatus): void => {
    if (weight[s] > weight[status]) status = s;
  };
  const lastSampleAt = observations.length === 0 ? null : Math.max(...observations.map((o) => o.timestamp));
  if (observations.length === 0) {
    const noData: HealthReason = { code: "no_data", message: `no samples recorded for edge "${edgeId}"` };
    return Object.freeze({ edgeId, status: "unknown" as const, reasons: Object.freeze([noData]), lastSampleAt, checkedAt: now });
  }
  let fresh = 0;
  for (const o of observations) {
    const age = now - o.timestamp;
    if (age > stalenessMs) {
      reasons.push({ code: "stale", metric: o.key.metric, message: `${o.key.metric} last reported ${age} ms ago (staleness limit ${stalenessMs} ms)` });
      continue;
    }
    fresh++;
    const rule = alerts.ruleFor(o.key.edgeId, o.key.metric);
    const crossed = rule === undefined ? undefined : classify(rule, o.value);
    if (crossed !== undefined && rule !== undefined) {
      const unit = alerts.unitOf(o.key.metric);
      reasons.push({
        code: "threshold",
        metric: o.key.metric,
        severity: crossed.severity,
        message: `${o.key.metric} = ${formatWithUnit(o.value, unit)} is ${rule.direction} the ${crossed.severity} threshold ${formatWithUnit(crossed.threshold, unit)}`,
      });
      worsen(statusOf(crossed.severity));
    }
  }
  if (fresh === 0) {
    return Object.freeze({ edgeId, status: "unknown", reasons, lastSampleAt, checkedAt: now });
  }
  if (fresh < observations.length) worsen("degraded");
  const firing: Alert[] = alerts.alerts({ edgeId, state: "firing" });
  for (const a of firing) {
    reasons.push({ code: "alert", metric: a.metric, severity: a.severity, message: `${a.severity} alert ${a.id} on ${a.metric} firing` });
    worsen(statusOf(a.severity));
  }
  return Object.freeze({ edgeId, status, reasons: Object.freeze(reasons), lastSampleAt, checkedAt: now });
}
