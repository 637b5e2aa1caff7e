import { describe, expect, it } from "vitest";
import type { KvInput, KvOutput, Operation } from "../../src/testing/index.js";
import { fencedValue, fencingViolations, tokenViolations, type Grant } from "./support/histories.js";

const grant = (holder: string, token: number, acquireCall: number, acquireReturn: number, resource = "r"): Grant => ({ holder, resource, token, acquireCall, acquireReturn });
const cas = (expected: string | null, value: string, ok: boolean | undefined, call: number): Operation<KvInput, KvOutput> => ({
  clientId: value,
  input: { kind: "cas", key: "k", expected, value },
  output: ok === undefined ? undefined : { ok },
  call,
  return: ok === undefined ? Number.POSITIVE_INFINITY : call + 1,
});

describe("fencing checks of the etcd fault tests", () => {
  it("accepts increasing tokens, and a holder getting its own token again", () => {
    expect(tokenViolations([grant("a", 5, 0, 1), grant("b", 9, 2, 3), grant("b", 9, 4, 5), grant("a", 12, 6, 7), grant("c", 3, 0, 1, "other")])).toEqual([]);
  });

  it("reports a token shared by two holders and a later holder given an older token", () => {
    expect(tokenViolations([grant("a", 5, 0, 1), grant("b", 5, 2, 3)])).toHaveLength(2);
    expect(tokenViolations([grant("a", 9, 0, 1), grant("b", 7, 2, 3)])).toEqual(["b asked for a lease after a got token 9, yet got token 7"]);
    // Overlapping requests may be granted in either order.
    expect(tokenViolations([grant("a", 9, 0, 5), grant("b", 7, 2, 3)])).toEqual([]);
  });

  it("rebuilds the chain of uses, counting a use of unknown outcome that was built upon", () => {
    const v1 = fencedValue(3, "a", 1);
    const v2 = fencedValue(3, "a", 2);
    const v3 = fencedValue(8, "b", 3);
    const { chain, problems } = fencingViolations([cas(null, v1, true, 0), cas(v1, v2, undefined, 2), cas(v2, v3, true, 4), cas(v1, fencedValue(8, "b", 4), false, 5)], "k");
    expect(chain).toEqual([v1, v2, v3]);
    expect(problems).toEqual([]);
  });

  it("reports an older token used after a newer one, and a confirmed use off the chain", () => {
    const newer = fencedValue(8, "b", 1);
    const older = fencedValue(3, "a", 2);
    expect(fencingViolations([cas(null, newer, true, 0), cas(newer, older, true, 2)], "k").problems).toEqual([`${older} took effect after ${newer}: an older token used after a newer one`]);
    expect(fencingViolations([cas(null, newer, true, 0), cas("elsewhere", older, true, 2)], "k").problems).toEqual([`confirmed use ${older} is not in the chain of uses`]);
  });
});
