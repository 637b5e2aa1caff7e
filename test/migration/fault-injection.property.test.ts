/**
 * Fault injection at random points — adapter call failures, hung calls (timeouts), executor crashes
 * with a restart from the persisted state, corrupted chunks — while a client keeps writing. Every
 * migration must end `completed` (target byte-identical to every acknowledged write, source removed)
 * or `rolled_back` (source holding every acknowledged write and serving, target clean); never two
 * edges serving; never an outage longer than the reported downtime.
 * `SIM_RUNS=N` for deep runs; `SIM_SEED=<seed>` replays a failure.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { CancelledError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { InMemoryLeaseStore } from "../../src/lifecycle/lease-store.js";
import type { Chunk } from "../../src/migration/chunk.js";
import { MigrationExecutor } from "../../src/migration/executor.js";
import { InMemoryWorkloadAdapter } from "../../src/migration/memory-adapter.js";
import { MigrationPlanner } from "../../src/migration/planner.js";
import { InMemoryMigrationStore } from "../../src/migration/store.js";
import type { MigrationState, MigrationStrategy } from "../../src/migration/types.js";
import { simRuns } from "../support/sim.js";
import { drive } from "./support/drive.js";

type FaultKind = "fail" | "hang" | "crash_before" | "crash_after";

interface Scenario {
  strategy: MigrationStrategy;
  workloads: number;
  keys: number;
  compression: boolean;
  faults: Array<{ at: number; kind: FaultKind }>;
  corruptChunk: number | null;
  writeProbability: number;
  seed: number;
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  strategy: fc.constantFrom<MigrationStrategy>("live", "staged", "bulk", "incremental", "emergency"),
  workloads: fc.integer({ min: 1, max: 3 }),
  keys: fc.integer({ min: 0, max: 40 }),
  compression: fc.boolean(),
  faults: fc.array(fc.record({ at: fc.integer({ min: 1, max: 120 }), kind: fc.constantFrom<FaultKind>("fail", "hang", "crash_before", "crash_after") }), { maxLength: 4 }),
  corruptChunk: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
  writeProbability: fc.double({ min: 0, max: 0.9, noNaN: true }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

const key = (i: number): string => `k${String(i).padStart(3, "0")}`;

async function runScenario(s: Scenario): Promise<void> {
  const clock = new ManualClock(0);
  const random = new Random(s.seed);
  const adapter = new InMemoryWorkloadAdapter({ clock, edges: ["src", "dst"] });
  const workloadIds = Array.from({ length: s.workloads }, (_v, i) => `w${i}`);
  // The model: every acknowledged write, per workload.
  const model = new Map<string, Map<string, Uint8Array>>();
  for (const w of workloadIds) {
    const data = new Map<string, Uint8Array>();
    for (let i = 0; i < s.keys; i++) data.set(key(i), new Uint8Array([i, random.int(0, 255), random.int(0, 255)]));
    adapter.seed(w, "src", data);
    model.set(w, new Map(data));
  }
  let writes = 0;
  const write = (): void => {
    if (random.float() >= s.writeProbability) return;
    const w = workloadIds[random.int(0, workloadIds.length - 1)] as string;
    const k = key(random.int(0, s.keys + 4));
    const value = random.bool(0.15) ? null : new Uint8Array([writes & 255, random.int(0, 255), random.int(0, 255)]);
    try {
      adapter.write(w, k, value);
    } catch {
      return; // refused, not acknowledged, not applied
    }
    writes++;
    const m = model.get(w) as Map<string, Uint8Array>;
    if (value === null) m.delete(k);
    else m.set(k, value);
  };

  let controller = new AbortController();
  let calls = 0;
  const faults = new Map(s.faults.map((f) => [f.at, f.kind]));
  let armed = false;
  adapter.faultHook = () => {
    if (!armed) return;
    write();
    const kind = faults.get(++calls);
    if (kind === undefined) return;
    faults.delete(calls);
    if (kind === "fail") throw new Error("injected failure");
    if (kind === "hang") return new Promise<void>(() => undefined);
    const crashing = controller;
    if (kind === "crash_before") {
      crashing.abort(new Error("crash"));
      throw new Error("crash");
    }
    queueMicrotask(() => crashing.abort(new Error("crash")));
  };
  let chunks = 0;
  const link = (chunk: Chunk): Chunk => {
    if (chunks++ !== s.corruptChunk || chunk.payload.length === 0) return chunk;
    const payload = new Uint8Array(chunk.payload);
    const at = random.int(0, payload.length - 1);
    payload[at] = (payload[at] ?? 0) ^ 0x5a;
    return { ...chunk, payload };
  };

  const store = new InMemoryMigrationStore();
  const leases = new InMemoryLeaseStore({ clock });
  const make = (): MigrationExecutor => new MigrationExecutor({ adapter, clock, store, leases, link });
  const planner = new MigrationPlanner({ clock, adapter });
  const plan = await planner.plan({
    source: "src",
    target: "dst",
    strategy: s.strategy,
    workloads: workloadIds.map((id) => ({ id })),
    options: { bandwidthBytesPerSec: 2_000, burstBytes: 256, batchKeys: 7, compression: s.compression, callTimeoutMs: 1_000, retryBackoffMs: 50, maxAttempts: 3, maxRounds: 4, stopCopyThresholdBytes: 40, waveSize: 2, deltaIntervalMs: 200, checkpointIntervalMs: 300 },
  });
  let executor = make();
  const id = await executor.start(plan, { signal: controller.signal });
  armed = true;
  if (s.strategy === "incremental") await executor.triggerCutover(id);
  let final: MigrationState | undefined;
  let pending: Promise<MigrationState> = executor.wait(id);
  for (let restarts = 0; final === undefined; restarts++) {
    expect(restarts).toBeLessThan(12);
    try {
      const state = await drive(clock, pending, write);
      if (state.phase === "completed" || state.phase === "rolled_back") final = state;
      else throw new Error(`stopped in ${state.phase}`);
    } catch (error) {
      // A crash (abort) or an interrupted rollback/cleanup: a new executor continues from the store.
      if (!(error instanceof CancelledError) && !(error instanceof Error)) throw error;
      await executor.close();
      controller = new AbortController();
      executor = make();
      pending = executor.resume(id, { signal: controller.signal });
    }
  }
  await executor.close();

  for (const w of workloadIds) {
    const expected = model.get(w) as Map<string, Uint8Array>;
    const outage = adapter.outageOf(w);
    expect(outage.bothServing).toBe(false);
    expect(outage.ongoing).toBe(false);
    expect(outage.totalMs).toBeLessThanOrEqual(final.downtimeMs + 1e-6);
    if (final.phase === "completed") {
      expect(adapter.data(w, "dst")).toEqual(expected);
      expect(adapter.present(w, "src")).toBe(false);
      expect(adapter.servingEdges(w)).toEqual(["dst"]);
    } else {
      expect(adapter.data(w, "src")).toEqual(expected);
      expect(adapter.present(w, "dst")).toBe(false);
      expect(adapter.servingEdges(w)).toEqual(["src"]);
    }
  }
  if (s.corruptChunk !== null && chunks > s.corruptChunk) expect(final.phase).toBe("rolled_back");
  if (s.faults.length === 0 && s.corruptChunk === null) expect(final.phase).toBe("completed");
}

describe("migration under injected faults", () => {
  it("ends completed with a byte-identical target or rolled back with the source intact and serving", async () => {
    const seed = process.env["SIM_SEED"] === undefined ? undefined : Number(process.env["SIM_SEED"]);
    await fc.assert(
      fc.asyncProperty(scenario, (s) => runScenario(s)),
      { numRuns: simRuns(30), ...(seed === undefined ? {} : { seed }) },
    );
  });
});
