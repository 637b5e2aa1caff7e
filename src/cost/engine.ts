/**
 * The cost engine: one catalog and one ledger behind the operations the `ResourceOptimizer` node
 * offers. Nodes reach it through {@link costKey}.
 *
 * @module
 */
import { serviceKey } from "../core/services.js";
import type { Forecaster } from "../forecast/types.js";
import type { MetricStore } from "../monitoring/store.js";
import { defaultCatalog, loadCatalog, type PricingCatalog } from "./catalog.js";
import { recommendCommitments, type UsageHistory, type commitmentOptionsSchema } from "./commitments.js";
import { CostLedger } from "./ledger.js";
import type { CostAllocation, CostAllocationQuery, CostRecordInput } from "./ledger-schema.js";
import { optimize, recommendKind, type OptimizeOptions, type ReportKind } from "./optimizer.js";
import { calculateRoi, roiOfRecommendations, type RoiInput } from "./roi.js";
import type { CommitmentRecommendation, CostPlan, CostRecommendation, Roi } from "./schemas.js";
import { forecastSpend, type SpendForecast, type SpendForecastInput } from "./spend-forecast.js";
import { withMonitoredUsage, type UsageQuery } from "./usage.js";
import type { CostWorkloadInput } from "./workload.js";
import type { z } from "zod";

/** Where nodes find the engine in the infrastructure registry. */
export const costKey = serviceKey<CostEngine>("edgeflow.cost");

/**
 * @example
 * ```ts
 * const cost = new CostEngine(); // default catalog: sample prices
 * cost.record([{ kind: "asset", id: "n1", edgeId: "edge-west-1", provider: "aws", region: "us-east-1", instanceType: "m5.large", start: 0, end: 3_600_000 }]);
 * const plan = cost.optimize(workloads, { strategy: "risk_averse" });
 * ```
 */
export class CostEngine {
  private catalogValue: PricingCatalog;
  private readonly ledgerValue: CostLedger;

  constructor(options: { catalog?: PricingCatalog } = {}) {
    this.catalogValue = options.catalog ?? defaultCatalog();
    this.ledgerValue = new CostLedger(this.catalogValue);
  }

  get catalog(): PricingCatalog {
    return this.catalogValue;
  }

  get ledger(): CostLedger {
    return this.ledgerValue;
  }

  /**
   * Replaces the catalog with a user's (validated first: on error nothing changes). The ledger keeps
   * its records; their costs were fixed when recorded.
   */
  useCatalog(input: unknown): PricingCatalog {
    const catalog = loadCatalog(input);
    this.catalogValue = catalog;
    this.ledgerValue.useCatalog(catalog);
    return catalog;
  }

  /** Records assets, usage and shared costs (atomically). */
  record(records: readonly CostRecordInput[]): { assets: number; usage: number; shared: number } {
    return this.ledgerValue.record(records);
  }

  /** OpenCost-style allocation of a window. */
  allocate(query: CostAllocationQuery = {}): CostAllocation {
    return this.ledgerValue.allocate(query);
  }

  /** The strategy's plan for a fleet. Usage missing from a workload is taken from `monitoring` for its edge. */
  optimize(workloads: readonly CostWorkloadInput[], options: OptimizeOptions = {}, monitoring?: MonitoredUsage, signal?: AbortSignal): CostPlan {
    return optimize(this.withUsage(workloads, monitoring), this.catalogValue, options, signal);
  }

  /** One kind of recommendation (spot, rightsizing, faas, scale_to_zero, relocation). */
  report(kind: ReportKind, workloads: readonly CostWorkloadInput[], options: OptimizeOptions = {}, monitoring?: MonitoredUsage, signal?: AbortSignal): CostPlan {
    return recommendKind(kind, this.withUsage(workloads, monitoring), this.catalogValue, options, signal);
  }

  /** Commitments sized from usage histories (e.g. `ledger.usageHistory(from, to)`). */
  commitments(histories: readonly UsageHistory[], options: z.input<typeof commitmentOptionsSchema> = {}): CommitmentRecommendation[] {
    return recommendCommitments(histories, this.catalogValue, options);
  }

  /** ROI of explicit figures or of recommendations taken together. */
  roi(input: RoiInput | { recommendations: readonly CostRecommendation[]; horizonMonths?: number; discountRate?: number }): Roi {
    if ("recommendations" in input) {
      const { recommendations, ...rest } = input;
      return roiOfRecommendations(recommendations, rest);
    }
    return calculateRoi(input);
  }

  /** Spend forecast with optimizations applied once. */
  forecast(input: SpendForecastInput, forecaster?: Forecaster, signal?: AbortSignal): Promise<SpendForecast> {
    return forecastSpend(input, forecaster, signal);
  }

  private withUsage(workloads: readonly CostWorkloadInput[], monitoring: MonitoredUsage | undefined): readonly CostWorkloadInput[] {
    return monitoring === undefined ? workloads : withMonitoredUsage(workloads, monitoring.store, monitoring.now, monitoring.query);
  }
}

/** Where right-sizing reads usage: a metric store, the time the 14-day window ends, and the series' names. */
export interface MonitoredUsage {
  readonly store: MetricStore;
  readonly now: number;
  readonly query?: Omit<UsageQuery, "edgeId">;
}
