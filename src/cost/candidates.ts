/**
 * The cost, risk and confidence model of one candidate configuration of a workload, shared by the
 * optimizer's indexed search and the brute-force reference so both answer the same question.
 *
 * - Cost (per month): committed offers are billed every hour of the month (`count × hourly × 730`),
 *   the others only the hours they run (`count × hourly × hoursPerMonth`, or the active hours when
 *   scaled to zero); a move adds its one-off cost spread over `amortizationMonths`.
 * - Risk (0–1) combines independent factors as `1 − Π(1 − rᵢ)`: spot `bucket midpoint × impact of the
 *   workload's tolerance` (low ×4, medium ×2, high ×1); commitment 0.1 (1 year) or 0.2 (3 years), plus
 *   0.05 partial or 0.1 all upfront; downsizing `0.05 + 0.25 × (1 − evidence)`; move 0.3; scale to
 *   zero 0.15; FaaS 0.2.
 * - Confidence (0–1) is the weakest assumption: list prices 0.95, spot prices 0.85, 1-year
 *   commitment 0.8, 3-year 0.7, downsizing the share of 14 days the usage covers, move 0.7, scale to
 *   zero and FaaS 0.8.
 *
 * @module
 */
import { BUCKET_RATE, BUCKET_UPPER, HOURS_PER_MONTH, type PurchaseOption } from "./catalog-schema.js";
import type { Offer, PricingCatalog } from "./catalog.js";
import type { StrategyRules } from "./strategies.js";
import { TOLERANCE_IMPACT, TOLERANCE_MAX_INTERRUPTION, type CostWorkload } from "./workload.js";

/** The kinds of change a recommendation can make. */
export const CHANGE_KINDS = ["spot", "commitment", "rightsizing", "faas", "scale_to_zero", "relocation"] as const;
/** A kind of change. */
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Hours of usage history right-sizing needs before it trusts the percentiles (as AWS Compute Optimizer). */
export const MIN_RIGHTSIZING_HOURS = 30;
/** The lookback right-sizing evidence is measured against. */
export const RIGHTSIZING_WINDOW_DAYS = 14;

/**
 * Risk of locking spend in, per commitment option: longer terms and more paid up front risk more.
 * Options absent here commit nothing.
 */
export const COMMITMENT_RISK: Readonly<Partial<Record<PurchaseOption, number>>> = {
  reserved_1y_no_upfront: 0.1,
  reserved_1y_partial_upfront: 0.15,
  reserved_1y_all_upfront: 0.2,
  reserved_3y_no_upfront: 0.2,
  reserved_3y_partial_upfront: 0.25,
  reserved_3y_all_upfront: 0.3,
  savings_plan_1y: 0.1,
  savings_plan_3y: 0.2,
};

/** What a search may change. The plan uses everything its strategy allows; single-kind reports narrow it. */
export interface SearchScope {
  readonly options: readonly PurchaseOption[];
  readonly typeChange: boolean;
  readonly downsize: boolean;
  readonly move: boolean;
  readonly scaleToZero: boolean;
  readonly faas: boolean;
  /** Whether candidates may keep today's purchase option (a spot report only offers spot). */
  readonly keepOption: boolean;
  /** Whether only other locations count (a relocation report). */
  readonly mustMove: boolean;
}

/** One place a workload may run, with the monthly share of the move's one-off cost. */
export interface Location {
  readonly provider: string;
  readonly region: string;
  /** `provider/region`. */
  readonly key: string;
  readonly moved: boolean;
  readonly migrationCost: number;
  readonly migrationMonthly: number;
}

/** A workload prepared for scoring: everything per-candidate work would otherwise recompute. */
export interface WorkloadContext {
  readonly workload: CostWorkload;
  readonly rules: StrategyRules;
  readonly scope: SearchScope;
  /** Purchase options a candidate may use: the scope's and the strategy's, plus the current one. */
  readonly allowed: ReadonlySet<PurchaseOption>;
  readonly current: Offer;
  readonly currentCost: number;
  readonly need: { readonly vcpu: number; readonly memoryGb: number; readonly gpu: number };
  /** Share of the 14-day window the usage covers, `null` without enough evidence to downsize. */
  readonly evidence: number | null;
  /** Worst spot bucket edge allowed (strategy ∩ tolerance). */
  readonly maxInterruption: number;
  readonly spotImpact: number;
  readonly locations: readonly Location[];
  readonly amortizationMonths: number;
}

/** Why a workload gets no recommendation at all. */
export interface Skip {
  readonly workloadId: string;
  readonly reason: string;
}

/** Monthly cost of `offer` for the workload (without any move). */
export function offerMonthlyCost(offer: Offer, count: number, hoursPerMonth: number): number {
  return count * offer.hourly * (offer.committed ? HOURS_PER_MONTH : hoursPerMonth);
}

/** Prepares a workload for scoring, or says why it cannot be optimized. */
export function prepare(workload: CostWorkload, catalog: PricingCatalog, rules: StrategyRules, scope: SearchScope, amortizationMonths: number): WorkloadContext | Skip {
  const current = catalog.requireOffer(workload.provider, workload.region, workload.instanceType, workload.purchaseOption, `workloads.${workload.id}`);
  if (current.committed) {
    return { workloadId: workload.id, reason: `already on ${current.option}: the commitment is paid whether it is used or not, so it stays until its term ends` };
  }
  const type = current.type;
  const usage = workload.usage;
  const evidence = usage !== undefined && usage.windowDays * 24 >= MIN_RIGHTSIZING_HOURS ? Math.min(1, usage.windowDays / RIGHTSIZING_WINDOW_DAYS) : null;
  const downsize = scope.downsize && rules.downsize && evidence !== null && evidence >= rules.minConfidence;
  const need =
    downsize && usage !== undefined
      ? { vcpu: ((type.vcpu * usage.cpuP995) / 100) * rules.headroom, memoryGb: ((type.memoryGb * usage.memoryP995) / 100) * rules.headroom, gpu: type.gpu }
      : { vcpu: type.vcpu, memoryGb: type.memoryGb, gpu: type.gpu };
  const locations: Location[] = scope.mustMove ? [] : [{ provider: workload.provider, region: workload.region, key: current.location, moved: false, migrationCost: 0, migrationMonthly: 0 }];
  if (scope.move && rules.relocation && workload.relocation !== undefined) {
    const egress = catalog.provider(workload.provider)?.egressPerGb ?? 0;
    const migrationCost = workload.relocation.dataGb * egress + workload.relocation.fixedCost;
    for (const loc of catalog.locations()) {
      if (loc.provider === workload.provider && loc.region === workload.region) continue;
      if (!workload.relocation.allowed.some((a) => a.provider === loc.provider && (a.region === undefined || a.region === loc.region))) continue;
      locations.push({ provider: loc.provider, region: loc.region, key: `${loc.provider}/${loc.region}`, moved: true, migrationCost, migrationMonthly: migrationCost / amortizationMonths });
    }
  }
  return {
    workload,
    rules,
    scope,
    allowed: new Set<PurchaseOption>([...scope.options.filter((o) => rules.options.includes(o)), ...(scope.keepOption ? [current.option] : [])]),
    current,
    currentCost: offerMonthlyCost(current, workload.count, workload.hoursPerMonth),
    need,
    evidence: downsize ? evidence : null,
    maxInterruption: Math.min(rules.maxInterruption, TOLERANCE_MAX_INTERRUPTION[workload.interruptionTolerance]),
    spotImpact: TOLERANCE_IMPACT[workload.interruptionTolerance],
    locations,
    amortizationMonths,
  };
}

/** Whether a prepared value is a skip. */
export function isSkip(value: WorkloadContext | Skip): value is Skip {
  return !("current" in value);
}

/**
 * Risk and confidence of an offer for the workload; `null` when the strategy or scope forbids it.
 * When `factors` is given, each risk factor's arithmetic is appended to it.
 */
export function assess(ctx: WorkloadContext, offer: Offer, location: Location, scaledToZero: boolean, factors?: string[]): { risk: number; confidence: number } | null {
  const type = offer.type;
  const cur = ctx.current.type;
  if (type.vcpu < ctx.need.vcpu || type.memoryGb < ctx.need.memoryGb || type.gpu < ctx.need.gpu) return null;
  const typeChanged = type !== cur;
  if (typeChanged && !ctx.scope.typeChange) return null;
  const downsized = type.vcpu < cur.vcpu || type.memoryGb < cur.memoryGb;
  if (downsized && ctx.evidence === null) return null;
  if (offer.location !== location.key) return null;
  let keep = 1;
  let confidence = 0.95;
  if (offer.option === "spot") {
    if (offer.interruption === null || BUCKET_UPPER[offer.interruption] > ctx.maxInterruption) return null;
    const r = Math.min(1, BUCKET_RATE[offer.interruption] * ctx.spotImpact);
    keep *= 1 - r;
    confidence = Math.min(confidence, 0.85);
    factors?.push(`spot: ${offer.interruption} bucket (midpoint ${BUCKET_RATE[offer.interruption]}) × ${ctx.spotImpact} for ${ctx.workload.interruptionTolerance} tolerance = ${r.toFixed(3)}`);
  } else if (offer.committed) {
    // Breakeven is enforced by the cost comparison; the strategy's floor asks for more use than that.
    if (ctx.workload.hoursPerMonth / HOURS_PER_MONTH < ctx.rules.commitmentFloor) return null;
    const lockIn = COMMITMENT_RISK[offer.option] ?? 0;
    keep *= 1 - lockIn;
    confidence = Math.min(confidence, offer.termYears === 3 ? 0.7 : 0.8);
    factors?.push(`commitment: ${offer.option} locks the spend in for ${offer.termYears} year(s) = ${lockIn}`);
  }
  if (downsized && ctx.evidence !== null) {
    const r = 0.05 + 0.25 * (1 - ctx.evidence);
    keep *= 1 - r;
    confidence = Math.min(confidence, ctx.evidence);
    factors?.push(`downsizing: 0.05 + 0.25 × (1 − ${ctx.evidence.toFixed(3)} of ${RIGHTSIZING_WINDOW_DAYS} days of evidence) = ${r.toFixed(3)}`);
  }
  if (location.moved) {
    keep *= 0.7;
    confidence = Math.min(confidence, 0.7);
    factors?.push("move to another provider or region = 0.3");
  }
  if (scaledToZero) {
    keep *= 0.85;
    confidence = Math.min(confidence, 0.8);
    factors?.push("scale to zero: cold starts after idle spells = 0.15");
  }
  const risk = 1 - keep;
  if (risk > ctx.rules.maxRisk || confidence < ctx.rules.minConfidence) return null;
  return { risk, confidence };
}

/** Monthly hours the workload would be billed for under `offer`. */
export function billedHours(ctx: WorkloadContext, offer: Offer, scaledToZero: boolean): number {
  if (offer.committed) return HOURS_PER_MONTH;
  const s2z = ctx.workload.scaleToZero;
  return scaledToZero && s2z !== undefined ? s2z.activeHoursPerMonth : ctx.workload.hoursPerMonth;
}

/** Whether scaling to zero may be tried for this workload. */
export function canScaleToZero(ctx: WorkloadContext): boolean {
  const s2z = ctx.workload.scaleToZero;
  return ctx.scope.scaleToZero && ctx.rules.scaleToZero && s2z !== undefined && s2z.coldStartTolerant && s2z.activeHoursPerMonth < ctx.workload.hoursPerMonth;
}

/**
 * The strategy's score of a candidate (`cost × (1 + riskWeight × risk)`), `Infinity` when it is not
 * allowed or is no cheaper than today. Never below the candidate's cost, which lets a price-ordered
 * search stop early.
 */
export function scoreOffer(ctx: WorkloadContext, offer: Offer, location: Location, scaledToZero: boolean): number {
  if (offer === ctx.current && !scaledToZero) return Infinity;
  if (!ctx.allowed.has(offer.option)) return Infinity;
  if (offer.committed && scaledToZero) return Infinity;
  const cost = ctx.workload.count * offer.hourly * billedHours(ctx, offer, scaledToZero) + location.migrationMonthly;
  if (!(cost < ctx.currentCost)) return Infinity;
  const assessed = assess(ctx, offer, location, scaledToZero);
  if (assessed === null) return Infinity;
  return cost * (1 + ctx.rules.riskWeight * assessed.risk);
}

/** The kinds of change moving from the current configuration to `offer` makes. */
export function kindsOf(ctx: WorkloadContext, offer: Offer, location: Location, scaledToZero: boolean): ChangeKind[] {
  const kinds: ChangeKind[] = [];
  if (offer.option === "spot" && ctx.current.option !== "spot") kinds.push("spot");
  if (offer.committed) kinds.push("commitment");
  const cur = ctx.current.type;
  if (location.moved ? offer.type.vcpu !== cur.vcpu || offer.type.memoryGb !== cur.memoryGb : offer.type !== cur) kinds.push("rightsizing");
  if (scaledToZero) kinds.push("scale_to_zero");
  if (location.moved) kinds.push("relocation");
  return kinds;
}
