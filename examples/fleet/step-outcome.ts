/**
 * One line on what a finished step did, for the progress display: "✓ warm" alone does not tell a
 * newcomer that three sites went from warming to active.
 *
 * @module
 */

type Output = Readonly<Record<string, unknown>>;

const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
const field = (value: unknown, name: string): unknown => (typeof value === "object" && value !== null ? (value as Output)[name] : undefined);

const OUTCOMES: Readonly<Record<string, (output: Output) => string>> = {
  discover: (o) => `${list(o.edgeIds).length} edge sites found`,
  place: (o) => `${list(o.edgeIds).filter((e) => e !== null).length} services placed (capacity reserved on their sites)`,
  leases: (o) => `${list(o.leases).length} leases taken in the replicated store, fencing tokens ${list(o.leases).map((l) => String(field(l, "token"))).join(", ")}`,
  learn_usage: (o) => `${String(o.recorded)} past requests learned`,
  predict_demand: (o) => `${list(o.decisions).length} sites expected to be busy within 15 min`,
  warm: (o) => {
    const warmed = list(o.outcomes).filter((x) => field(x, "outcome") === "warmed");
    return warmed.length === 0 ? "no site needed warming" : `${warmed.map((x) => String(field(x, "edge"))).join(", ")}: initialized → warming → ${String(field(warmed[0], "state"))}`;
  },
  monitor_and_scale: (o) => `${String(o.minutes)} min of trace replayed, ${String(o.scalingChanges)} scaling changes`,
  fail_leader_edge: (o) => `${String(o.edgeId)} down; declared dead after ${String(o.detectedAfterMs)} ms; ${String(o.newLeader)} leads (term ${String(o.newTerm)})`,
  failover: (o) => list(o.migrations).map((m) => `${String(field(m, "service"))} → ${String(field(m, "to"))} (lease token ${String(field(field(m, "lease"), "token"))})`).join(", ") || "nothing to move",
  commit_placement: (o) => `"${String(o.key)}" committed by the new leader`,
  read_placement: (o) => `read back linearizably at index ${String(o.readIndex)}`,
  cost: (o) => `$${Number(o.monthlySavings).toFixed(2)}/month of savings found`,
};

/** What the step did, or `undefined` for steps with nothing worth a line. */
export function stepOutcome(nodeId: string, output: unknown): string | undefined {
  const describe = OUTCOMES[nodeId];
  return describe === undefined || typeof output !== "object" || output === null ? undefined : describe(output as Output);
}
