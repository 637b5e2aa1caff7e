import { describe, expect, it } from "vitest";
import { ManualClock, type Clock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { checkLinearizable, keyValueModel, registerModel, type KvInput, type KvOutput, type Model, type Operation, type RegisterInput, type RegisterOutput } from "../../src/testing/index.js";

type RegOp = Operation<RegisterInput, RegisterOutput>;
const write = (clientId: number, value: number, call: number, ret: number | undefined): RegOp => ({ clientId, input: { kind: "write", value }, output: {}, call, return: ret });
const read = (clientId: number, value: number | null, call: number, ret: number): RegOp => ({ clientId, input: { kind: "read" }, output: { value }, call, return: ret });
const cas = (clientId: number, expected: number | null, value: number, ok: boolean | undefined, call: number, ret: number | undefined): RegOp => ({
  clientId,
  input: { kind: "cas", expected, value },
  output: ok === undefined ? undefined : { ok },
  call,
  return: ret,
});

describe("checkLinearizable on a register", () => {
  const model = registerModel();

  it("accepts an empty history and a sequential one", () => {
    expect(checkLinearizable([], model)).toMatchObject({ ok: true, verdict: "ok", timedOut: false });
    const history = [write(1, 1, 0, 1), read(2, 1, 2, 3), cas(1, 1, 2, true, 4, 5), read(2, 2, 6, 7), cas(2, 1, 3, false, 8, 9)];
    expect(checkLinearizable(history, model).ok).toBe(true);
  });

  it("refuses a stale read after a completed write, with a counterexample", () => {
    const result = checkLinearizable([write(1, 1, 0, 10), read(2, null, 11, 12)], model);
    expect(result).toMatchObject({ ok: false, verdict: "illegal", timedOut: false });
    expect(result.counterexample?.stuckAt.input).toEqual({ kind: "read" });
    expect(result.counterexample?.description).toMatch(/read\(\) -> null/);
  });

  it("lets a read overlapping a write see either value", () => {
    expect(checkLinearizable([write(1, 1, 0, 10), read(2, 1, 2, 3)], model).ok).toBe(true);
    expect(checkLinearizable([write(1, 1, 0, 10), read(2, null, 2, 3)], model).ok).toBe(true);
    // Touching intervals count as concurrent.
    expect(checkLinearizable([write(1, 1, 0, 5), read(2, null, 5, 6)], model).ok).toBe(true);
  });

  it("refuses reads that see a concurrent write take effect and then un-happen", () => {
    // read1 sees the new value and returns before read2 starts, yet read2 sees the old one.
    const history = [write(1, 1, 0, 100), read(2, 1, 10, 20), read(3, null, 30, 40)];
    expect(checkLinearizable(history, model).verdict).toBe("illegal");
  });

  it("lets an unknown-outcome operation take effect any time after its call, or never", () => {
    const lost = write(1, 7, 5, undefined);
    expect(checkLinearizable([lost, read(2, 7, 100, 101)], model).ok).toBe(true);
    expect(checkLinearizable([lost, read(2, null, 100, 101)], model).ok).toBe(true);
    expect(checkLinearizable([lost, read(2, 7, 100, 101), read(2, null, 102, 103)], model).ok).toBe(false);
    // ... but not before its call.
    expect(checkLinearizable([read(2, 7, 0, 1), { ...lost, return: Number.POSITIVE_INFINITY }], model).ok).toBe(false);
    expect(checkLinearizable([cas(1, null, 3, undefined, 0, undefined), read(2, 3, 10, 11)], model).ok).toBe(true);
  });

  it("reports unknown, never ok, when the budget runs out", () => {
    const history: RegOp[] = [];
    // Many concurrent writes and an impossible read: a large search space.
    for (let i = 0; i < 14; i++) history.push(write(i, i, 0, 1000));
    history.push(read(99, 42, 1001, 1002));
    const result = checkLinearizable(history, model, { maxSteps: 50 });
    expect(result).toMatchObject({ ok: false, verdict: "unknown", timedOut: true });
    expect(result.steps).toBeLessThanOrEqual(50);
  });

  it("gives up with unknown when the wall-clock budget runs out", () => {
    const history: RegOp[] = [];
    // 2^22 subsets of concurrent writes to explore before the impossible read is refuted.
    for (let i = 0; i < 22; i++) history.push(write(i, i, 0, 1000));
    history.push(read(99, 42, 1001, 1002));
    const result = checkLinearizable(history, model, { timeoutMs: 20 });
    expect(result).toMatchObject({ ok: false, verdict: "unknown", timedOut: true, partitions: [{ verdict: "unknown" }] });
  });

  it("validates the history and options", () => {
    expect(() => checkLinearizable([write(1, 1, 5, 4)], model)).toThrow(ValidationError);
    expect(() => checkLinearizable([write(1, 1, 5, 4)], model)).toThrow(/history\[0\]\.return/);
    expect(() => checkLinearizable([write(1, 1, Number.NaN, 4)], model)).toThrow(/history\[0\]\.call/);
    expect(() => checkLinearizable([], model, { timeoutMs: -1 })).toThrow(/options\.timeoutMs/);
  });
});

describe("checkLinearizable on a key-value store", () => {
  const model = keyValueModel();
  type KvOp = Operation<KvInput, KvOutput>;
  const op = (clientId: number, input: KvInput, output: KvOutput | undefined, call: number, ret: number | undefined): KvOp => ({ clientId, input, output, call, return: ret });

  it("checks each key on its own and blames the bad one", () => {
    const history = [
      op(1, { kind: "put", key: "a", value: "1" }, {}, 0, 1),
      op(2, { kind: "put", key: "b", value: "x" }, {}, 0, 1),
      op(1, { kind: "append", key: "a", value: "2" }, {}, 2, 3),
      op(2, { kind: "get", key: "a" }, { value: "12" }, 4, 5),
      op(1, { kind: "cas", key: "b", expected: "x", value: "y" }, { ok: true }, 6, 7),
      op(2, { kind: "get", key: "b" }, { value: "x" }, 8, 9), // stale
      op(1, { kind: "delete", key: "a" }, { ok: true }, 10, 11),
      op(2, { kind: "get", key: "a" }, { value: null }, 12, 13),
    ];
    const result = checkLinearizable(history, model);
    expect(result.verdict).toBe("illegal");
    expect(result.partitions.map((p) => p.operations)).toEqual([5, 3]);
    expect(result.counterexample?.stuckAt.input).toEqual({ kind: "get", key: "b" });
    const fixed = history.map((o, i) => (i === 5 ? { ...o, output: { value: "y" } } : o));
    expect(checkLinearizable(fixed, model)).toMatchObject({ ok: true, partitions: [{ verdict: "ok" }, { verdict: "ok" }] });
    // Without the per-key split the verdict is the same.
    expect(checkLinearizable(fixed, model, { partition: false }).partitions).toHaveLength(1);
    expect(checkLinearizable(fixed, model, { partition: false }).ok).toBe(true);
  });

  it("checks reported previous values and delete outcomes, and treats `absent` like a missing key", () => {
    const history = [op(1, { kind: "delete", key: "k" }, { ok: true }, 0, 1)];
    expect(checkLinearizable(history, model).ok).toBe(false);
    const puts = [op(1, { kind: "put", key: "k", value: "1" }, { previous: null }, 0, 1), op(1, { kind: "put", key: "k", value: "2" }, { previous: "1" }, 2, 3)];
    expect(checkLinearizable(puts, model).ok).toBe(true);
    expect(checkLinearizable([puts[0], { ...puts[1], output: { previous: null } }] as typeof puts, model).ok).toBe(false);
    const casDelete = [puts[0], op(2, { kind: "cas", key: "k", expected: "1", value: null }, { ok: true }, 2, 3), op(1, { kind: "get", key: "k" }, { value: null }, 4, 5)];
    expect(checkLinearizable(casDelete as typeof puts, model).ok).toBe(true);
    const jepsenStyle = keyValueModel({ absent: "" });
    expect(checkLinearizable([op(1, { kind: "get", key: "k" }, { value: "" }, 0, 1)], jepsenStyle).ok).toBe(true);
  });
});

describe("checkLinearizable with a user's own model", () => {
  it("runs the documented counter example", () => {
    type Input = { kind: "inc" } | { kind: "get" };
    const counter: Model<number, Input, number> = {
      init: () => 0,
      step: (state, input, output) => (input.kind === "inc" ? [true, state + 1] : [output === undefined || output === state, state]),
    };
    const result = checkLinearizable(
      [
        { clientId: "a", input: { kind: "inc" }, output: undefined, call: 0, return: 10 },
        { clientId: "b", input: { kind: "get" }, output: 1, call: 5, return: 6 },
        { clientId: "b", input: { kind: "get" }, output: 0, call: 11, return: 12 },
      ],
      counter,
      { timeoutMs: 5_000 },
    );
    expect(result.ok).toBe(false);
    expect(result.counterexample?.linearized.length).toBe(2);
  });
});

describe("checkLinearizable time budget", () => {
  it("measures timeoutMs on the injected clock: an exhausted budget gives 'unknown', never 'ok'", () => {
    const clock = new ManualClock(0);
    // Every reading moves virtual time on by 10 ms, so a 1 ms budget is spent at the first check.
    const racing: Clock = { now: () => (clock.advance(10), clock.now()), setTimer: (ms, fn) => clock.setTimer(ms, fn), clearTimer: (h) => clock.clearTimer(h) };
    // Sixteen concurrent writes, then a read of a value nobody wrote: proving it illegal means trying
    // every subset of the writes, far more steps than the first slice.
    const history = [...Array.from({ length: 16 }, (_, i) => write(i, i, 0, 100)), read(99, 999, 101, 102)];
    const limited = checkLinearizable(history, registerModel(), { timeoutMs: 1, clock: racing });
    expect(limited).toMatchObject({ ok: false, verdict: "unknown", timedOut: true });
    expect(checkLinearizable(history, registerModel(), { timeoutMs: 60_000, clock: new ManualClock(0) }).verdict).toBe("illegal");
  });
});
