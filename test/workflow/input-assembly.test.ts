import { describe, expect, it } from "vitest";
import { inputAssembler } from "../../src/workflow/input-assembly.js";

describe("inputAssembler", () => {
  it("builds a node's inputs from its producers' outputs, edge by edge", () => {
    const assemble = inputAssembler(["left", "right"], ["value", "total"]);
    const outputs = [{ value: 1 }, { total: 2 }, { value: 3 }];
    expect(assemble?.(outputs, Int32Array.from([9, 2, 1]), 1)).toEqual({ left: 3, right: 2 });
  });

  it("shares one assembler between nodes wired alike", () => {
    expect(inputAssembler(["a"], ["value"])).toBe(inputAssembler(["a"], ["value"]));
    expect(inputAssembler(["a"], ["value"])).not.toBe(inputAssembler(["b"], ["value"]));
  });

  it("keeps names with quotes, backslashes and code in them as plain keys", () => {
    const hostile = ['a"; throw 1; "', "b\\", "c`${process.exit()}`", "constructor"];
    const assemble = inputAssembler(hostile, hostile);
    const output = Object.fromEntries(hostile.map((name, k) => [name, k]));
    const inputs = assemble?.([output], Int32Array.from([0, 0, 0, 0]), 0);
    expect(inputs).toEqual(output);
    expect(Object.getPrototypeOf(inputs)).toBe(Object.prototype);
  });

  it("leaves a port named __proto__ to the hand-written loop, which a literal would turn into a prototype", () => {
    expect(inputAssembler(["__proto__"], ["value"])).toBeUndefined();
  });
});
