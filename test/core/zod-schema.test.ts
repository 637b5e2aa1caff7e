import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as zm from "zod/mini";
import { z as z3 } from "zod/v3";
import { ValidationError } from "../../src/core/errors.js";
import { assertZodSchema } from "../../src/core/validation.js";

function problem(value: unknown): string {
  try {
    assertZodSchema(value, "inputs");
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const issue = (error as ValidationError).issues[0];
    return `${issue?.path} ${issue?.code}: ${issue?.message}`;
  }
  return "accepted";
}

describe("assertZodSchema", () => {
  it("accepts zod 4 schemas of any kind", () => {
    expect([problem(z.object({ a: z.string() })), problem(z.number()), problem(z.discriminatedUnion("op", [z.object({ op: z.literal("a") })]))]).toEqual(["accepted", "accepted", "accepted"]);
  });

  it("names the zod version needed for a zod 3 schema, a zod/mini schema, or no schema at all", () => {
    const need = 'edgeflow needs a schema from zod 4 (npm install zod@^4, then import { z } from "zod")';
    expect(problem(z3.object({ a: z3.string() }))).toBe(`inputs invalid_schema: inputs is a zod 3 schema; ${need}`);
    expect(problem(zm.object({ a: zm.string() }))).toBe(`inputs invalid_schema: inputs is a zod/mini schema, which lacks the methods edgeflow uses; ${need}`);
    expect(problem({ a: "string" })).toBe(`inputs invalid_schema: inputs is not a zod schema; ${need}`);
    expect(problem(undefined)).toBe(`inputs invalid_schema: inputs must be a zod schema, got undefined; ${need}`);
  });

  it("refuses a schema claiming another major version", () => {
    const future = { _zod: { version: { major: 5, minor: 0, patch: 0 } }, safeParse: () => undefined, optional: () => undefined };
    expect(problem(future)).toContain("inputs is a schema of zod 5;");
  });
});
