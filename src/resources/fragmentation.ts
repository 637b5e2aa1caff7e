/**
 * Fragmentation of free capacity: how scattered it is over edges, and how much of it is stranded
 * beside an exhausted resource (free memory on an edge with no CPU left can serve nobody).
 *
 * @module
 */
import type { EdgeUsage, FragmentationReport, ResourceDefinition } from "./types.js";

/**
 * Measures fragmentation over edge usages. A resource's free amount on an edge is stranded when some
 * other resource that edge offers has less than `strandThreshold` of its limit free.
 */
export function fragmentationOf(edges: readonly EdgeUsage[], resources: readonly ResourceDefinition[], strandThreshold = 0.05): FragmentationReport {
  const perResource: Record<string, { free: number; largestFree: number; fragmentation: number; stranded: number }> = {};
  for (const r of resources) perResource[r.name] = { free: 0, largestFree: 0, fragmentation: 0, stranded: 0 };
  for (const e of edges) {
    const exhausted = resources.filter((r) => {
      const limit = e.limit[r.name] ?? 0;
      return limit > 0 && Math.max(0, e.free[r.name] ?? 0) < strandThreshold * limit;
    });
    for (const r of resources) {
      const entry = perResource[r.name];
      if (entry === undefined) continue;
      const free = Math.max(0, e.free[r.name] ?? 0);
      entry.free += free;
      entry.largestFree = Math.max(entry.largestFree, free);
      if (exhausted.some((x) => x.name !== r.name)) entry.stranded += free;
    }
  }
  let strandedSum = 0;
  let counted = 0;
  for (const entry of Object.values(perResource)) {
    entry.fragmentation = entry.free > 0 ? 1 - entry.largestFree / entry.free : 0;
    if (entry.free > 0) {
      strandedSum += entry.stranded / entry.free;
      counted++;
    }
  }
  return { perResource, strandedFraction: counted > 0 ? strandedSum / counted : 0 };
}
