/**
 * The default catalog: SAMPLE PRICES, not a quote. On-demand and FaaS rates are the providers'
 * published Linux list prices as of {@link DEFAULT_CATALOG_DATE} for the first region of each
 * provider; other regions apply the typical regional uplift noted beside each region. Commitment
 * prices are derived from on-demand with each provider's typical published discount (noted beside
 * each factor), and spot prices and interruption buckets are typical values of the AWS Spot Instance
 * Advisor and the other providers' spot pages at that date. Prices change: load your own catalog
 * ({@link loadCatalog}) for decisions that spend money.
 *
 * @module
 */
import { freeze } from "immer";
import type { CatalogInput, InstanceTypeInput, InterruptionBucket, ProviderId } from "./catalog-schema.js";

/** The date the sample prices were taken. */
export const DEFAULT_CATALOG_DATE = "2025-01-15";

interface Discounts {
  /** Fraction off on-demand for [none, partial, all] upfront; absent = not offered. */
  readonly reserved1y?: readonly [number, number, number];
  readonly reserved3y?: readonly [number, number, number];
  readonly savingsPlan1y?: number;
  readonly savingsPlan3y?: number;
  /** Dedicated premium over on-demand (0.1 = +10 %). */
  readonly dedicatedPremium?: number;
}

const DISCOUNTS: Readonly<Record<ProviderId, Discounts>> = {
  // m5.large us-east-1: 1y standard RI 0.060/0.0582/0.0573 effective vs 0.096; 3y 0.043/0.0408/0.040;
  // Compute Savings Plans about 27 % (1y) and 50 % (3y); dedicated instances about +10 %.
  aws: { reserved1y: [0.375, 0.394, 0.403], reserved3y: [0.552, 0.575, 0.583], savingsPlan1y: 0.27, savingsPlan3y: 0.5, dedicatedPremium: 0.1 },
  // Resource-based committed use discounts are paid monthly (no upfront): 37 % (1y), 55 % (3y);
  // flexible (spend-based) CUDs 28 % / 46 % play the savings plan; sole-tenant nodes about +10 %.
  gcp: { reserved1y: [0.37, 0.37, 0.37], reserved3y: [0.55, 0.55, 0.55], savingsPlan1y: 0.28, savingsPlan3y: 0.46, dedicatedPremium: 0.1 },
  // Azure reservations cost the same paid monthly or upfront: about 41 % (1y) and 62 % (3y);
  // savings plan for compute about 30 % / 52 %. Dedicated hosts are priced per host: not listed.
  azure: { reserved1y: [0.41, 0.41, 0.41], reserved3y: [0.62, 0.62, 0.62], savingsPlan1y: 0.3, savingsPlan3y: 0.52 },
  // Alibaba ECS reserved instances (no / partial / all upfront) and savings plans.
  alibaba: { reserved1y: [0.35, 0.38, 0.4], reserved3y: [0.5, 0.53, 0.55], savingsPlan1y: 0.3, savingsPlan3y: 0.48 },
  // Owned edge hardware: the hourly rate is the amortised purchase, power and space; nothing to commit.
  "edge-local": {},
};

/** [name, family, vCPU, memory GB, GPUs, on-demand $/h in the first region, spot $/h (0 = none), spot bucket]. */
type Row = readonly [string, string, number, number, number, number, number, InterruptionBucket];

const TYPES: Readonly<Record<ProviderId, readonly Row[]>> = {
  aws: [
    ["t3.micro", "t3", 2, 1, 0, 0.0104, 0.0031, "<5%"],
    ["t3.small", "t3", 2, 2, 0, 0.0208, 0.0062, "<5%"],
    ["t3.medium", "t3", 2, 4, 0, 0.0416, 0.0125, "<5%"],
    ["m5.large", "m5", 2, 8, 0, 0.096, 0.0373, "5-10%"],
    ["m5.xlarge", "m5", 4, 16, 0, 0.192, 0.0746, "5-10%"],
    ["m5.2xlarge", "m5", 8, 32, 0, 0.384, 0.1492, "10-15%"],
    ["m6i.large", "m6i", 2, 8, 0, 0.096, 0.0378, "<5%"],
    ["m6i.xlarge", "m6i", 4, 16, 0, 0.192, 0.0756, "<5%"],
    ["c5.large", "c5", 2, 4, 0, 0.085, 0.0331, "10-15%"],
    ["c5.xlarge", "c5", 4, 8, 0, 0.17, 0.0662, "10-15%"],
    ["r5.large", "r5", 2, 16, 0, 0.126, 0.0395, "<5%"],
    ["r5.xlarge", "r5", 4, 32, 0, 0.252, 0.079, "5-10%"],
    ["g4dn.xlarge", "g4dn", 4, 16, 1, 0.526, 0.1578, "15-20%"],
    ["p3.2xlarge", "p3", 8, 61, 1, 3.06, 0.918, ">20%"],
  ],
  gcp: [
    ["e2-small", "e2", 2, 2, 0, 0.016751, 0.005025, "<5%"],
    ["e2-medium", "e2", 2, 4, 0, 0.033503, 0.010051, "<5%"],
    ["e2-standard-2", "e2", 2, 8, 0, 0.067006, 0.020102, "5-10%"],
    ["e2-standard-4", "e2", 4, 16, 0, 0.134012, 0.040204, "5-10%"],
    ["n2-standard-2", "n2", 2, 8, 0, 0.097118, 0.023486, "5-10%"],
    ["n2-standard-4", "n2", 4, 16, 0, 0.194236, 0.046972, "10-15%"],
    ["c2-standard-4", "c2", 4, 16, 0, 0.2088, 0.0505, "10-15%"],
    ["n2-highmem-2", "n2", 2, 16, 0, 0.131014, 0.031684, "5-10%"],
    ["g2-standard-4", "g2", 4, 16, 1, 0.70683, 0.2233, "15-20%"],
  ],
  azure: [
    ["B1s", "B", 1, 1, 0, 0.0104, 0.0021, "<5%"],
    ["B2s", "B", 2, 4, 0, 0.0416, 0.0083, "<5%"],
    ["D2s_v5", "Dsv5", 2, 8, 0, 0.096, 0.0192, "5-10%"],
    ["D4s_v5", "Dsv5", 4, 16, 0, 0.192, 0.0384, "10-15%"],
    ["F2s_v2", "Fsv2", 2, 4, 0, 0.0846, 0.0169, "5-10%"],
    ["F4s_v2", "Fsv2", 4, 8, 0, 0.169, 0.0338, "10-15%"],
    ["E2s_v5", "Esv5", 2, 16, 0, 0.126, 0.0252, "5-10%"],
    ["NC4as_T4_v3", "NCasT4v3", 4, 28, 1, 0.526, 0.1052, "15-20%"],
  ],
  alibaba: [
    ["ecs.t6-c1m1.large", "t6", 2, 2, 0, 0.0196, 0.0039, "<5%"],
    ["ecs.c7.large", "c7", 2, 4, 0, 0.0798, 0.016, "5-10%"],
    ["ecs.g7.large", "g7", 2, 8, 0, 0.0997, 0.0199, "5-10%"],
    ["ecs.g7.xlarge", "g7", 4, 16, 0, 0.1994, 0.0399, "10-15%"],
    ["ecs.r7.large", "r7", 2, 16, 0, 0.1302, 0.026, "<5%"],
  ],
  "edge-local": [
    ["edge-small", "edge", 4, 8, 0, 0.05, 0, "<5%"],
    ["edge-large", "edge", 16, 64, 0, 0.22, 0, "<5%"],
    ["edge-gpu", "edge-gpu", 8, 32, 1, 0.3, 0, "<5%"],
  ],
};

/** Regions and the on-demand uplift over the first (e.g. m5.large: 0.096 us-east-1, 0.107 eu-west-1, 0.12 ap-southeast-1). */
const REGIONS: Readonly<Record<ProviderId, ReadonlyArray<readonly [string, string, number]>>> = {
  aws: [
    ["us-east-1", "US East (N. Virginia)", 1],
    ["eu-west-1", "Europe (Ireland)", 1.11],
    ["ap-southeast-1", "Asia Pacific (Singapore)", 1.25],
  ],
  gcp: [
    ["us-central1", "Iowa", 1],
    ["europe-west4", "Netherlands", 1.1],
    ["asia-southeast1", "Singapore", 1.23],
  ],
  azure: [
    ["eastus", "East US", 1],
    ["westeurope", "West Europe", 1.1],
  ],
  alibaba: [
    ["us-east-1", "US (Virginia)", 1],
    ["eu-central-1", "Germany (Frankfurt)", 1.05],
  ],
  "edge-local": [["local", "Own edge sites", 1]],
};

const PROVIDER_INFO: Readonly<Record<ProviderId, { name: string; egressPerGb: number; faas?: CatalogInput["providers"][number]["faas"] }>> = {
  // Lambda x86: $0.0000166667 per GB-s, $0.20 per million requests; free tier 400,000 GB-s and 1M requests a month.
  aws: { name: "Amazon Web Services", egressPerGb: 0.09, faas: { service: "aws_lambda", perGbSecond: 0.0000166667, perRequest: 0.0000002, freeGbSecondsPerMonth: 400_000, freeRequestsPerMonth: 1_000_000 } },
  // Cloud Functions 1st gen 512 MB / 800 MHz tier: $0.000000925 per 100 ms = $0.0000185 per GB-s; $0.40 per million.
  gcp: { name: "Google Cloud", egressPerGb: 0.12, faas: { service: "google_cloud_functions", perGbSecond: 0.0000185, perRequest: 0.0000004, freeGbSecondsPerMonth: 400_000, freeRequestsPerMonth: 2_000_000 } },
  // Functions consumption plan: $0.000016 per GB-s, $0.20 per million; 400,000 GB-s and 1M requests free.
  azure: { name: "Microsoft Azure", egressPerGb: 0.087, faas: { service: "azure_functions", perGbSecond: 0.000016, perRequest: 0.0000002, freeGbSecondsPerMonth: 400_000, freeRequestsPerMonth: 1_000_000 } },
  alibaba: { name: "Alibaba Cloud", egressPerGb: 0.117 },
  "edge-local": { name: "Own edge sites", egressPerGb: 0 },
};

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

function pricesFor(provider: ProviderId, row: Row): InstanceTypeInput["prices"] {
  const d = DISCOUNTS[provider];
  const [, , , , , onDemand, spot, bucket] = row;
  return REGIONS[provider].map(([region, , uplift]) => {
    const od = onDemand * uplift;
    const reserved: Array<{ termYears: 1 | 3; upfront: "none" | "partial" | "all"; upfrontCost: number; hourly: number }> = [];
    for (const [termYears, fractions] of [[1, d.reserved1y], [3, d.reserved3y]] as const) {
      if (fractions === undefined) continue;
      const termHours = termYears * 8760;
      const [none, partial, all] = fractions;
      const effNone = od * (1 - none);
      const effPartial = od * (1 - partial);
      const effAll = od * (1 - all);
      reserved.push({ termYears, upfront: "none", upfrontCost: 0, hourly: round(effNone) });
      // Partial upfront pays about half of the term's cost at purchase, the rest hourly.
      reserved.push({ termYears, upfront: "partial", upfrontCost: Math.round(effPartial * termHours * 0.5 * 100) / 100, hourly: round(effPartial * 0.5) });
      reserved.push({ termYears, upfront: "all", upfrontCost: Math.round(effAll * termHours * 100) / 100, hourly: 0 });
    }
    const savingsPlan = [
      ...(d.savingsPlan1y === undefined ? [] : [{ termYears: 1 as const, hourly: round(od * (1 - d.savingsPlan1y)) }]),
      ...(d.savingsPlan3y === undefined ? [] : [{ termYears: 3 as const, hourly: round(od * (1 - d.savingsPlan3y)) }]),
    ];
    return {
      region,
      onDemand: round(od),
      ...(spot > 0 ? { spot: { hourly: round(spot * uplift), interruption: bucket } } : {}),
      reserved,
      savingsPlan,
      ...(d.dedicatedPremium === undefined ? {} : { dedicated: round(od * (1 + d.dedicatedPremium)) }),
    };
  });
}

function buildDefaultCatalog(): CatalogInput {
  const providers = Object.keys(TYPES) as ProviderId[];
  return {
    version: "1.0.0",
    label: `sample prices (published list prices as of ${DEFAULT_CATALOG_DATE}; commitments derived at typical discounts)`,
    pricesAsOf: DEFAULT_CATALOG_DATE,
    currency: "USD",
    providers: providers.map((id) => ({
      id,
      name: PROVIDER_INFO[id].name,
      egressPerGb: PROVIDER_INFO[id].egressPerGb,
      regions: REGIONS[id].map(([rid, name]) => ({ id: rid, name })),
      ...(PROVIDER_INFO[id].faas === undefined ? {} : { faas: PROVIDER_INFO[id].faas }),
    })),
    instanceTypes: providers.flatMap((provider) =>
      TYPES[provider].map((row) => ({ name: row[0], provider, family: row[1], vcpu: row[2], memoryGb: row[3], gpu: row[4], prices: pricesFor(provider, row) })),
    ),
  };
}

/**
 * The default catalog's raw input: SAMPLE PRICES as of {@link DEFAULT_CATALOG_DATE} (see the module
 * notes). Pass it to {@link loadCatalog}, or use {@link defaultCatalog}.
 */
export const DEFAULT_CATALOG_INPUT: CatalogInput = freeze(buildDefaultCatalog(), true);
