import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { checkLinearizable, type Model, type Operation } from "../../src/testing/index.js";
import { InMemoryLeaseStore } from "../../src/lifecycle/lease-store.js";
import { EdgeStateObject, InMemoryStateStore, stateLeaseResource, type StateStore, type StoredState } from "../../src/state/index.js";

const seed = process.env.SIM_SEED === undefined ? undefined : Number(process.env.SIM_SEED);
const numRuns = process.env.SIM_RUNS === undefined ? 60 : Number(process.env.SIM_RUNS);

/** Records every write the store accepted, with the fencing token and the lease holder at that instant. */
class RecordingStore implements StateStore {
  readonly accepted: Array<{ version: number; token: number; holder: string | undefined; at: number }> = [];
  constructor(private readonly inner: InMemoryStateStore, private readonly leases: InMemoryLeaseStore, private readonly clock: ManualClock) {}
  private loaded = -1;
  async load(id: string) {
    const record = await this.inner.load(id);
    this.loaded = record?.metadata.version ?? 0;
    return record;
  }
  async save(id: string, record: StoredState, token: number) {
    const holder = (await this.leases.get(stateLeaseResource(id)))?.holder;
    // A new home saves what it just loaded to claim the object with its token: not a change of data.
    const claim = record.metadata.version === this.loaded;
    this.loaded = -1;
    await this.inner.save(id, record, token);
    if (claim) return;
    this.accepted.push({ version: record.metadata.version, token, holder, at: this.clock.now() });
  }
  close() { return this.inner.close(); }
  [Symbol.asyncDispose]() { return this.close(); }
}

const step = fc.oneof(
  fc.record({ kind: fc.constant("ops" as const), who: fc.array(fc.record({ w: fc.integer({ min: 0, max: 1 }), read: fc.boolean() }), { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 1, max: 1_500 }) }),
  fc.record({ kind: fc.constant("transfer" as const), who: fc.integer({ min: 0, max: 1 }) }),
);

type Input = { kind: "inc" } | { kind: "get" };
type Output = { value: unknown; version: number } | number;
/** The object as one sequential register: the counter `n` and the version. */
const model: Model<{ n: number; version: number }, Input, Output> = {
  init: () => ({ n: 0, version: 0 }),
  step: (state, input, output) => {
    if (input.kind === "inc") return [output === state.version + 1, { n: state.n + 1, version: state.version + 1 }];
    const seen = output as { value: unknown; version: number };
    return [seen.version === state.version && (seen.value ?? 0) === state.n, state];
  },
};

describe("state ownership under random interleavings", () => {
  it("linearizable, one primary per lease period, no acknowledged write lost, versions strictly increase", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        const clock = new ManualClock(0);
        const leases = new InMemoryLeaseStore({ clock });
        const store = new RecordingStore(new InMemoryStateStore(), leases, clock);
        const edges = ["e1", "e2"] as const;
        const instances = edges.map((edgeId) => new EdgeStateObject({ id: "obj", edgeId, clock, leases, store, leaseTtlMs: 1_000 }));
        let acked = 0;
        let tick = 0;
        const history: Operation<Input, Output>[] = [];
        const ackedVersions: number[] = [];
        for (const s of steps) {
          if (s.kind === "advance") {
            clock.advance(s.ms);
          } else if (s.kind === "transfer") {
            const from = instances[s.who];
            const to = edges[1 - s.who];
            if (from === undefined || to === undefined) continue;
            const moved = await from.transfer(to).catch((error: unknown) => ({ error }));
            if (moved instanceof EdgeStateObject) instances[1 - s.who] = moved;
            else expect(moved.error).toMatchObject({ code: "state.redirect" });
          } else {
            // Both would-be primaries serve reads and writes concurrently.
            const results = await Promise.allSettled(s.who.map(async ({ w, read }) => {
              const o = instances[w];
              if (o === undefined) throw new Error("no instance");
              const call = ++tick;
              const output: Output = read ? await o.get("n") : await o.increment("n");
              history.push({ clientId: w, input: { kind: read ? "get" : "inc" }, output, call, return: ++tick });
              return { read, output };
            }));
            for (const r of results) {
              if (r.status === "fulfilled") {
                if (!r.value.read && typeof r.value.output === "number") {
                  acked += 1;
                  ackedVersions.push(r.value.output);
                }
              } else {
                // Refused before anything changed, so left out of the history.
                expect(r.reason).toMatchObject({ code: "state.redirect" });
              }
            }
          }
        }
        // Versions strictly increase and each acknowledged write counts exactly once.
        for (let i = 1; i < ackedVersions.length; i++) expect(ackedVersions[i]).toBeGreaterThan(ackedVersions[i - 1] ?? 0);
        expect(store.accepted.map((a) => a.version)).toEqual(ackedVersions);
        // Each accepted write came from the live lease holder; tokens never go back.
        for (let i = 1; i < store.accepted.length; i++) expect(store.accepted[i]?.token).toBeGreaterThanOrEqual(store.accepted[i - 1]?.token ?? 0);
        // Writes with one token all fall within one lease period of one holder.
        const holders = new Map<number, string | undefined>();
        for (const a of store.accepted) {
          expect(a.holder).toBeDefined();
          if (holders.has(a.token)) expect(holders.get(a.token)).toBe(a.holder);
          holders.set(a.token, a.holder);
        }
        const verdict = checkLinearizable(history, model, { maxSteps: 1_000_000 });
        expect(verdict.ok, verdict.counterexample?.description).toBe(true);
        // No acknowledged write lost: whoever holds the object now sees them all.
        clock.advance(2_000);
        const survivor = instances[0];
        if (survivor !== undefined && acked > 0) expect(await survivor.get("n")).toEqual({ value: acked, version: acked });
        for (const o of instances) await o.close();
        await leases.close();
      }),
      { numRuns, ...(seed === undefined ? {} : { seed }) },
    );
  });
});
