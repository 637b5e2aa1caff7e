/**
 * Dominant Resource Fairness by progressive filling (Ghodsi et al., "Dominant Resource Fairness: Fair
 * Allocation of Multiple Resource Types", NSDI 2011), in its discrete form: users run whole tasks, and
 * the user with the lowest dominant share launches the next one until every user is blocked.
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { resourceVectorSchema } from "./schemas.js";
import type { ResourceVector } from "./types.js";

/** One user's demand: the resources of one task, and how many tasks it wants at most. */
export interface DrfDemand {
  readonly requester: string;
  readonly perTask: ResourceVector;
  /** Default: unbounded (as many as fit). */
  readonly maxTasks?: number;
}

/** DRF's answer. */
export interface DrfAllocation {
  readonly tasks: Readonly<Record<string, number>>;
  readonly dominantShares: Readonly<Record<string, number>>;
  /** What is left of the capacity. */
  readonly free: ResourceVector;
}

const demandSchema = z.object({
  requester: z.string().min(1),
  perTask: resourceVectorSchema.refine((v) => Object.values(v).some((a) => a > 0), "a task must need some resource"),
  maxTasks: z.number().int().min(0).optional(),
});

/**
 * Runs DRF progressive filling over `capacity`.
 *
 * @example
 * ```ts
 * // The paper's example: 9 CPUs, 18 GB; A's tasks need <1 CPU, 4 GB>, B's <3 CPU, 1 GB>.
 * drfAllocate({ cpu: 9, mem: 18 }, [
 *   { requester: "A", perTask: { cpu: 1, mem: 4 } },
 *   { requester: "B", perTask: { cpu: 3, mem: 1 } },
 * ]).tasks; // { A: 3, B: 2 }
 * ```
 */
export function drfAllocate(capacity: ResourceVector, demands: readonly DrfDemand[]): DrfAllocation {
  const cap = parseWith(resourceVectorSchema, capacity, "capacity");
  const parsed = parseWith(z.array(demandSchema), demands, "demands");
  const names = new Set<string>();
  parsed.forEach((d, i) => {
    if (names.has(d.requester)) throw ValidationError.of(`demands[${i}].requester`, `requester "${d.requester}" is listed twice`);
    names.add(d.requester);
  });
  const free: Record<string, number> = { ...cap };
  const tasks = parsed.map(() => 0);
  const consumed = parsed.map(() => ({}) as Record<string, number>);
  const blocked = parsed.map((d) => d.maxTasks === 0);
  const share = (i: number): number => {
    let s = 0;
    for (const [k, a] of Object.entries(consumed[i] ?? {})) if ((cap[k] ?? 0) > 0) s = Math.max(s, a / (cap[k] ?? 1));
    return s;
  };
  for (;;) {
    let next = -1;
    for (let i = 0; i < parsed.length; i++) if (!blocked[i] && (next < 0 || share(i) < share(next))) next = i;
    if (next < 0) break;
    const demand = parsed[next];
    if (demand === undefined) break;
    const fits = Object.entries(demand.perTask).every(([k, a]) => a <= (free[k] ?? 0));
    if (!fits) {
      blocked[next] = true;
      continue;
    }
    const mine = consumed[next] ?? {};
    for (const [k, a] of Object.entries(demand.perTask)) {
      free[k] = (free[k] ?? 0) - a;
      mine[k] = (mine[k] ?? 0) + a;
    }
    tasks[next] = (tasks[next] ?? 0) + 1;
    if (demand.maxTasks !== undefined && (tasks[next] ?? 0) >= demand.maxTasks) blocked[next] = true;
  }
  const out: Record<string, number> = {};
  const shares: Record<string, number> = {};
  parsed.forEach((d, i) => {
    out[d.requester] = tasks[i] ?? 0;
    shares[d.requester] = share(i);
  });
  return { tasks: out, dominantShares: shares, free };
}
