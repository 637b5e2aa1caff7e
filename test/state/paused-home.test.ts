import { afterEach, describe, expect, it } from "vitest";
import type { EdgeStateObject } from "../../src/state/index.js";
import { RaftStateSim } from "./support/raft-state-sim.js";

let sim: RaftStateSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function instance(s: RaftStateSim, index: number): EdgeStateObject {
  const o = s.object(index);
  if (o === undefined) throw new Error(`edge ${index} is down`);
  return o;
}

async function settled<T>(s: RaftStateSim, promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  await s.runUntilSettled([promise], 5_000);
  return promise;
}

describe("a home paused past its lease (Raft-replicated leases and state)", () => {
  // Found by the replicated property: the successor loaded the state, the paused home's write then
  // landed with its old token (the store had seen no newer one), and the successor served and
  // overwrote stale data, losing an acknowledged write.
  it("cannot write once a successor has claimed the object, and the successor loses nothing", async () => {
    const s = new RaftStateSim({ seed: 7, stateId: "cart", leaseTtlMs: 400, raftTimeoutMs: 150 });
    sim = s;
    await s.start();
    expect(await settled(s, instance(s, 0).increment("n"))).toBe(1);
    s.stall(0, 800);
    const late = instance(s, 0).increment("n");
    late.catch(() => undefined);
    await s.run(500);
    expect(await settled(s, instance(s, 1).get())).toEqual({ value: { n: 1 }, version: 1 });
    await expect(settled(s, late)).rejects.toMatchObject({ code: "state.fenced" });
    expect(await settled(s, instance(s, 1).increment("n"))).toBe(2);
    expect(await settled(s, instance(s, 1).get("n"))).toEqual({ value: 2, version: 2 });
    expect(s.accepted.map((w) => [w.edgeId, w.version])).toEqual([["e0", 1], ["e1", 2]]);
  });
});
