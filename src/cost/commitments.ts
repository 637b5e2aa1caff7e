/**
 * Commitments (reservations and savings plans) sized from usage history.
 *
 * A commitment at effective rate `e` against on-demand rate `p` has discount `d = 1 − e/p`. Each
 * committed unit is billed every hour; it pays off when it is in use at least `e/p = 1 − d` of the
 * hours: the breakeven utilisation. Units are added while the next one would still be used that
 * much (on top of the strategy's floor), which is the usage percentile at level `d`: the cost-optimal
 * coverage of the newsvendor problem, `P(usage ≥ N) ≥ 1 − d`.
 *
 * @module
 */
import { z } from "zod";
import { parseWith } from "../core/validation.js";
import { HOURS_PER_MONTH, PROVIDERS } from "./catalog-schema.js";
import type { Offer, PricingCatalog } from "./catalog.js";
import { COMMITMENT_RISK } from "./candidates.js";
import { money, num, pct } from "./format.js";
import { riskLevel } from "./recommend.js";
import type { CommitmentRecommendation } from "./schemas.js";
import { STRATEGIES, STRATEGY_RULES } from "./strategies.js";

/** Usage history of one (provider, region, instance type): instances running in each hour, oldest first. */
export const usageHistorySchema = z
  .object({
    provider: z.enum(PROVIDERS),
    region: z.string().trim().min(1),
    instanceType: z.string().trim().min(1),
    /** Instances running in each hour (fractions for partial hours). */
    hourlyInstances: z.array(z.number().finite().min(0)).min(1, "give at least one hour of history").max(10 * 8760),
  })
  .strict();
/** Usage history of one group. */
export type UsageHistory = z.input<typeof usageHistorySchema>;

/** Options of {@link recommendCommitments}. */
export const commitmentOptionsSchema = z
  .object({
    strategy: z.enum(STRATEGIES).default("balance_cost_performance"),
    /** History giving full confidence: 30 days. */
    fullConfidenceHours: z.number().int().min(1).default(30 * 24),
  })
  .strict();

/** The breakeven utilisation of a commitment: `1 − discount`, i.e. `effective / on-demand`. */
export function breakevenUtilisation(onDemandHourly: number, committedHourly: number): number {
  return onDemandHourly > 0 ? committedHourly / onDemandHourly : 1;
}

/** Share of hours the `n`-th committed unit (1-based) is in use. */
export function unitUtilisation(hourly: readonly number[], n: number): number {
  let used = 0;
  for (const u of hourly) used += Math.min(1, Math.max(0, u - (n - 1)));
  return used / hourly.length;
}

/** Units to commit: the largest `n` whose last unit is used at least `floor` of the hours. */
export function commitmentSize(hourly: readonly number[], floor: number): number {
  const max = Math.ceil(hourly.reduce((m, u) => (u > m ? u : m), 0));
  let n = 0;
  while (n < max && unitUtilisation(hourly, n + 1) >= floor) n++;
  return n;
}

function sizedCost(hourly: readonly number[], n: number, od: number, e: number): number {
  let cost = 0;
  for (const u of hourly) cost += n * e + Math.max(0, u - n) * od;
  return cost;
}

/**
 * Recommends, per usage group, the commitment that saves most under the strategy (or none), sized
 * from the history as described in the module notes.
 */
export function recommendCommitments(histories: readonly UsageHistory[], catalog: PricingCatalog, options: z.input<typeof commitmentOptionsSchema> = {}): CommitmentRecommendation[] {
  const parsed = parseWith(z.array(usageHistorySchema), histories, "histories");
  const opts = parseWith(commitmentOptionsSchema, options, "options");
  const rules = STRATEGY_RULES[opts.strategy];
  const out: CommitmentRecommendation[] = [];
  parsed.forEach((group, gi) => {
    const od = catalog.requireOffer(group.provider, group.region, group.instanceType, "on_demand", `histories[${gi}]`);
    const hours = group.hourlyInstances.length;
    const scale = HOURS_PER_MONTH / hours;
    const baseline = sizedCost(group.hourlyInstances, 0, od.hourly, 0);
    const coverageConfidence = Math.min(1, hours / opts.fullConfidenceHours);
    let best: { offer: Offer; n: number; cost: number; score: number; risk: number; confidence: number } | null = null;
    for (const option of rules.options) {
      const risk = COMMITMENT_RISK[option];
      if (risk === undefined) continue;
      const offer = catalog.offer(group.provider, group.region, group.instanceType, option);
      if (offer === undefined) continue;
      const confidence = Math.min(offer.termYears === 3 ? 0.7 : 0.8, coverageConfidence);
      if (risk > rules.maxRisk || confidence < rules.minConfidence) continue;
      const floor = Math.max(breakevenUtilisation(od.hourly, offer.hourly), rules.commitmentFloor);
      const n = commitmentSize(group.hourlyInstances, floor);
      if (n === 0) continue;
      const cost = sizedCost(group.hourlyInstances, n, od.hourly, offer.hourly);
      const score = cost * (1 + rules.riskWeight * risk);
      if (cost < baseline && (best === null || score < best.score)) best = { offer, n, cost, score, risk, confidence };
    }
    if (best === null) return;
    const { offer, n, cost, risk, confidence } = best;
    const discount = 1 - offer.hourly / od.hourly;
    const breakeven = breakevenUtilisation(od.hourly, offer.hourly);
    const marginal = unitUtilisation(group.hourlyInstances, n);
    const total = group.hourlyInstances.reduce((s, u) => s + u, 0);
    const covered = group.hourlyInstances.reduce((s, u) => s + Math.min(u, n), 0);
    const current = baseline * scale;
    const proposed = cost * scale;
    if ((current - proposed) < rules.minSavingsFraction * current) return;
    out.push({
      id: `${group.provider}/${group.region}/${group.instanceType}:${offer.option}`,
      provider: group.provider,
      region: group.region,
      instanceType: group.instanceType,
      purchaseOption: offer.option,
      discount,
      breakevenUtilisation: breakeven,
      instances: n,
      marginalUtilisation: marginal,
      coverage: total > 0 ? covered / total : 0,
      currentMonthlyCost: current,
      proposedMonthlyCost: proposed,
      monthlySavings: current - proposed,
      upfrontCost: offer.upfrontCost * n,
      risk: { score: risk, level: riskLevel(risk), factors: [`commitment: ${offer.option} locks ${n} instance(s) in for ${offer.termYears} year(s) = ${risk}`] },
      confidence,
      explanation: [
        `history: ${hours} h of ${group.instanceType} usage in ${group.provider}/${group.region}, ${num(total)} instance-hours, at on-demand ${money(od.hourly)}/h = ${money(current)}/month`,
        `${offer.option}: effective ${money(offer.hourly)}/h; discount 1 − ${money(offer.hourly)}/${money(od.hourly)} = ${pct(discount)}; breakeven utilisation 1 − discount = ${pct(breakeven)}` +
          (rules.commitmentFloor > breakeven ? `, raised to the ${opts.strategy} floor of ${pct(rules.commitmentFloor)}` : ""),
        `commit ${n} instance(s): the ${n}th is in use ${pct(marginal)} of hours (≥ the threshold), the ${n + 1}th only ${pct(unitUtilisation(group.hourlyInstances, n + 1))}; coverage ${pct(total > 0 ? covered / total : 0)} of instance-hours`,
        `proposed: ${n} × ${money(offer.hourly)}/h × ${num(HOURS_PER_MONTH)} h + the rest on demand = ${money(proposed)}/month; saving ${money(current - proposed)}/month`,
      ],
    });
  });
  return out;
}
