import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { MigrationExecutor } from "../../src/migration/executor.js";
import { InMemoryWorkloadAdapter } from "../../src/migration/memory-adapter.js";
import { MigrationPlanner } from "../../src/migration/planner.js";
import { drive } from "./support/drive.js";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("smoke", () => {
  for (const strategy of ["live", "bulk", "staged", "emergency"] as const) {
    it(`migrates with ${strategy}`, async () => {
      const clock = new ManualClock(0);
      const adapter = new InMemoryWorkloadAdapter({ clock, edges: ["a", "b"] });
      const data = new Map<string, Uint8Array>();
      for (let i = 0; i < 300; i++) data.set(`k${String(i).padStart(4, "0")}`, bytes(`value-${i}`.repeat(10)));
      adapter.seed("w1", "a", data);
      adapter.seed("w2", "a", data);
      const planner = new MigrationPlanner({ clock, adapter });
      const plan = await planner.plan({ source: "a", target: "b", strategy, workloads: [{ id: "w1" }, { id: "w2" }], options: { bandwidthBytesPerSec: 1e6, batchKeys: 100 } });
      const executor = new MigrationExecutor({ adapter, clock });
      let n = 0;
      const final = await drive(clock, executor.execute(plan), () => {
        try {
          adapter.write("w1", `k${String(n++ % 400).padStart(4, "0")}`, bytes(`new-${n}`));
        } catch {
          // unavailable during cutover
        }
      });
      expect(final.failure).toBeNull();
      expect(final.phase).toBe("completed");
      expect(adapter.route("w1")).toBe("b");
      expect(adapter.present("w1", "a")).toBe(false);
      await executor.close();
    });
  }
});
