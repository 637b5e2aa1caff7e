/**
 * FaaS versus VM: what a request profile costs as functions, and the request rate above which the
 * VM it runs on now is cheaper. Whether the jobs fit the function service at all is the placement
 * engine's deployment analysis.
 *
 * A function bills `requests × (perRequest + seconds × GB × perGbSecond)`, with GB = MB / 1024 as
 * AWS Lambda bills it. A VM bills a flat monthly amount `V`, so the crossover is
 * `V / (perRequest + seconds × GB × perGbSecond)` requests a month; above it the VM is cheaper.
 * Free tiers are per account, not per workload, so they are left out unless asked for.
 *
 * @module
 */
import { analyzeDeployment, type DeploymentAnalysis } from "../placement/deployment.js";
import { HOURS_PER_MONTH, type FaasPricing } from "./catalog-schema.js";
import { money, num } from "./format.js";

/** Seconds in an average month (730 h). */
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

/** A request profile. */
export interface RequestProfile {
  readonly perMonth: number;
  readonly avgDurationMs: number;
  readonly memoryMb: number;
}

/** Cost of one request: the request fee plus its GB-seconds. */
export function costPerRequest(pricing: FaasPricing, profile: Omit<RequestProfile, "perMonth">): number {
  return pricing.perRequest + (profile.avgDurationMs / 1000) * (profile.memoryMb / 1024) * pricing.perGbSecond;
}

/** Monthly FaaS cost of a profile, with the arithmetic. */
export function faasMonthlyCost(pricing: FaasPricing, profile: RequestProfile, options: { applyFreeTier?: boolean } = {}): { cost: number; gbSeconds: number; explanation: string[] } {
  const gb = profile.memoryMb / 1024;
  const seconds = profile.avgDurationMs / 1000;
  const gbSeconds = profile.perMonth * seconds * gb;
  const free = options.applyFreeTier === true;
  const billedGbs = Math.max(0, gbSeconds - (free ? pricing.freeGbSecondsPerMonth : 0));
  const billedRequests = Math.max(0, profile.perMonth - (free ? pricing.freeRequestsPerMonth : 0));
  const cost = billedGbs * pricing.perGbSecond + billedRequests * pricing.perRequest;
  return {
    cost,
    gbSeconds,
    explanation: [
      `${pricing.service}: ${num(profile.perMonth)} requests × ${num(seconds)} s × ${num(gb)} GB = ${num(gbSeconds)} GB-s` + (free ? ` (${num(billedGbs)} billed after the free tier)` : ""),
      `${num(billedGbs)} GB-s × $${pricing.perGbSecond} + ${num(billedRequests)} requests × $${pricing.perRequest} = ${money(cost)}/month`,
    ],
  };
}

/** The request rate at which a VM costing `vmMonthlyCost` becomes cheaper than the function. */
export function crossoverRequestRate(pricing: FaasPricing, profile: Omit<RequestProfile, "perMonth">, vmMonthlyCost: number): { perMonth: number; perSecond: number; costPerRequest: number } {
  const perRequest = costPerRequest(pricing, profile);
  // A zero per-request price never crosses over: report the largest finite rate instead of Infinity.
  const perMonth = perRequest > 0 ? vmMonthlyCost / perRequest : Number.MAX_VALUE;
  return { perMonth, perSecond: perMonth / SECONDS_PER_MONTH, costPerRequest: perRequest };
}

/** Whether a workload's job fits the function service, by the placement engine's deployment analysis. */
export function fitsFaas(service: string, job: { id: string; memoryMb: number; durationSec: number; payloadMb: number; state: "none" | "external" | "local" }): DeploymentAnalysis {
  return analyzeDeployment([job], { provider: service });
}
