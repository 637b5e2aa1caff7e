/**
 * The fleet optimizer: for every workload the strategy's best candidate (instance type, purchase
 * option, location, scale to zero, or functions), at most one recommendation per workload so the
 * plan's savings add up, plus single-kind reports (spot, right-sizing, FaaS, scale to zero, moves).
 *
 * @module
 */
import { z } from "zod";
import { CancelledError, ValidationError, type ValidationIssue } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { PURCHASE_OPTIONS, type PurchaseOption } from "./catalog-schema.js";
import type { PricingCatalog } from "./catalog.js";
import { billedHours, offerMonthlyCost, canScaleToZero, isSkip, prepare, scoreOffer, type Location, type SearchScope, type Skip, type WorkloadContext } from "./candidates.js";
import { money, pct } from "./format.js";
import { faasCandidate, faasRecommendation, searchBest, vmRecommendation, type VmWinner } from "./recommend.js";
import type { CostPlan, CostRecommendation } from "./schemas.js";
import { STRATEGIES, STRATEGY_RULES } from "./strategies.js";
import { costFleetSchema, type CostWorkload, type CostWorkloadInput } from "./workload.js";

/** Options of {@link optimize} and the single-kind reports. */
export const optimizeOptionsSchema = z
  .object({
    strategy: z.enum(STRATEGIES).default("balance_cost_performance"),
    /** Months a move's one-off cost is spread over when netting it from the savings. */
    amortizationMonths: z.number().int().min(1).max(120).default(12),
    /** Spot pools (instance types of different families) a spot recommendation spreads over. */
    spotPools: z.number().int().min(1).max(20).default(3),
    /** Subtract the function service's free tier (it is per account, so off by default). */
    applyFreeTier: z.boolean().default(false),
  })
  .strict();
/** Options as a user writes them. */
export type OptimizeOptions = z.input<typeof optimizeOptionsSchema>;
type Options = z.output<typeof optimizeOptionsSchema>;

/** Everything a plan may change. */
export const FULL_SCOPE: SearchScope = Object.freeze({ options: PURCHASE_OPTIONS, typeChange: true, downsize: true, move: true, scaleToZero: true, faas: true, keepOption: true, mustMove: false });

const CHECK_EVERY = 256;

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new CancelledError("cost optimization cancelled", { cause: signal.reason });
}

/** Validates a fleet and the options; throws one `ValidationError` listing every problem. */
export function parseFleet(workloads: readonly CostWorkloadInput[], catalog: PricingCatalog): CostWorkload[] {
  const fleet = parseWith(costFleetSchema, workloads, "workloads");
  // Unknown offers are reported before any work, every one of them.
  const issues: ValidationIssue[] = [];
  for (const w of fleet) {
    try {
      catalog.requireOffer(w.provider, w.region, w.instanceType, w.purchaseOption, `workloads.${w.id}`);
    } catch (error) {
      if (error instanceof ValidationError) issues.push(...error.issues);
      else throw error;
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return fleet;
}

function contexts(fleet: readonly CostWorkload[], catalog: PricingCatalog, options: Options, scope: SearchScope, signal: AbortSignal | undefined): Array<WorkloadContext | Skip> {
  const rules = STRATEGY_RULES[options.strategy];
  return fleet.map((w, i) => {
    if (i % CHECK_EVERY === 0) checkSignal(signal);
    return prepare(w, catalog, rules, scope, options.amortizationMonths);
  });
}

/** The chosen recommendation of one workload under a scope, or the reason there is none. */
function bestRecommendation(ctx: WorkloadContext, catalog: PricingCatalog, options: Options): CostRecommendation | string {
  const vm = searchBest(ctx, catalog);
  const faas = faasCandidate(ctx, catalog, options.applyFreeTier);
  let rec: CostRecommendation | null = null;
  if (faas !== null && (vm === null || faas.score < vm.score)) rec = faasRecommendation(ctx, faas);
  else if (vm !== null) rec = vmRecommendation(ctx, catalog, vm, options.spotPools);
  if (rec === null) return `nothing the ${ctx.rules.name} strategy allows is cheaper than ${money(ctx.currentCost)}/month`;
  const minimum = ctx.rules.minSavingsFraction * ctx.currentCost;
  if (rec.monthlySavings < minimum) {
    return `the best change saves ${money(rec.monthlySavings)}/month, under the ${ctx.rules.name} minimum of ${pct(ctx.rules.minSavingsFraction)} (${money(minimum)})`;
  }
  return rec;
}

function planOf(fleet: readonly CostWorkload[], catalog: PricingCatalog, options: Options, scope: SearchScope, signal: AbortSignal | undefined): CostPlan {
  const recommendations: CostRecommendation[] = [];
  const skipped: Skip[] = [];
  let current = 0;
  const rules = STRATEGY_RULES[options.strategy];
  for (const [i, w] of fleet.entries()) {
    if (i % CHECK_EVERY === 0) checkSignal(signal);
    const ctx = prepare(w, catalog, rules, scope, options.amortizationMonths);
    if (isSkip(ctx)) {
      const offer = catalog.requireOffer(w.provider, w.region, w.instanceType, w.purchaseOption);
      current += offerMonthlyCost(offer, w.count, w.hoursPerMonth);
      skipped.push(ctx);
      continue;
    }
    current += ctx.currentCost;
    const rec = bestRecommendation(ctx, catalog, options);
    if (typeof rec === "string") skipped.push({ workloadId: ctx.workload.id, reason: rec });
    else recommendations.push(rec);
  }
  // Savings are summed from the recommendations and the proposed cost derived from them, so the two always agree.
  const savings = recommendations.reduce((s, r) => s + r.monthlySavings, 0);
  return {
    strategy: options.strategy,
    catalogVersion: catalog.version,
    catalogLabel: catalog.label,
    workloads: fleet.length,
    currentMonthlyCost: current,
    proposedMonthlyCost: current - savings,
    monthlySavings: savings,
    recommendations,
    skipped,
    explanation: [
      `${recommendations.length} of ${fleet.length} workloads change under ${options.strategy}: ${STRATEGY_RULES[options.strategy].description}`,
      `current ${money(current)}/month − savings ${money(savings)}/month = proposed ${money(current - savings)}/month (${pct(current > 0 ? savings / current : 0)})`,
      `prices: ${catalog.label} (catalog ${catalog.version})`,
    ],
  };
}

/**
 * Optimizes a fleet under a strategy: at most one recommendation per workload, each with its monthly
 * savings, risk, confidence and arithmetic. Current cost − Σ savings = proposed cost.
 *
 * @example
 * ```ts
 * const plan = optimize(
 *   [{ id: "api", provider: "aws", region: "us-east-1", instanceType: "m5.xlarge", count: 4, interruptionTolerance: "medium",
 *      usage: { cpuP995: 30, memoryP995: 40, windowDays: 14 } }],
 *   defaultCatalog(),
 *   { strategy: "minimize_cost" },
 * );
 * plan.recommendations[0]?.explanation; // the arithmetic, line by line
 * ```
 */
export function optimize(workloads: readonly CostWorkloadInput[], catalog: PricingCatalog, options: OptimizeOptions = {}, signal?: AbortSignal): CostPlan {
  const opts = parseWith(optimizeOptionsSchema, options, "options");
  return planOf(parseFleet(workloads, catalog), catalog, opts, FULL_SCOPE, signal);
}

/** The single-kind reports. Each compares one kind of change against today's configuration. */
export type ReportKind = "spot" | "rightsizing" | "faas" | "scale_to_zero" | "relocation";

const NONE: readonly PurchaseOption[] = [];
const SCOPES: Readonly<Record<ReportKind, SearchScope>> = Object.freeze({
  spot: { options: ["spot"], typeChange: true, downsize: false, move: false, scaleToZero: false, faas: false, keepOption: false, mustMove: false },
  rightsizing: { options: NONE, typeChange: true, downsize: true, move: false, scaleToZero: false, faas: false, keepOption: true, mustMove: false },
  faas: { options: NONE, typeChange: false, downsize: false, move: false, scaleToZero: false, faas: true, keepOption: true, mustMove: false },
  scale_to_zero: { options: NONE, typeChange: false, downsize: false, move: false, scaleToZero: true, faas: false, keepOption: true, mustMove: false },
  relocation: { options: NONE, typeChange: true, downsize: false, move: true, scaleToZero: false, faas: false, keepOption: true, mustMove: true },
});

/**
 * Recommendations of one kind only (e.g. `"spot"`), each against today's configuration; a
 * workload the kind cannot help is listed in `skipped` with the reason. The recommendations are
 * alternatives to each other's kinds, so only those of one report add up.
 */
export function recommendKind(kind: ReportKind, workloads: readonly CostWorkloadInput[], catalog: PricingCatalog, options: OptimizeOptions = {}, signal?: AbortSignal): CostPlan {
  const opts = parseWith(optimizeOptionsSchema, options, "options");
  const fleet = parseFleet(workloads, catalog);
  const plan = planOf(fleet, catalog, opts, SCOPES[kind], signal);
  if (kind !== "spot") return plan;
  // A spot recommendation spreads the instances over its pools round-robin (cheapest pool first), so
  // one reclaimed pool takes only its share; the cost is that of the pools actually used.
  const recommendations = plan.recommendations.map((r) => diversify(r));
  const savings = recommendations.reduce((s, r) => s + r.monthlySavings, 0);
  return { ...plan, recommendations, monthlySavings: savings, proposedMonthlyCost: plan.currentMonthlyCost - savings };
}

function diversify(rec: CostRecommendation): CostRecommendation {
  const pools = rec.spotPools;
  if (pools.length <= 1 || rec.proposed.count <= 1) return rec;
  const count = rec.proposed.count;
  const spread = pools.map((p, i) => ({ ...p, instances: Math.floor(count / pools.length) + (i < count % pools.length ? 1 : 0) }));
  const hours = rec.proposed.hoursPerMonth;
  const cost = spread.reduce((s, p) => s + p.instances * p.hourly * hours, 0);
  if (!(cost < rec.current.monthlyCost)) return rec;
  const savings = rec.current.monthlyCost - cost;
  return {
    ...rec,
    proposed: { ...rec.proposed, monthlyCost: cost },
    monthlySavings: savings,
    savingsPercent: rec.current.monthlyCost > 0 ? (100 * savings) / rec.current.monthlyCost : 0,
    spotPools: spread,
    explanation: [
      ...rec.explanation.slice(0, -2),
      `diversified: ${spread
        .filter((p) => p.instances > 0)
        .map((p) => `${p.instances} × ${p.instanceType} (${p.interruption}) at ${money(p.hourly)}/h`)
        .join(" + ")}, × ${hours} h = ${money(cost)}/month`,
      `saving: ${money(rec.current.monthlyCost)} − ${money(cost)} = ${money(savings)}/month (${pct(rec.current.monthlyCost > 0 ? savings / rec.current.monthlyCost : 0)})`,
    ],
  };
}

/**
 * The reference answer: every (workload, offer, scale-to-zero) triple scored, no index, no early
 * stop. For tests and the benchmark; {@link optimize} must find the same savings.
 */
export function bruteForceSavings(workloads: readonly CostWorkloadInput[], catalog: PricingCatalog, options: OptimizeOptions = {}): { monthlySavings: number; evaluated: number; changed: number } {
  const opts = parseWith(optimizeOptionsSchema, options, "options");
  const fleet = parseFleet(workloads, catalog);
  const offers = catalog.offers();
  let savings = 0;
  let evaluated = 0;
  let changed = 0;
  for (const ctx of contexts(fleet, catalog, opts, FULL_SCOPE, undefined)) {
    if (isSkip(ctx)) continue;
    let best: VmWinner | null = null;
    let bestScore = ctx.currentCost;
    const byIndex = new Array<Location | undefined>(catalog.locationCount).fill(undefined);
    for (const l of ctx.locations) byIndex[catalog.locationIndex(l.key)] = l;
    const scaleToZero = canScaleToZero(ctx);
    for (const offer of offers) {
      const location = byIndex[offer.locationIndex];
      if (location !== undefined) {
        for (const scaled of [false, true]) {
          if (scaled && !scaleToZero) continue;
          evaluated++;
          const score = scoreOffer(ctx, offer, location, scaled);
          if (score < bestScore) {
            bestScore = score;
            best = { offer, location, scaledToZero: scaled, score };
          }
        }
      }
    }
    const faas = faasCandidate(ctx, catalog, opts.applyFreeTier);
    let cost: number | null = null;
    if (faas !== null && faas.score < bestScore) cost = faas.cost;
    else if (best !== null) cost = ctx.workload.count * best.offer.hourly * billedHours(ctx, best.offer, best.scaledToZero) + best.location.migrationMonthly;
    if (cost === null || ctx.currentCost - cost < ctx.rules.minSavingsFraction * ctx.currentCost) continue;
    savings += ctx.currentCost - cost;
    changed++;
  }
  return { monthlySavings: savings, evaluated, changed };
}
