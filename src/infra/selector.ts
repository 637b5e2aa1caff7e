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
  if (typeof labels !== "object" || labels === null) requireObject(labels, "labels");
  // Called per edge in tight loops: a cheap check of the common case, zod to explain anything else.
  if (selector !== undefined && !isWellFormedSelector(selector)) parseWith(labelSelectorSchema, selector, "selector");
  return matchesSelectorChecked(labels, selector);
}

const OPERATORS: ReadonlySet<string> = new Set(["In", "NotIn", "Exists", "DoesNotExist"]);

function isWellFormedSelector(selector: LabelSelector): boolean {
  if (typeof selector !== "object" || selector === null) return false;
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined) {
    if (typeof matchLabels !== "object" || matchLabels === null) return false;
    for (const key in matchLabels) if (key.trim() === "" || typeof matchLabels[key] !== "string") return false;
  }
  if (matchExpressions === undefined) return true;
  if (!Array.isArray(matchExpressions)) return false;
  for (const r of matchExpressions) {
    if (typeof r !== "object" || r === null || typeof r.key !== "string" || r.key.trim() === "" || !OPERATORS.has(r.operator)) return false;
    const values = r.values;
    if (values !== undefined && (!Array.isArray(values) || !values.every((v) => typeof v === "string"))) return false;
    const count = values?.length ?? 0;
    if ((r.operator === "In" || r.operator === "NotIn") !== count > 0) return false;
  }
  return true;
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
