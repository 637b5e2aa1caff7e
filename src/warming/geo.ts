/**
 * Geometry for the geographic strategy: great-circle distance and seeded k-means on coordinates.
 *
 * @module
 */
import type { Random } from "../core/random.js";

/** A point in degrees. */
export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance in km (haversine). */
export function haversineKm(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** One k-means cluster. */
export interface Cluster {
  readonly center: LatLon;
  readonly size: number;
}

/**
 * k-means (Lloyd's algorithm, k-means++ seeding from `random`) on raw lat/lon, which is adequate at
 * the scale of a metro area; deterministic for a given `random` state.
 */
export function kMeans(points: readonly LatLon[], k: number, random: Random, iterations = 20): Cluster[] {
  if (points.length === 0 || k <= 0) return [];
  const first = random.pick(points);
  const centers: LatLon[] = [first];
  const sq = (a: LatLon, b: LatLon): number => (a.lat - b.lat) ** 2 + (a.lon - b.lon) ** 2;
  while (centers.length < Math.min(k, points.length)) {
    const weights = points.map((p) => Math.min(...centers.map((c) => sq(p, c))));
    const total = weights.reduce((a, b) => a + b, 0);
    if (total === 0) break;
    let r = random.float() * total;
    let chosen = points[points.length - 1] ?? first;
    for (let i = 0; i < points.length; i++) {
      r -= weights[i] ?? 0;
      if (r <= 0) {
        chosen = points[i] ?? first;
        break;
      }
    }
    centers.push(chosen);
  }
  let assignment = new Array<number>(points.length).fill(0);
  for (let it = 0; it < iterations; it++) {
    const next = points.map((p) => {
      let best = 0;
      for (let c = 1; c < centers.length; c++) if (sq(p, centers[c] ?? p) < sq(p, centers[best] ?? p)) best = c;
      return best;
    });
    const sums = centers.map(() => ({ lat: 0, lon: 0, n: 0 }));
    next.forEach((c, i) => {
      const s = sums[c];
      const p = points[i];
      if (s !== undefined && p !== undefined) {
        s.lat += p.lat;
        s.lon += p.lon;
        s.n++;
      }
    });
    sums.forEach((s, c) => {
      if (s.n > 0) centers[c] = { lat: s.lat / s.n, lon: s.lon / s.n };
    });
    const stable = next.every((c, i) => c === assignment[i]);
    assignment = next;
    if (stable && it > 0) break;
  }
  const sizes = centers.map(() => 0);
  for (const c of assignment) sizes[c] = (sizes[c] ?? 0) + 1;
  return centers.map((center, c) => ({ center, size: sizes[c] ?? 0 })).filter((cluster) => cluster.size > 0);
}
