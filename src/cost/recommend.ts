/**
 * Turning a chosen candidate into a {@link CostRecommendation} with its arithmetic written out, and the
 * indexed search that finds each workload's best candidate.
 *
 * @module
 */
import { BUCKET_UPPER, HOURS_PER_MONTH, type FaasPricing } from "./catalog-schema.js";
import type { Offer, PricingCatalog } from "./catalog.js";
import { assess, billedHours, canScaleToZero, kindsOf, scoreOffer, type ChangeKind, type Location, type WorkloadContext } from "./candidates.js";
import { faasMonthlyCost, fitsFaas } from "./faas.js";
import { money, num, pct } from "./format.js";
import type { Configuration, CostRecommendation, SpotPool } from "./schemas.js";

/** The best VM candidate of a workload. */
export interface VmWinner {
  readonly offer: Offer;
  readonly location: Location;
  readonly scaledToZero: boolean;
  readonly score: number;
}

/**
 * The allowed candidate with the lowest score, or `null` when nothing beats the current
 * configuration. Offers are scanned cheapest first per (location, option); since a score is never
 * below its cost, a scan stops at the first offer whose cost alone reaches the best score so far,
 * which finds the same optimum as trying every offer.
 */
export function searchBest(ctx: WorkloadContext, catalog: PricingCatalog): VmWinner | null {
  let best: VmWinner | null = null;
  let bestScore = ctx.currentCost;
  const { vcpu, memoryGb, gpu } = ctx.need;
  const count = ctx.workload.count;
  const s2z = canScaleToZero(ctx);
  for (const location of ctx.locations) {
    for (const option of ctx.allowed) {
      const table = catalog.offerTable(location.key, option);
      const n = table.offers.length;
      if (n === 0) continue;
      const first = table.offers[0] as Offer;
      for (const scaled of s2z && !first.committed ? [false, true] : [false]) {
        const perHourly = count * billedHours(ctx, first, scaled);
        for (let i = 0; i < n; i++) {
          const cost = (table.hourly[i] as number) * perHourly + location.migrationMonthly;
          if (cost >= bestScore) break;
          // Capacity first, on the typed arrays: most cheaper offers are too small.
          if ((table.vcpu[i] as number) < vcpu || (table.memoryGb[i] as number) < memoryGb || (table.gpu[i] as number) < gpu) continue;
          const offer = table.offers[i] as Offer;
          const score = scoreOffer(ctx, offer, location, scaled);
          if (score < bestScore) {
            bestScore = score;
            best = { offer, location, scaledToZero: scaled, score };
          }
        }
      }
    }
  }
  return best;
}

/** The FaaS alternative of a workload, when it is allowed, fits the service and is cheaper. */
export interface FaasWinner {
  readonly pricing: FaasPricing;
  readonly cost: number;
  readonly score: number;
  readonly risk: number;
  readonly confidence: number;
  readonly explanation: string[];
}

const FAAS_RISK = 0.2;
const FAAS_CONFIDENCE = 0.8;

/** The FaaS candidate of a workload, or `null` (not allowed, no request profile, does not fit, or dearer). */
export function faasCandidate(ctx: WorkloadContext, catalog: PricingCatalog, applyFreeTier: boolean): FaasWinner | null {
  const requests = ctx.workload.requests;
  const pricing = catalog.faas(ctx.workload.provider);
  if (!ctx.scope.faas || !ctx.rules.faas || requests === undefined || pricing === undefined) return null;
  if (FAAS_RISK > ctx.rules.maxRisk || FAAS_CONFIDENCE < ctx.rules.minConfidence) return null;
  const analysis = fitsFaas(pricing.service, { id: ctx.workload.id, memoryMb: requests.memoryMb, durationSec: requests.avgDurationMs / 1000, payloadMb: requests.payloadMb, state: requests.state });
  if (analysis.recommendation !== "serverless") return null;
  const { cost, explanation } = faasMonthlyCost(pricing, requests, { applyFreeTier });
  if (!(cost < ctx.currentCost)) return null;
  return { pricing, cost, score: cost * (1 + ctx.rules.riskWeight * FAAS_RISK), risk: FAAS_RISK, confidence: FAAS_CONFIDENCE, explanation: [analysis.summary, ...explanation] };
}

/** Risk level of a score: low below 0.15, medium below 0.4, high from there. */
export function riskLevel(score: number): "low" | "medium" | "high" {
  return score < 0.15 ? "low" : score < 0.4 ? "medium" : "high";
}

function currentConfiguration(ctx: WorkloadContext): Configuration {
  const w = ctx.workload;
  return { target: "vm", provider: w.provider, region: w.region, instanceType: w.instanceType, purchaseOption: w.purchaseOption, count: w.count, hoursPerMonth: w.hoursPerMonth, monthlyCost: ctx.currentCost };
}

function currentLine(ctx: WorkloadContext): string {
  const w = ctx.workload;
  return `current: ${w.count} × ${w.instanceType} ${w.purchaseOption} in ${w.provider}/${w.region} at ${money(ctx.current.hourly)}/h × ${num(w.hoursPerMonth)} h = ${money(ctx.currentCost)}/month`;
}

function savingsLine(current: number, proposed: number): string {
  return `saving: ${money(current)} − ${money(proposed)} = ${money(current - proposed)}/month (${pct(current > 0 ? (current - proposed) / current : 0)})`;
}

/** Spot pools for a diversified fleet: the winner first, then the cheapest allowed types of other families. */
export function spotPoolsFor(ctx: WorkloadContext, catalog: PricingCatalog, winner: Offer, pools: number, location: Location): SpotPool[] {
  const chosen: Offer[] = [winner];
  const families = new Set([winner.type.family]);
  for (const offer of catalog.offersAt(winner.provider, winner.region, "spot")) {
    if (chosen.length >= pools) break;
    if (families.has(offer.type.family) || offer.interruption === null || BUCKET_UPPER[offer.interruption] > ctx.maxInterruption) continue;
    if (assess(ctx, offer, location, false) === null) continue;
    chosen.push(offer);
    families.add(offer.type.family);
  }
  return chosen.map((o, i) => ({ instanceType: o.type.name, family: o.type.family, hourly: o.hourly, interruption: o.interruption ?? "<5%", instances: i === 0 ? ctx.workload.count : 0 }));
}

function explainRightsizing(ctx: WorkloadContext, offer: Offer): string[] {
  const cur = ctx.current.type;
  const usage = ctx.workload.usage;
  const lines: string[] = [];
  if (usage !== undefined && ctx.evidence !== null) {
    const h = ctx.rules.headroom;
    lines.push(
      `right-size: p99.5 CPU ${num(usage.cpuP995)} % of ${num(cur.vcpu)} vCPU × ${num(h)} headroom = ${num(ctx.need.vcpu)} vCPU ≤ ${num(offer.type.vcpu)}; ` +
        `p99.5 memory ${num(usage.memoryP995)} % of ${num(cur.memoryGb)} GB × ${num(h)} = ${num(ctx.need.memoryGb)} GB ≤ ${num(offer.type.memoryGb)} (${num(usage.windowDays)} days of usage)`,
    );
  }
  lines.push(`instance type: ${cur.name} (${num(cur.vcpu)} vCPU, ${num(cur.memoryGb)} GB) → ${offer.type.name} (${num(offer.type.vcpu)} vCPU, ${num(offer.type.memoryGb)} GB)`);
  return lines;
}

function explainCommitment(ctx: WorkloadContext, catalog: PricingCatalog, offer: Offer): string {
  const od = catalog.offer(offer.provider, offer.region, offer.type.name, "on_demand");
  const discount = od !== undefined && od.hourly > 0 ? 1 - offer.hourly / od.hourly : 0;
  const runShare = ctx.workload.hoursPerMonth / HOURS_PER_MONTH;
  const upfront = offer.upfrontCost > 0 ? ` (incl. ${money(offer.upfrontCost)} upfront / ${offer.termYears * 8760} h)` : "";
  return (
    `commitment: ${offer.option} effective ${money(offer.hourly)}/h${upfront}, billed all ${num(HOURS_PER_MONTH)} h; discount 1 − ${money(offer.hourly)}/${money(od?.hourly ?? 0)} = ${pct(discount)}; ` +
    `breakeven utilisation 1 − discount = ${pct(1 - discount)} ≤ this workload's ${num(ctx.workload.hoursPerMonth)}/${num(HOURS_PER_MONTH)} h = ${pct(runShare)}`
  );
}

/** The recommendation for a VM winner. */
export function vmRecommendation(ctx: WorkloadContext, catalog: PricingCatalog, winner: VmWinner, spotPools: number): CostRecommendation {
  const { offer, location, scaledToZero } = winner;
  const factors: string[] = [];
  const assessed = assess(ctx, offer, location, scaledToZero, factors) ?? { risk: 1, confidence: 0 };
  const kinds: ChangeKind[] = kindsOf(ctx, offer, location, scaledToZero);
  const w = ctx.workload;
  const hours = billedHours(ctx, offer, scaledToZero);
  const compute = w.count * offer.hourly * hours;
  const proposedCost = compute + location.migrationMonthly;
  const lines = [currentLine(ctx)];
  if (kinds.includes("rightsizing")) lines.push(...explainRightsizing(ctx, offer));
  if (offer.option === "spot") lines.push(`spot: ${offer.type.name} in the ${offer.interruption ?? "?"} interruption bucket; the workload tolerates ${w.interruptionTolerance} interruption`);
  if (offer.committed) lines.push(explainCommitment(ctx, catalog, offer));
  if (scaledToZero) lines.push(`scale to zero: billed ${num(hours)} active h instead of ${num(w.hoursPerMonth)} h`);
  if (location.moved) {
    const r = w.relocation;
    const egress = catalog.provider(w.provider)?.egressPerGb ?? 0;
    lines.push(
      `move to ${location.provider}/${location.region}: ${num(r?.dataGb ?? 0)} GB × ${money(egress)}/GB + ${money(r?.fixedCost ?? 0)} = ${money(location.migrationCost)} one-off, ` +
        `/ ${ctx.amortizationMonths} months = ${money(location.migrationMonthly)}/month`,
    );
  }
  lines.push(
    `proposed: ${w.count} × ${offer.type.name} ${offer.option} in ${offer.provider}/${offer.region} at ${money(offer.hourly)}/h × ${num(hours)} h` +
      (location.moved ? ` + ${money(location.migrationMonthly)} move` : "") +
      ` = ${money(proposedCost)}/month`,
  );
  lines.push(savingsLine(ctx.currentCost, proposedCost));
  const savings = ctx.currentCost - proposedCost;
  return {
    id: `${w.id}:${kinds.join("+")}`,
    workloadId: w.id,
    ...(w.edgeId === undefined ? {} : { edgeId: w.edgeId }),
    kinds,
    current: currentConfiguration(ctx),
    proposed: { target: "vm", provider: offer.provider, region: offer.region, instanceType: offer.type.name, purchaseOption: offer.option, count: w.count, hoursPerMonth: hours, monthlyCost: proposedCost },
    monthlySavings: savings,
    savingsPercent: ctx.currentCost > 0 ? (100 * savings) / ctx.currentCost : 0,
    implementationCost: location.migrationCost,
    upfrontCost: offer.upfrontCost * w.count,
    amortizationMonths: location.moved ? ctx.amortizationMonths : 0,
    risk: { score: assessed.risk, level: riskLevel(assessed.risk), factors },
    confidence: assessed.confidence,
    explanation: lines,
    spotPools: offer.option === "spot" ? spotPoolsFor(ctx, catalog, offer, spotPools, location) : [],
  };
}

/** The recommendation for a FaaS winner. */
export function faasRecommendation(ctx: WorkloadContext, faas: FaasWinner): CostRecommendation {
  const w = ctx.workload;
  const savings = ctx.currentCost - faas.cost;
  return {
    id: `${w.id}:faas`,
    workloadId: w.id,
    ...(w.edgeId === undefined ? {} : { edgeId: w.edgeId }),
    kinds: ["faas"],
    current: currentConfiguration(ctx),
    proposed: { target: "faas", provider: w.provider, region: w.region, instanceType: faas.pricing.service, purchaseOption: "faas", count: 0, hoursPerMonth: 0, monthlyCost: faas.cost },
    monthlySavings: savings,
    savingsPercent: ctx.currentCost > 0 ? (100 * savings) / ctx.currentCost : 0,
    implementationCost: 0,
    upfrontCost: 0,
    amortizationMonths: 0,
    risk: { score: faas.risk, level: riskLevel(faas.risk), factors: [`functions: cold starts and a bill that follows traffic = ${faas.risk}`] },
    confidence: faas.confidence,
    explanation: [currentLine(ctx), ...faas.explanation, savingsLine(ctx.currentCost, faas.cost)],
    spotPools: [],
  };
}
