import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeValue, truncateText } from "../../src/core/describe.js";
import { EdgeflowError, MAX_ERROR_MESSAGE_CHARS, NodeExecutionError, ValidationError, errorMessage } from "../../src/core/errors.js";
import { safeParseWith } from "../../src/core/validation.js";

const seed = process.env["SIM_SEED"] === undefined ? {} : { seed: Number(process.env["SIM_SEED"]) };
const megabyte = "x".repeat(1_000_000);
/** The longest note truncateText appends. */
const noteChars = "… (1000000000 more characters)".length;

describe("describeValue", () => {
  it("property: any value is described within the bound, without throwing", () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true }), fc.integer({ min: 1, max: 300 }), (value, max) => {
        expect(describeValue(value, max).length).toBeLessThanOrEqual(max + noteChars);
      }),
      { numRuns: 300, ...seed },
    );
  });

  it("renders the common kinds readably, and cycles without failing", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect([describeValue("edge-1"), describeValue(Number.NaN), describeValue(10n), describeValue(null), describeValue({ a: [1] }), describeValue(cyclic)]).toEqual([
      '"edge-1"',
      "NaN",
      "10n",
      "null",
      '{"a":[1]}',
      "[object Object]",
    ]);
    expect(truncateText(megabyte, 10)).toBe("xxxxxxxxxx… (999990 more characters)");
  });
});

describe("error messages never echo a megabyte of input", () => {
  it("ValidationError bounds each issue and lists the first ten, keeping every issue", () => {
    const issues = Array.from({ length: 1000 }, (_, i) => ({ path: `items[${i}]`, message: i === 0 ? `bad value ${megabyte}` : `bad value ${"y".repeat(10_000)}` }));
    const error = new ValidationError(issues);
    expect(error.issues).toHaveLength(1000);
    expect(error.issues[0]?.message.length).toBeLessThanOrEqual(500 + noteChars);
    expect(error.message.length).toBeLessThan(MAX_ERROR_MESSAGE_CHARS);
    expect(error.message).toContain("and 990 more (see error.issues)");
  });

  it("every EdgeflowError message is bounded, and so is errorMessage of anything thrown", () => {
    expect(new EdgeflowError("test.huge", megabyte).message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_CHARS + noteChars);
    expect(errorMessage({ payload: megabyte }).length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_CHARS + noteChars);
    expect(new NodeExecutionError("n", "T", errorMessage(megabyte)).message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_CHARS + noteChars);
  });

  it("zod issues that quote the input are bounded too", () => {
    const schema = z.string().superRefine((s, ctx) => {
      if (!s.startsWith("edge-")) ctx.addIssue({ code: "custom", message: `not an edge id: ${s}` });
    });
    const result = safeParseWith(schema, megabyte, "edgeId");
    expect(result.ok ? [] : result.issues.map((i) => [i.path, i.message.length <= 500 + noteChars])).toEqual([["edgeId", true]]);
  });
});
