import { ManualClock } from "../../../src/core/clock.js";
import { InMemoryLeaseStore } from "../../../src/lifecycle/lease-store.js";
import { MigrationExecutor, type MigrationExecutorOptions } from "../../../src/migration/executor.js";
import { InMemoryWorkloadAdapter } from "../../../src/migration/memory-adapter.js";
import { MigrationPlanner } from "../../../src/migration/planner.js";
import type { MigrationRequestInput } from "../../../src/migration/schemas.js";
import { InMemoryMigrationStore } from "../../../src/migration/store.js";
import type { MigrationPlan } from "../../../src/migration/types.js";

/** `n` keys of `size` bytes each, compressible. */
export function dataset(n: number, size = 100, tag = "v"): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < n; i++) out.set(`k${String(i).padStart(5, "0")}`, new TextEncoder().encode(`${tag}${i}:`.padEnd(size, "x")));
  return out;
}

/** Two edges `a` (source, seeded) and `b`, a store and leases shared by every executor made. */
export function fixture(workloads: Record<string, Map<string, Uint8Array>>, edges = ["a", "b"]) {
  const clock = new ManualClock(0);
  const adapter = new InMemoryWorkloadAdapter({ clock, edges });
  for (const [id, data] of Object.entries(workloads)) adapter.seed(id, "a", data);
  const store = new InMemoryMigrationStore();
  const leases = new InMemoryLeaseStore({ clock });
  const planner = new MigrationPlanner({ clock, adapter });
  const executor = (extra: Partial<MigrationExecutorOptions> = {}): MigrationExecutor => new MigrationExecutor({ adapter, clock, store, leases, ...extra });
  const plan = (request: Partial<MigrationRequestInput> = {}): Promise<MigrationPlan> =>
    planner.plan({ source: "a", target: "b", workloads: Object.keys(workloads).map((id) => ({ id })), ...request });
  return { clock, adapter, store, leases, planner, executor, plan };
}
