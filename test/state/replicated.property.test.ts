import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LeaseConflictError, LeaseNotHeldError, StaleFencingTokenError } from "../../src/lifecycle/errors.js";
import { StateConflictError, StateFencedError, StateRedirectError } from "../../src/state/index.js";
import { checkLinearizable, type Model, type Operation } from "../../src/testing/index.js";
import { RaftStateSim } from "./support/raft-state-sim.js";

// A run is a few virtual seconds of a three-member Raft cluster; SIM_RUNS=200 for a deep search.
const numRuns = process.env.SIM_RUNS === undefined ? 5 : Number(process.env.SIM_RUNS);
const seed = process.env.SIM_SEED === undefined ? undefined : Number(process.env.SIM_SEED);

const LEASE_TTL_MS = 400;
const RAFT_TIMEOUT_MS = 150;
/** Long enough for an operation to exhaust every Raft timeout on its path and settle. */
const SETTLE_LIMIT_MS = 4_000;

type Input = { kind: "inc" } | { kind: "append"; value: string } | { kind: "read" };
type Output = { version: number } | { n: number; log: readonly string[]; version: number };
interface ObjectModel {
  readonly n: number;
  readonly log: readonly string[];
  readonly version: number;
}

/** The object as a sequential machine: a counter `n`, a list `log`, and the version every write bumps. */
const model: Model<ObjectModel, Input, Output> = {
  init: () => ({ n: 0, log: [], version: 0 }),
  step: (state, input, output) => {
    if (input.kind === "read") {
      if (output === undefined || !("n" in output)) return [output === undefined, state];
      const same = output.n === state.n && output.version === state.version && JSON.stringify(output.log) === JSON.stringify(state.log);
      return [same, state];
    }
    const next = input.kind === "inc" ? { ...state, n: state.n + 1, version: state.version + 1 } : { ...state, log: [...state.log, input.value], version: state.version + 1 };
    return [output === undefined || output.version === next.version, next];
  },
  hash: (state) => JSON.stringify(state),
  describe: (input, output) => `${input.kind}${input.kind === "append" ? `(${input.value})` : ""} -> ${JSON.stringify(output)}`,
};

/** Refusals that happen before anything is written: such an operation certainly had no effect. */
function certainlyRefused(error: unknown): boolean {
  return [StateRedirectError, StateFencedError, StateConflictError, LeaseConflictError, LeaseNotHeldError, StaleFencingTokenError].some((type) => error instanceof type);
}

const opSpec = fc.record({ edge: fc.integer({ min: 0, max: 2 }), kind: fc.constantFrom("inc" as const, "append" as const, "read" as const) });
const fault = fc.oneof(
  { arbitrary: fc.constant({ kind: "none" as const }), weight: 2 },
  fc.record({ kind: fc.constant("crash-home" as const), atMs: fc.integer({ min: 0, max: 60 }) }),
  fc.record({ kind: fc.constant("isolate" as const), edge: fc.integer({ min: 0, max: 2 }), atMs: fc.integer({ min: 0, max: 60 }) }),
  fc.record({ kind: fc.constant("heal" as const), atMs: fc.integer({ min: 0, max: 60 }) }),
  { arbitrary: fc.record({ kind: fc.constant("stall-home" as const), atMs: fc.constant(0), ms: fc.integer({ min: LEASE_TTL_MS / 2, max: 3 * LEASE_TTL_MS }) }), weight: 2 },
);
const round = fc.record({ ops: fc.array(opSpec, { minLength: 1, maxLength: 3 }), fault, idleMs: fc.integer({ min: 0, max: 2 * LEASE_TTL_MS }) });

interface Outcome {
  readonly acked: Array<{ input: Input; version: number }>;
}

describe("replicated state objects under crashes and partitions", () => {
  it("linearizable per object, one writing primary per lease period, no acknowledged write lost", async () => {
    let undecided = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.array(round, { minLength: 3, maxLength: 10 }), async (netSeed, rounds) => {
        const sim = new RaftStateSim({ seed: netSeed, stateId: "cart", leaseTtlMs: LEASE_TTL_MS, raftTimeoutMs: RAFT_TIMEOUT_MS });
        await sim.start();
        const history: Operation<Input, Output>[] = [];
        const outcome: Outcome = { acked: [] };
        let tick = 0;
        let client = 0;
        let appended = 0;

        /** One client call on `edge`, following one redirect to the owner it names. */
        const call = async (edge: number, input: Input): Promise<void> => {
          const op = { clientId: client++, input, call: ++tick };
          const attempt = async (at: number): Promise<Output> => {
            const o = sim.object(at);
            if (o === undefined) throw new StateRedirectError("cart", sim.edgeId(at), null);
            if (input.kind === "read") {
              const { value, version } = await o.get();
              const data = (value ?? {}) as { n?: number; log?: string[] };
              return { n: data.n ?? 0, log: data.log ?? [], version };
            }
            return { version: input.kind === "inc" ? await o.increment("n") : await o.append("log", input.value) };
          };
          try {
            let output: Output;
            try {
              output = await attempt(edge);
            } catch (error) {
              const owner = error instanceof StateRedirectError && error.owner !== null ? sim.indexOf(error.owner) : undefined;
              if (owner === undefined || owner === edge) throw error;
              output = await attempt(owner);
            }
            history.push({ ...op, output, return: ++tick });
            if (input.kind !== "read" && !("n" in output)) outcome.acked.push({ input, version: output.version });
          } catch (error) {
            // A refusal had no effect and is left out; anything else (a timeout, a lost leader) may have.
            if (!certainlyRefused(error)) history.push({ ...op, output: undefined, return: undefined });
          }
        };

        // Rounds overlap: a round's calls may still be running (stalled, cut off) while the next begins.
        const calls: Promise<void>[] = [];
        for (const r of rounds) {
          for (const o of r.ops) calls.push(call(o.edge, o.kind === "append" ? { kind: "append", value: `v${appended++}` } : { kind: o.kind }));
          if (r.fault.kind !== "none") {
            await sim.run(r.fault.atMs);
            if (r.fault.kind === "heal") sim.heal();
            else if (r.fault.kind === "isolate") sim.isolate(r.fault.edge);
            else if (r.fault.kind === "stall-home") {
              const home = sim.home();
              if (home !== undefined) sim.stall(home, r.fault.ms);
            } else {
              // At most one member down at a time: restart the last casualty before crashing the home.
              for (const down of sim.downEdges()) await sim.restart(down);
              const home = sim.home();
              if (home !== undefined) await sim.crash(home);
            }
          }
          await sim.run(r.idleMs);
        }
        expect(await sim.runUntilSettled(calls, SETTLE_LIMIT_MS * rounds.length)).toBe(true);
        // Recovery: every edge back, the network whole, the last lease run out.
        sim.heal();
        for (const down of sim.downEdges()) await sim.restart(down);
        await sim.run(LEASE_TTL_MS + 200);
        await sim.cluster.waitForLeader();
        let final: Output | undefined;
        for (let attempt = 0; attempt < 10 && final === undefined; attempt++) {
          const o = sim.object(attempt % sim.edgeCount);
          const read = o?.get();
          if (read === undefined) continue;
          if (!(await sim.runUntilSettled([read.catch(() => undefined)], SETTLE_LIMIT_MS))) continue;
          const got = await read.then((r) => r, () => undefined);
          if (got === undefined) continue;
          const data = (got.value ?? {}) as { n?: number; log?: string[] };
          final = { n: data.n ?? 0, log: data.log ?? [], version: got.version };
          history.push({ clientId: client++, input: { kind: "read" }, output: final, call: ++tick, return: ++tick });
        }
        if (final === undefined || !("n" in final)) throw new Error("the object did not come back after recovery");

        // No acknowledged write lost.
        const ackedIncs = outcome.acked.filter((a) => a.input.kind === "inc").length;
        expect(final.n).toBeGreaterThanOrEqual(ackedIncs);
        for (const a of outcome.acked) if (a.input.kind === "append") expect(final.log).toContain(a.input.value);
        expect(final.version).toBeGreaterThanOrEqual(Math.max(0, ...outcome.acked.map((a) => a.version)));

        // Fencing: along the versions the store accepted, tokens never go back, and one token is one holder.
        const writes = [...sim.accepted].sort((a, b) => a.version - b.version);
        const holderOf = new Map<number, string>();
        for (const [i, w] of writes.entries()) {
          // Each version is written once: two records with one version means one overwrote the other.
          if (i > 0) expect(w.version, "a version written twice").toBeGreaterThan(writes[i - 1]?.version ?? 0);
          if (i > 0) expect(w.token).toBeGreaterThanOrEqual(writes[i - 1]?.token ?? 0);
          expect(holderOf.get(w.token) ?? w.edgeId).toBe(w.edgeId);
          holderOf.set(w.token, w.edgeId);
          expect(sim.leasePeriods.get(w.token)?.holder).toBe(w.edgeId);
        }
        // No two primaries that wrote held overlapping lease periods.
        const periods = [...holderOf.keys()].sort((a, b) => a - b).map((token) => sim.leasePeriods.get(token));
        for (let i = 1; i < periods.length; i++) {
          const before = periods[i - 1];
          const after = periods[i];
          if (before === undefined || after === undefined) throw new Error("a writing token without an observed lease");
          expect(after.from).toBeGreaterThanOrEqual(before.until);
        }

        const verdict = checkLinearizable(history, model, { maxSteps: 2_000_000 });
        // A search that runs out of steps found no violation and proved none either (Knossos's
        // `:unknown`); it is counted, and bounded below, rather than failing the schedule.
        if (verdict.verdict === "unknown") undecided++;
        else expect(verdict.ok, verdict.counterexample?.description).toBe(true);
        await sim.close();
      }),
      { numRuns, ...(seed === undefined ? {} : { seed }) },
    );
    // About one generated schedule in a hundred has enough concurrent calls of unknown outcome to outgrow
    // the search budget; most must be decided, or the check above proves nothing.
    expect(undecided, `${undecided} of ${numRuns} histories undecided within the search budget`).toBeLessThanOrEqual(Math.floor(numRuns / 4));
  });
});
