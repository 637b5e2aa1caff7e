/**
 * The pricing catalog's schema: providers, regions, instance types with their capacity, and per region
 * the prices of every purchase option (on-demand, spot with its interruption bucket, reserved 1 and
 * 3 years with no / partial / all upfront, savings plans, dedicated), plus FaaS prices.
 *
 * All prices are in the catalog's currency per hour unless the field says otherwise.
 *
 * @module
 */
import { z } from "zod";

/** Cloud and edge providers a catalog can price. */
export const PROVIDERS = ["aws", "gcp", "azure", "alibaba", "edge-local"] as const;
/** A provider id. */
export type ProviderId = (typeof PROVIDERS)[number];

/**
 * Spot interruption-frequency buckets, as the AWS Spot Instance Advisor publishes them: the share of
 * instances reclaimed in a month.
 */
export const INTERRUPTION_BUCKETS = ["<5%", "5-10%", "10-15%", "15-20%", ">20%"] as const;
/** One interruption-frequency bucket. */
export type InterruptionBucket = (typeof INTERRUPTION_BUCKETS)[number];

/** Monthly interruption probability used for a bucket's expected cost: the bucket's midpoint (25 % for `>20%`). */
export const BUCKET_RATE: Readonly<Record<InterruptionBucket, number>> = Object.freeze({
  "<5%": 0.025,
  "5-10%": 0.075,
  "10-15%": 0.125,
  "15-20%": 0.175,
  ">20%": 0.25,
});

/** Upper edge of each bucket (1 for the open-ended `>20%`), for constraints such as "never above 10 %". */
export const BUCKET_UPPER: Readonly<Record<InterruptionBucket, number>> = Object.freeze({
  "<5%": 0.05,
  "5-10%": 0.1,
  "10-15%": 0.15,
  "15-20%": 0.2,
  ">20%": 1,
});

/** Every purchase option, as one flat id so plans, tables and brute-force loops can enumerate them. */
export const PURCHASE_OPTIONS = [
  "on_demand",
  "spot",
  "reserved_1y_no_upfront",
  "reserved_1y_partial_upfront",
  "reserved_1y_all_upfront",
  "reserved_3y_no_upfront",
  "reserved_3y_partial_upfront",
  "reserved_3y_all_upfront",
  "savings_plan_1y",
  "savings_plan_3y",
  "dedicated",
] as const;
/** A purchase option id. */
export type PurchaseOption = (typeof PURCHASE_OPTIONS)[number];

/** Reserved-instance upfront payment choices. */
export const UPFRONT = ["none", "partial", "all"] as const;
/** An upfront payment choice. */
export type Upfront = (typeof UPFRONT)[number];

/** Hours in a (non-leap) year; commitment terms and effective hourly rates are computed on it. */
export const HOURS_PER_YEAR = 8760;
/** Hours in an average month (8760 / 12), the unit every monthly figure uses. */
export const HOURS_PER_MONTH = HOURS_PER_YEAR / 12;

const money = z.number().finite().nonnegative();
const id = z.string().trim().min(1, "must not be empty").max(200);

/** A reserved-instance price: an upfront payment plus an hourly rate, billed every hour of the term. */
export const reservedPriceSchema = z
  .object({
    termYears: z.union([z.literal(1), z.literal(3)]),
    upfront: z.enum(UPFRONT),
    /** Paid once at purchase. */
    upfrontCost: money,
    /** Billed every hour of the term, used or not. */
    hourly: money,
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.upfront === "none" && r.upfrontCost !== 0) ctx.addIssue({ code: "custom", path: ["upfrontCost"], message: "a no-upfront reservation has upfrontCost 0" });
    if (r.upfront === "all" && r.hourly !== 0) ctx.addIssue({ code: "custom", path: ["hourly"], message: "an all-upfront reservation has hourly 0" });
    if (r.upfront === "partial" && (r.hourly === 0 || r.upfrontCost === 0)) {
      ctx.addIssue({ code: "custom", path: ["upfrontCost"], message: "a partial-upfront reservation has both an upfront cost and an hourly rate" });
    }
  });

/** One region's prices of one instance type. */
export const regionPriceSchema = z
  .object({
    region: id,
    onDemand: money,
    spot: z.object({ hourly: money, interruption: z.enum(INTERRUPTION_BUCKETS) }).strict().optional(),
    reserved: z.array(reservedPriceSchema).default([]),
    /** Savings-plan hourly rates (no upfront), billed every hour of the term. */
    savingsPlan: z
      .array(z.object({ termYears: z.union([z.literal(1), z.literal(3)]), hourly: money }).strict())
      .default([]),
    /** Dedicated (single-tenant) instance hourly rate. */
    dedicated: money.optional(),
  })
  .strict();

/** One instance type: capacity and its prices per region. */
export const instanceTypeSchema = z
  .object({
    name: id,
    provider: z.enum(PROVIDERS),
    /** Family, e.g. `m5`; spot diversification prefers types of different families. */
    family: id,
    vcpu: z.number().finite().positive(),
    memoryGb: z.number().finite().positive(),
    gpu: z.number().int().nonnegative().default(0),
    gpuModel: z.string().optional(),
    prices: z.array(regionPriceSchema).min(1, "price the type in at least one region"),
  })
  .strict();

/** Per-request FaaS pricing (AWS Lambda style: GB-seconds of memory × duration, plus per request). */
export const faasPricingSchema = z
  .object({
    /** Deployment-analysis provider name whose limits apply (src/placement/deployment.ts), e.g. `aws_lambda`. */
    service: id,
    perGbSecond: money,
    /** Price of one request (not per million). */
    perRequest: money,
    freeGbSecondsPerMonth: money.default(0),
    freeRequestsPerMonth: money.default(0),
  })
  .strict();

/** A provider: its regions, egress price and FaaS pricing. */
export const providerSchema = z
  .object({
    id: z.enum(PROVIDERS),
    name: id,
    regions: z.array(z.object({ id, name: z.string().default("") }).strict()).min(1, "give at least one region"),
    /** Internet egress per GB, the main variable cost of moving a workload away. */
    egressPerGb: money,
    faas: faasPricingSchema.optional(),
  })
  .strict();

/** A whole catalog. `label` says what the prices are (e.g. "sample prices"); `pricesAsOf` when they were taken. */
export const catalogSchema = z
  .object({
    version: z.string().regex(/^\d+\.\d+\.\d+$/, "a semantic version, e.g. 1.0.0"),
    label: id,
    /** ISO date (YYYY-MM-DD) the prices were taken from the providers' published lists. */
    pricesAsOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "an ISO date, YYYY-MM-DD"),
    currency: z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 code, e.g. USD"),
    providers: z.array(providerSchema).min(1, "give at least one provider"),
    instanceTypes: z.array(instanceTypeSchema).min(1, "give at least one instance type"),
  })
  .strict()
  .superRefine((catalog, ctx) => {
    const regions = new Map<string, Set<string>>();
    catalog.providers.forEach((p, i) => {
      if (regions.has(p.id)) ctx.addIssue({ code: "custom", path: ["providers", i, "id"], message: `provider "${p.id}" listed twice` });
      regions.set(p.id, new Set(p.regions.map((r) => r.id)));
    });
    const names = new Set<string>();
    catalog.instanceTypes.forEach((t, i) => {
      const key = `${t.provider}/${t.name}`;
      if (names.has(key)) ctx.addIssue({ code: "custom", path: ["instanceTypes", i, "name"], message: `instance type ${key} listed twice` });
      names.add(key);
      const known = regions.get(t.provider);
      if (known === undefined) {
        ctx.addIssue({ code: "custom", path: ["instanceTypes", i, "provider"], message: `provider "${t.provider}" is not in the catalog's providers` });
        return;
      }
      const priced = new Set<string>();
      t.prices.forEach((p, j) => {
        if (!known.has(p.region)) ctx.addIssue({ code: "custom", path: ["instanceTypes", i, "prices", j, "region"], message: `region "${p.region}" is not a ${t.provider} region` });
        if (priced.has(p.region)) ctx.addIssue({ code: "custom", path: ["instanceTypes", i, "prices", j, "region"], message: `region "${p.region}" priced twice` });
        priced.add(p.region);
        const seen = new Set<string>();
        p.reserved.forEach((r, k) => {
          const rk = `${r.termYears}/${r.upfront}`;
          if (seen.has(rk)) ctx.addIssue({ code: "custom", path: ["instanceTypes", i, "prices", j, "reserved", k], message: `reservation ${r.termYears}y ${r.upfront} upfront listed twice` });
          seen.add(rk);
        });
      });
    });
  });

/** A validated catalog (defaults applied). */
export type Catalog = z.output<typeof catalogSchema>;
/** A catalog as written by a user (defaults optional). */
export type CatalogInput = z.input<typeof catalogSchema>;
/** A validated instance type. */
export type InstanceType = z.output<typeof instanceTypeSchema>;
/** A validated provider entry. */
export type ProviderEntry = z.output<typeof providerSchema>;
/** FaaS prices of a provider. */
export type FaasPricing = z.output<typeof faasPricingSchema>;
/** One region's prices of one instance type. */
export type RegionPrice = z.output<typeof regionPriceSchema>;
/** An instance type as written by a user. */
export type InstanceTypeInput = z.input<typeof instanceTypeSchema>;
