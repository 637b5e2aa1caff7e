/**
 * Kubernetes-style label selectors and the edge query predicate built on them.
 *
 * @module
 */
import { parseWith, requireObject } from "../core/validation.js";
import { edgeQuerySchema, labelSelectorSchema } from "./schemas.js";
import type { EdgeQuery, EdgeRecord, LabelSelector } from "./types.js";

/**
 * Whether `labels` satisfy every `matchLabels` pair and every `matchExpressions` requirement.
 * Throws a `ValidationError` for a malformed selector (an `In` without values, say) or labels.
 */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: LabelSelector | undefined): boolean {
  requireObject(labels, "labels");
  if (selector !== undefined) parseWith(labelSelectorSchema, selector, "selector");
  return matchesSelectorChecked(labels, selector);
}

function matchesSelectorChecked(labels: Readonly<Record<string, string>>, selector: LabelSelector | undefined): boolean {
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

/** Whether `edge` satisfies every criterion of `query`. Throws a `ValidationError` for a malformed query or edge. */
export function matchesQuery(edge: EdgeRecord, query: EdgeQuery): boolean {
  const e = requireObject(edge, "edge");
  if (typeof e["region"] !== "string" || !Array.isArray(e["capabilities"]) || !Array.isArray(e["complianceZones"]) || typeof e["labels"] !== "object" || e["labels"] === null) {
    requireObject(null, "edge");
  }
  return matchesQueryChecked(edge, parseWith(edgeQuerySchema, query, "query"));
}

/**
 * {@link matchesQuery} for a query already parsed by `edgeQuerySchema` and an edge from the registry.
 *
 * @internal
 */
export function matchesQueryChecked(edge: EdgeRecord, query: EdgeQuery): boolean {
  if (query.regions !== undefined && !query.regions.includes(edge.region)) return false;
  if (query.health !== undefined && !query.health.includes(edge.health)) return false;
  if (query.lifecycleStates !== undefined && !query.lifecycleStates.includes(edge.lifecycleState)) return false;
  if (query.capabilities !== undefined && !query.capabilities.every((c) => edge.capabilities.includes(c))) return false;
  if (query.complianceZones !== undefined && !query.complianceZones.some((z) => edge.complianceZones.includes(z))) return false;
  return matchesSelectorChecked(edge.labels, query.selector);
}
