import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkLinearizable, keyValueModel, registerModel, type KvInput, type KvOutput, type Operation, type RegisterInput, type RegisterOutput, type RegisterValue } from "../../src/testing/index.js";
import { simRuns } from "../support/sim.js";

/** Executes `inputs` one at a time on a real Map, then blurs each into an interval around its instant. */
function kvHistory(inputs: readonly KvInput[], jitter: readonly [number, number, boolean][]): Operation<KvInput, KvOutput>[] {
  const store = new Map<string, string>();
  return inputs.map((input, i) => {
    let output: KvOutput = {};
    switch (input.kind) {
      case "get":
        output = { value: store.get(input.key) ?? null };
        break;
      case "put":
        output = { previous: store.get(input.key) ?? null };
        store.set(input.key, input.value);
        break;
      case "append":
        store.set(input.key, (store.get(input.key) ?? "") + input.value);
        break;
      case "delete":
        output = { previous: store.get(input.key) ?? null, ok: store.has(input.key) };
        store.delete(input.key);
        break;
      case "cas": {
        const ok = (store.get(input.key) ?? null) === input.expected;
        output = { ok, previous: store.get(input.key) ?? null };
        if (ok) {
          if (input.value === null) store.delete(input.key);
          else store.set(input.key, input.value);
        }
      }
    }
    const [before, after, lost] = jitter[i] ?? [0, 0, false];
    const instant = i * 10;
    // A lost answer keeps its call: the operation did take effect, the client just never heard.
    return { clientId: i, input, output: lost ? undefined : output, call: instant - before, return: lost ? undefined : instant + after };
  });
}

const key = fc.constantFrom("a", "b", "c");
const value = fc.constantFrom("x", "y", "z");
const kvInput: fc.Arbitrary<KvInput> = fc.oneof(
  fc.record({ kind: fc.constant("get" as const), key }),
  fc.record({ kind: fc.constant("put" as const), key, value }),
  fc.record({ kind: fc.constant("append" as const), key, value }),
  fc.record({ kind: fc.constant("delete" as const), key }),
  fc.record({ kind: fc.constant("cas" as const), key, expected: fc.option(value, { nil: null }), value: fc.option(value, { nil: null }) }),
);
const jitterArb = (n: number): fc.Arbitrary<[number, number, boolean][]> =>
  fc.array(fc.tuple(fc.integer({ min: 0, max: 35 }), fc.integer({ min: 0, max: 35 }), fc.integer({ min: 0, max: 4 }).map((n) => n === 0)), { minLength: n, maxLength: n });

describe("linearizability checker properties", () => {
  it("accepts every history produced by a sequential execution, whatever the overlaps and lost answers", () => {
    fc.assert(
      fc.property(
        fc.array(kvInput, { minLength: 1, maxLength: 40 }).chain((inputs) => fc.tuple(fc.constant(inputs), jitterArb(inputs.length))),
        ([inputs, jitter]) => {
          const result = checkLinearizable(kvHistory(inputs, jitter), keyValueModel(), { timeoutMs: 10_000 });
          expect(result.verdict).toBe("ok");
        },
      ),
      { numRuns: simRuns(150) },
    );
  });

  it("refuses any history with a read of a value that was never written", () => {
    fc.assert(
      fc.property(
        fc.array(kvInput, { minLength: 1, maxLength: 40 }).chain((inputs) => fc.tuple(fc.constant(inputs), jitterArb(inputs.length), fc.nat(), key)),
        ([inputs, jitter, at, k]) => {
          const history = kvHistory(inputs, jitter);
          const time = (at % (inputs.length * 10)) - 5;
          history.push({ clientId: "reader", input: { kind: "get", key: k }, output: { value: "never" }, call: time, return: time + 3 });
          const result = checkLinearizable(history, keyValueModel(), { timeoutMs: 10_000 });
          expect(result.verdict).toBe("illegal");
          expect(result.counterexample?.stuckAt.clientId).toBe("reader");
        },
      ),
      { numRuns: simRuns(150) },
    );
  });

  it("accepts sequential register histories and refuses a read of a never-written value", () => {
    const regInput: fc.Arbitrary<RegisterInput> = fc.oneof(
      fc.constant({ kind: "read" as const }),
      fc.record({ kind: fc.constant("write" as const), value: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant("cas" as const), expected: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }), value: fc.integer({ min: 0, max: 4 }) }),
    );
    fc.assert(
      fc.property(fc.array(regInput, { minLength: 1, maxLength: 30 }), fc.nat(), (inputs, at) => {
        let register: RegisterValue | null = null;
        const history: Operation<RegisterInput, RegisterOutput>[] = inputs.map((input, i) => {
          let output: RegisterOutput = {};
          if (input.kind === "read") output = { value: register };
          else if (input.kind === "write") register = input.value;
          else {
            const ok = register === input.expected;
            if (ok) register = input.value;
            output = { ok };
          }
          return { clientId: i % 3, input, output, call: i * 2, return: i * 2 + 1 };
        });
        expect(checkLinearizable(history, registerModel()).ok).toBe(true);
        const time = at % (inputs.length * 2);
        history.push({ clientId: 9, input: { kind: "read" }, output: { value: 999 }, call: time, return: time + 1 });
        expect(checkLinearizable(history, registerModel()).verdict).toBe("illegal");
      }),
      { numRuns: simRuns(150) },
    );
  });
});
