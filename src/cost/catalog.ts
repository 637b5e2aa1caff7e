/**
 * The loaded pricing catalog: validated once, frozen, and indexed so the optimizer can ask for every
 * offer of a (provider, region) sorted by price without scanning the whole catalog.
 *
 * @module
 */
import { freeze } from "immer";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import {
  HOURS_PER_YEAR,
  PURCHASE_OPTIONS,
  catalogSchema,
  type Catalog,
  type FaasPricing,
  type InstanceType,
  type InterruptionBucket,
  type ProviderEntry,
  type ProviderId,
  type PurchaseOption,
  type RegionPrice,
} from "./catalog-schema.js";
import { DEFAULT_CATALOG_INPUT } from "./default-catalog.js";

/**
 * One purchasable thing: an instance type in a region under one purchase option.
 *
 * `hourly` is the effective rate: for reservations the hourly rate plus the upfront payment spread
 * over every hour of the term. `committed` offers are billed for every hour of the term, used or not.
 */
export interface Offer {
  readonly provider: ProviderId;
  readonly region: string;
  /** `provider/region`, the key of the offer's location. */
  readonly location: string;
  /** Dense index of the location in the catalog (see {@link PricingCatalog.locationIndex}). */
  readonly locationIndex: number;
  readonly type: InstanceType;
  readonly option: PurchaseOption;
  /** Effective cost per hour (upfront amortised over the term). */
  readonly hourly: number;
  /** Paid once at purchase (reservations with partial or all upfront); 0 otherwise. */
  readonly upfrontCost: number;
  /** Billed every hour of the term whether the instance runs or not. */
  readonly committed: boolean;
  /** Term of a commitment, years; 0 for none. */
  readonly termYears: 0 | 1 | 3;
  /** Interruption bucket of a spot offer; `null` otherwise. */
  readonly interruption: InterruptionBucket | null;
}

function offersOf(provider: ProviderId, type: InstanceType, price: RegionPrice, locationIndex: number): Offer[] {
  const base = { provider, region: price.region, location: `${provider}/${price.region}`, locationIndex, type };
  const out: Offer[] = [{ ...base, option: "on_demand", hourly: price.onDemand, upfrontCost: 0, committed: false, termYears: 0, interruption: null }];
  if (price.spot !== undefined) {
    out.push({ ...base, option: "spot", hourly: price.spot.hourly, upfrontCost: 0, committed: false, termYears: 0, interruption: price.spot.interruption });
  }
  for (const r of price.reserved) {
    const option = `reserved_${r.termYears}y_${r.upfront === "none" ? "no" : r.upfront}_upfront` as PurchaseOption;
    const hourly = r.hourly + r.upfrontCost / (r.termYears * HOURS_PER_YEAR);
    out.push({ ...base, option, hourly, upfrontCost: r.upfrontCost, committed: true, termYears: r.termYears, interruption: null });
  }
  for (const s of price.savingsPlan) {
    out.push({ ...base, option: `savings_plan_${s.termYears}y` as PurchaseOption, hourly: s.hourly, upfrontCost: 0, committed: true, termYears: s.termYears, interruption: null });
  }
  if (price.dedicated !== undefined) {
    out.push({ ...base, option: "dedicated", hourly: price.dedicated, upfrontCost: 0, committed: false, termYears: 0, interruption: null });
  }
  return out;
}

/** The key of a location, as in {@link Offer.location}. */
export const locationKey = (provider: string, region: string): string => `${provider}/${region}`;

/**
 * Offers of one location and purchase option, cheapest first, with their capacity and price in
 * typed arrays so a scan over them touches no objects until one fits.
 */
export interface OfferTable {
  readonly offers: readonly Offer[];
  readonly hourly: Float64Array;
  readonly vcpu: Float64Array;
  readonly memoryGb: Float64Array;
  readonly gpu: Float64Array;
}

const EMPTY_TABLE: OfferTable = Object.freeze({ offers: [], hourly: new Float64Array(0), vcpu: new Float64Array(0), memoryGb: new Float64Array(0), gpu: new Float64Array(0) });

function tableOf(offers: readonly Offer[]): OfferTable {
  return Object.freeze({
    offers,
    hourly: Float64Array.from(offers, (o) => o.hourly),
    vcpu: Float64Array.from(offers, (o) => o.type.vcpu),
    memoryGb: Float64Array.from(offers, (o) => o.type.memoryGb),
    gpu: Float64Array.from(offers, (o) => o.type.gpu),
  });
}
const offerKey = (provider: string, region: string, type: string, option: string): string => `${provider}/${region}/${type}/${option}`;

/**
 * A validated, frozen, indexed pricing catalog.
 *
 * @example
 * ```ts
 * const catalog = defaultCatalog(); // sample prices, dated
 * catalog.offer("aws", "us-east-1", "m5.large", "spot")?.hourly; // 0.0373
 * const mine = loadCatalog(JSON.parse(text)); // ValidationError naming every bad field
 * ```
 */
export class PricingCatalog {
  /** The validated catalog data. */
  readonly data: Catalog;
  private readonly byOffer = new Map<string, Offer>();
  private readonly byLocation = new Map<string, Map<PurchaseOption, Offer[]>>();
  private readonly tables = new Map<string, OfferTable>();
  private readonly types = new Map<string, InstanceType>();
  private readonly providers = new Map<ProviderId, ProviderEntry>();
  private readonly all: Offer[] = [];
  private readonly locationIndices = new Map<string, number>();

  private constructor(data: Catalog) {
    this.data = freeze(data, true);
    for (const p of this.data.providers) {
      this.providers.set(p.id, p);
      for (const r of p.regions) this.locationIndices.set(locationKey(p.id, r.id), this.locationIndices.size);
    }
    for (const type of this.data.instanceTypes) {
      this.types.set(`${type.provider}/${type.name}`, type);
      for (const price of type.prices) {
        for (const offer of offersOf(type.provider, type, price, this.locationIndices.get(locationKey(type.provider, price.region)) ?? -1)) {
          const frozen = Object.freeze(offer);
          this.all.push(frozen);
          this.byOffer.set(offerKey(offer.provider, offer.region, type.name, offer.option), frozen);
          const loc = locationKey(offer.provider, offer.region);
          let perOption = this.byLocation.get(loc);
          if (perOption === undefined) this.byLocation.set(loc, (perOption = new Map()));
          const list = perOption.get(offer.option) ?? [];
          list.push(frozen);
          perOption.set(offer.option, list);
        }
      }
    }
    // Sorted by effective price, ties by name, so a scan can stop at the first offer that fits.
    for (const [loc, perOption] of this.byLocation) {
      for (const [option, list] of perOption) {
        list.sort((a, b) => a.hourly - b.hourly || (a.type.name < b.type.name ? -1 : a.type.name > b.type.name ? 1 : 0));
        this.tables.set(`${loc}/${option}`, tableOf(list));
      }
    }
  }

  /** Validates `input` and builds a catalog; a {@link ValidationError} lists every problem at once. */
  static load(input: unknown): PricingCatalog {
    return new PricingCatalog(parseWith(catalogSchema, input, "catalog"));
  }

  get version(): string {
    return this.data.version;
  }

  get label(): string {
    return this.data.label;
  }

  /** Every offer in the catalog, in catalog order. */
  offers(): readonly Offer[] {
    return this.all;
  }

  /** An offer, or `undefined` when the catalog does not sell it. */
  offer(provider: string, region: string, type: string, option: PurchaseOption): Offer | undefined {
    return this.byOffer.get(offerKey(provider, region, type, option));
  }

  /** Like {@link PricingCatalog.offer}, but a {@link ValidationError} at `path` names what is missing. */
  requireOffer(provider: string, region: string, type: string, option: PurchaseOption, path = "workload"): Offer {
    const offer = this.offer(provider, region, type, option);
    if (offer !== undefined) return offer;
    if (!this.types.has(`${provider}/${type}`)) throw ValidationError.of(`${path}.instanceType`, `the catalog has no ${provider} instance type "${type}"`, "cost.unknown_instance_type");
    if (!this.byLocation.has(locationKey(provider, region))) throw ValidationError.of(`${path}.region`, `the catalog prices nothing in ${provider} region "${region}"`, "cost.unknown_region");
    throw ValidationError.of(`${path}.purchaseOption`, `the catalog does not sell ${type} in ${provider}/${region} as ${option}`, "cost.unpriced_offer");
  }

  /** Offers of one location and option, cheapest first (empty when none). */
  offersAt(provider: string, region: string, option: PurchaseOption): readonly Offer[] {
    return this.byLocation.get(locationKey(provider, region))?.get(option) ?? [];
  }

  /** Dense index of a location (`provider/region`), `-1` when unknown; there are {@link PricingCatalog.locationCount} of them. */
  locationIndex(location: string): number {
    return this.locationIndices.get(location) ?? -1;
  }

  /** Number of locations the catalog's providers list. */
  get locationCount(): number {
    return this.locationIndices.size;
  }

  /** {@link PricingCatalog.offersAt} as an {@link OfferTable}. */
  offerTable(location: string, option: PurchaseOption): OfferTable {
    return this.tables.get(`${location}/${option}`) ?? EMPTY_TABLE;
  }

  /** Every (provider, region) the catalog prices anything in. */
  locations(): Array<{ provider: ProviderId; region: string }> {
    const out: Array<{ provider: ProviderId; region: string }> = [];
    for (const p of this.data.providers) for (const r of p.regions) if (this.byLocation.has(locationKey(p.id, r.id))) out.push({ provider: p.id, region: r.id });
    return out;
  }

  /** The instance type, or `undefined`. */
  instanceType(provider: string, name: string): InstanceType | undefined {
    return this.types.get(`${provider}/${name}`);
  }

  /** The provider's catalog entry, or `undefined`. */
  provider(id: string): ProviderEntry | undefined {
    return this.providers.get(id as ProviderId);
  }

  /** The provider's FaaS prices, or `undefined` when it sells none. */
  faas(provider: string): FaasPricing | undefined {
    return this.provider(provider)?.faas;
  }

  /** Purchase options the catalog sells anywhere. */
  purchaseOptions(): PurchaseOption[] {
    const sold = new Set(this.all.map((o) => o.option));
    return PURCHASE_OPTIONS.filter((o) => sold.has(o));
  }
}

/**
 * Loads a user's catalog (the JSON form of {@link Catalog}). Throws a {@link ValidationError} naming
 * every bad field, e.g. `catalog.instanceTypes[3].prices[0].region`.
 */
export function loadCatalog(input: unknown): PricingCatalog {
  return PricingCatalog.load(input);
}

let cachedDefault: PricingCatalog | undefined;

/** The default catalog: SAMPLE PRICES, dated (see `DEFAULT_CATALOG_DATE`). Built on first use. */
export function defaultCatalog(): PricingCatalog {
  cachedDefault ??= PricingCatalog.load(DEFAULT_CATALOG_INPUT);
  return cachedDefault;
}
