/**
 * Kubernetes-style label selectors and the edge query predicate built on them.
 *
 * @module
 */
import type { EdgeQuery, EdgeRecord, LabelSelector } from "./types.js";

/** Whether `labels` satisfy every `matchLabels` pair and every `matchExpressions` requirement. */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: LabelSelector | undefined): boolean {
  if (selector === undefined) return true;
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined) {
    for (const key in matchLabels) {
      if (labels[key] !== matchLabels[key]) return false;
    }
  }
  if (matchExpressions !== undefined) {
    for (const requirement of matchExpressions) {
      const has = Object.hasOwn(labels, requirement.key);
      const value = labels[requirement.key];
      switch (requirement.operator) {
        case "Exists":
          if (!has) return false;
          break;
        case "DoesNotExist":
          if (has) return false;
          break;
        case "In":
          if (!has || !(requirement.values ?? []).includes(value as string)) return false;
          break;
        case "NotIn":
          // As in Kubernetes, a missing label satisfies NotIn.
          if (has && (requirement.values ?? []).includes(value as string)) return false;
          break;
      }
    }
  }
  return true;
}

/** Whether `edge` satisfies every criterion of `query`. */
export function matchesQuery(edge: EdgeRecord, query: EdgeQuery): boolean {
  if (query.regions !== undefined && !query.regions.includes(edge.region)) return false;
  if (query.health !== undefined && !query.health.includes(edge.health)) return false;
  if (query.lifecycleStates !== undefined && !query.lifecycleStates.includes(edge.lifecycleState)) return false;
  if (query.capabilities !== undefined && !query.capabilities.every((c) => edge.capabilities.includes(c))) return false;
  if (query.complianceZones !== undefined && !query.complianceZones.some((z) => edge.complianceZones.includes(z))) return false;
  return matchesSelector(edge.labels, query.selector);
}
