/** A fast-check generated fault schedule for the Raft simulations. */
import fc from "fast-check";

export type NemesisAction =
  | { readonly kind: "none" }
  | { readonly kind: "heal" }
  | { readonly kind: "halves"; readonly order: readonly number[]; readonly cut: number }
  | { readonly kind: "majority_ring" }
  | { readonly kind: "bridge"; readonly order: readonly number[] }
  | { readonly kind: "one_way"; readonly from: number; readonly to: number }
  | { readonly kind: "isolate"; readonly node: number }
  | { readonly kind: "faults"; readonly loss: number; readonly duplicate: number; readonly reorder: number; readonly maxLatencyMs: number }
  | { readonly kind: "crash"; readonly node: number; readonly keepUnsynced: boolean; readonly downMs: number }
  | { readonly kind: "pause"; readonly node: number; readonly ms: number };

export interface NemesisStep {
  readonly durationMs: number;
  readonly action: NemesisAction;
}

export function nemesisArbitrary(nodes: number): fc.Arbitrary<NemesisStep[]> {
  const node = fc.integer({ min: 0, max: nodes - 1 });
  // -1 targets whichever member leads when the step starts: leaders are where the hard cases are.
  const target = fc.oneof(fc.constant(-1), node);
  const order = fc.shuffledSubarray(
    Array.from({ length: nodes }, (_, i) => i),
    { minLength: nodes, maxLength: nodes },
  );
  const action: fc.Arbitrary<NemesisAction> = fc.oneof(
    { arbitrary: fc.constant({ kind: "none" as const }), weight: 2 },
    { arbitrary: fc.constant({ kind: "heal" as const }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant("halves" as const), order, cut: fc.integer({ min: 1, max: nodes - 1 }) }), weight: 2 },
    { arbitrary: fc.constant({ kind: "majority_ring" as const }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant("bridge" as const), order }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant("one_way" as const), from: node, to: node }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant("isolate" as const), node: target }), weight: 1 },
    {
      arbitrary: fc.record({
        kind: fc.constant("faults" as const),
        loss: fc.constantFrom(0, 0.01, 0.05, 0.2),
        duplicate: fc.constantFrom(0, 0.02, 0.1),
        reorder: fc.constantFrom(0, 0.05, 0.2),
        maxLatencyMs: fc.constantFrom(2, 10, 50),
      }),
      weight: 2,
    },
    { arbitrary: fc.record({ kind: fc.constant("crash" as const), node: target, keepUnsynced: fc.boolean(), downMs: fc.integer({ min: 0, max: 600 }) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("pause" as const), node: target, ms: fc.integer({ min: 20, max: 600 }) }), weight: 1 },
  );
  return fc.array(fc.record({ durationMs: fc.integer({ min: 20, max: 500 }), action }), { minLength: 4, maxLength: 24 }).map((steps) => withMajorityWindows(steps));
}

/** Longest a member stays down or paused: the longest `crash.downMs` and `pause.ms` above. */
export const MAX_OUTAGE_MS = 600;
/** A heal long enough for every member to come back and elect a leader (a few election timeouts). */
export const MAJORITY_WINDOW_MS = MAX_OUTAGE_MS + 400;
/** At most this many fault steps in a row before a majority window. */
export const FAULT_STEPS_BETWEEN_WINDOWS = 3;

/**
 * Inserts a heal of {@link MAJORITY_WINDOW_MS} after every few steps (and closes the cycle with one),
 * so no schedule keeps the cluster without a majority for long: operations keep completing, and a
 * history stays decidable instead of filling with unknown outcomes.
 */
export function withMajorityWindows(steps: readonly NemesisStep[]): NemesisStep[] {
  const out: NemesisStep[] = [];
  const window: NemesisStep = { durationMs: MAJORITY_WINDOW_MS, action: { kind: "heal" } };
  steps.forEach((step, i) => {
    out.push(step);
    if ((i + 1) % FAULT_STEPS_BETWEEN_WINDOWS === 0) out.push(window);
  });
  if (out[out.length - 1] !== window) out.push(window);
  return out;
}

/** The schedule for one seed: the same seed gives the same schedule. */
export function nemesisFor(seed: number, nodes: number): NemesisStep[] {
  return fc.sample(nemesisArbitrary(nodes), { seed, numRuns: 1 })[0] ?? [];
}

/** Replaces a leader target (-1) by the index of the current leader (or member 0 when none). */
export function resolveTarget(action: NemesisAction, leader: number): NemesisAction {
  if ((action.kind === "isolate" || action.kind === "crash" || action.kind === "pause") && action.node < 0) return { ...action, node: Math.max(0, leader) };
  return action;
}

/** The cut (directed) links an action leaves, as "a>b" pairs of node indexes; `undefined` keeps the current cuts. */
export function cutsOf(action: NemesisAction, nodes: number): Set<string> | undefined {
  const cuts = new Set<string>();
  const cutBoth = (a: number, b: number): void => {
    if (a === b) return;
    cuts.add(`${a}>${b}`);
    cuts.add(`${b}>${a}`);
  };
  switch (action.kind) {
    case "heal":
      return cuts;
    case "halves": {
      const left = action.order.slice(0, action.cut);
      const right = action.order.slice(action.cut);
      for (const a of left) for (const b of right) cutBoth(a, b);
      return cuts;
    }
    case "majority_ring":
      for (let a = 0; a < nodes; a++) {
        for (let b = a + 1; b < nodes; b++) {
          const d = Math.min(b - a, nodes - (b - a));
          if (d > 1) cutBoth(a, b);
        }
      }
      return cuts;
    case "bridge": {
      const [bridge, ...rest] = action.order;
      const half = Math.ceil(rest.length / 2);
      const left = rest.slice(0, half);
      const right = rest.slice(half);
      void bridge;
      for (const a of left) for (const b of right) cutBoth(a, b);
      return cuts;
    }
    case "one_way":
      if (action.from !== action.to) cuts.add(`${action.from}>${action.to}`);
      return cuts;
    case "isolate":
      for (let b = 0; b < nodes; b++) cutBoth(action.node, b);
      return cuts;
    default:
      return undefined;
  }
}
