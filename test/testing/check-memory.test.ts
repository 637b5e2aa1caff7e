import { describe, expect, it } from "vitest";
import { checkLinearizable, keyValueModel, type KvInput, type KvOutput, type Operation } from "../../src/testing/index.js";

/** 22 concurrent puts, then a read of a value nobody wrote: refuting it means trying every order (2^22 sets). */
function hardHistory(writes = 22): Operation<KvInput, KvOutput>[] {
  const ops: Operation<KvInput, KvOutput>[] = [];
  for (let i = 0; i < writes; i++) ops.push({ clientId: i, input: { kind: "put", key: "k", value: `v${i}` }, output: {}, call: 0, return: 100 });
  ops.push({ clientId: "reader", input: { kind: "get", key: "k" }, output: { value: "never-written" }, call: 101, return: 102 });
  return ops;
}

describe("checkLinearizable bounds its memory", () => {
  it("returns unknown (limit: memory) within a small memory budget instead of growing its cache without bound", () => {
    const result = checkLinearizable(hardHistory(), keyValueModel(), { maxMemoryBytes: 1 << 20 });
    expect(result.verdict).toBe("unknown");
    expect(result.ok).toBe(false);
    expect(result.limit).toBe("memory");
    expect(result.partitions[0]?.verdict).toBe("unknown");
  });

  it("still decides a history that fits the budget", () => {
    const result = checkLinearizable(hardHistory(6), keyValueModel(), { maxMemoryBytes: 1 << 20 });
    expect(result.verdict).toBe("illegal");
    expect(result.limit).toBeUndefined();
  });

  it("names the budget that ran out: steps", () => {
    const result = checkLinearizable(hardHistory(), keyValueModel(), { maxSteps: 10_000 });
    expect(result.verdict).toBe("unknown");
    expect(result.limit).toBe("steps");
  });

  it("refuses a non-positive or non-finite memory budget", () => {
    expect(() => checkLinearizable(hardHistory(2), keyValueModel(), { maxMemoryBytes: Number.NaN })).toThrow(/maxMemoryBytes/);
    expect(() => checkLinearizable(hardHistory(2), keyValueModel(), { maxMemoryBytes: 0 })).toThrow(/maxMemoryBytes/);
  });
});
