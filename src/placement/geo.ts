/**
 * Distance and round-trip time between edges and users.
 *
 * The RTT model: `rttMs = baseMs + routeFactor × 2 × distanceKm / fibreKmPerMs`. Light in fibre covers
 * about 200 km per millisecond (c / 1.47); the `2 ×` makes it a round trip; `routeFactor` (default 1.5)
 * accounts for cables not following great circles and for router hops; `baseMs` (default 5) is the
 * last mile and processing. Measured RTTs, where known, replace the model (see {@link RttTable}).
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import { serviceKey, type ServiceKey } from "../core/services.js";
import { requireId, requireNumber, requireObject } from "../core/validation.js";
import type { Coordinates } from "../infra/types.js";

/** Mean Earth radius (IUGG), km. */
export const EARTH_RADIUS_KM = 6371.0088;

/** Parameters of the distance → RTT model. */
export interface RttModel {
  /** Fixed part of every RTT: last mile, queuing, processing (default 5 ms). */
  readonly baseMs: number;
  /** Speed of light in fibre (default 200 km/ms). */
  readonly fibreKmPerMs: number;
  /** How much longer real routes are than the great circle (default 1.5). */
  readonly routeFactor: number;
}

export const DEFAULT_RTT_MODEL: RttModel = Object.freeze({ baseMs: 5, fibreKmPerMs: 200, routeFactor: 1.5 });

const toRadians = Math.PI / 180;

/**
 * Great-circle distance by the haversine formula, km.
 *
 * @example
 * ```ts
 * haversineKm({ lat: 51.5074, lon: -0.1278 }, { lat: 48.8566, lon: 2.3522 }); // ≈ 343.6 (London–Paris)
 * ```
 */
export function haversineKm(a: Coordinates, b: Coordinates): number {
  // Inline check of the common case: this is called in tight loops; the helpers explain a bad point.
  if (!isCoordinates(a)) requireCoordinates(a, "a");
  if (!isCoordinates(b)) requireCoordinates(b, "b");
  return haversineChecked(a, b);
}

function isCoordinates(p: Coordinates): boolean {
  return typeof p === "object" && p !== null && typeof p.lat === "number" && p.lat >= -90 && p.lat <= 90 && typeof p.lon === "number" && p.lon >= -180 && p.lon <= 180;
}

/** Throws a `ValidationError` at `path` unless `point` has a latitude in [-90, 90] and a longitude in [-180, 180]. */
export function requireCoordinates(point: unknown, path: string): asserts point is Coordinates {
  const p = requireObject(point, path);
  requireNumber(p["lat"], `${path}.lat`, { min: -90, max: 90 });
  requireNumber(p["lon"], `${path}.lon`, { min: -180, max: 180 });
}

function requireModel(model: unknown): asserts model is RttModel {
  const m = requireObject(model, "model");
  requireNumber(m["baseMs"], "model.baseMs", { min: 0 });
  requireNumber(m["fibreKmPerMs"], "model.fibreKmPerMs", { greaterThan: 0 });
  requireNumber(m["routeFactor"], "model.routeFactor", { min: 1 });
}

function haversineChecked(a: Coordinates, b: Coordinates): number {
  const dLat = (b.lat - a.lat) * toRadians;
  const dLon = (b.lon - a.lon) * toRadians;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * toRadians) * Math.cos(b.lat * toRadians) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Modelled RTT for a great-circle distance, ms. */
export function rttForDistanceMs(distanceKm: number, model: RttModel = DEFAULT_RTT_MODEL): number {
  if (!(typeof distanceKm === "number" && distanceKm >= 0 && distanceKm < Number.POSITIVE_INFINITY)) requireNumber(distanceKm, "distanceKm", { min: 0 });
  if (model !== DEFAULT_RTT_MODEL) requireModel(model);
  return rttChecked(distanceKm, model);
}

function rttChecked(distanceKm: number, model: RttModel): number {
  return model.baseMs + (model.routeFactor * 2 * distanceKm) / model.fibreKmPerMs;
}

/** Modelled RTT between two points, ms. */
export function estimateRttMs(a: Coordinates, b: Coordinates, model: RttModel = DEFAULT_RTT_MODEL): number {
  if (model !== DEFAULT_RTT_MODEL) requireModel(model);
  return rttChecked(haversineKm(a, b), model);
}

/**
 * A point as a unit vector. The chord between two unit vectors gives the same central angle as the
 * haversine formula (`angle = 2·asin(chord / 2)`) with one `asin` and no other trigonometry per pair,
 * which is what lets placement score thousands of edges per workload quickly.
 */
export function toUnitVector(point: Coordinates): readonly [number, number, number] {
  const lat = point.lat * toRadians;
  const lon = point.lon * toRadians;
  const c = Math.cos(lat);
  return [c * Math.cos(lon), c * Math.sin(lon), Math.sin(lat)];
}

/** Great-circle distance between two unit vectors, km (equal to {@link haversineKm} of the points). */
export function chordDistanceKm(ax: number, ay: number, az: number, bx: number, by: number, bz: number): number {
  const dx = ax - bx;
  const dy = ay - by;
  const dz = az - bz;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(dx * dx + dy * dy + dz * dz) / 2));
}

/**
 * Measured RTTs from edges to named user locations; they override the model wherever present.
 *
 * @example
 * ```ts
 * const rtts = new RttTable().set("edge-eu-1", "dublin-users", 7.5);
 * ```
 */
export class RttTable {
  private readonly byEdge = new Map<string, Map<string, number>>();

  /** Records a measured RTT (ms) from `edgeId` to the user location `locationId`. */
  set(edgeId: string, locationId: string, rttMs: number): this {
    requireId(edgeId, "edgeId");
    requireId(locationId, "locationId");
    if (typeof rttMs !== "number" || !Number.isFinite(rttMs) || rttMs < 0) throw ValidationError.of("rttMs", `measured RTT must be a finite number >= 0, got ${String(rttMs)}`, "invalid_rtt");
    let row = this.byEdge.get(edgeId);
    if (row === undefined) this.byEdge.set(edgeId, (row = new Map()));
    row.set(locationId, rttMs);
    return this;
  }

  /** The measured RTT (ms) from `edgeId` to `locationId`, if any. */
  get(edgeId: string, locationId: string): number | undefined {
    requireId(edgeId, "edgeId");
    requireId(locationId, "locationId");
    return this.byEdge.get(edgeId)?.get(locationId);
  }

  /** Measurements of one edge, or `undefined` when none. */
  row(edgeId: string): ReadonlyMap<string, number> | undefined {
    requireId(edgeId, "edgeId");
    return this.byEdge.get(edgeId);
  }

  /** Number of measurements held. */
  get size(): number {
    let n = 0;
    for (const row of this.byEdge.values()) n += row.size;
    return n;
  }
}

/** Where nodes look for measured RTTs (publish an {@link RttTable} here, e.g. from monitoring). */
export const MEASURED_RTTS: ServiceKey<RttTable> = serviceKey<RttTable>("placement.rtts");
