import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { z } from "zod";
import { CancelledError, EdgeflowError, NodeExecutionError, ValidationError, errorMessage, isEdgeflowError } from "../../src/core/errors.js";
import { TypedEmitter } from "../../src/core/events.js";
import { MinHeap } from "../../src/core/heap.js";
import { createConsoleLogger } from "../../src/core/logger.js";
import { joinPath, parseWith, safeParseWith } from "../../src/core/validation.js";

describe("TypedEmitter", () => {
  it("delivers payloads in subscription order, once() fires once, off() unsubscribes", () => {
    const events = new TypedEmitter<{ tick: number; done: { ok: boolean } }>();
    const seen: string[] = [];
    const first = (n: number): void => {
      seen.push(`a${n}`);
    };
    events.on("tick", first);
    events.on("tick", (n) => seen.push(`b${n}`));
    events.once("done", ({ ok }) => seen.push(`done ${ok}`));
    events.emit("tick", 1);
    events.emit("done", { ok: true });
    events.emit("done", { ok: false });
    events.off("tick", first);
    events.emit("tick", 2);
    expect(seen).toEqual(["a1", "b1", "done true", "b2"]);
    expect(events.listenerCount("tick")).toBe(1);
  });
});

describe("errors and validation", () => {
  it("ValidationError lists every issue with its path, frozen", () => {
    const schema = z.object({ name: z.string(), port: z.number().int().min(1), tags: z.array(z.string()) });
    const result = safeParseWith(schema, { name: 1, port: 0, tags: ["ok", 2] }, "config");
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.issues.map((i) => i.path);
    expect(paths).toEqual(["config.name", "config.port", "config.tags[1]"]);
    let error: unknown;
    try {
      parseWith(schema, { name: 1, port: 0, tags: [] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(isEdgeflowError(error, "validation")).toBe(true);
    expect(Object.isFrozen((error as ValidationError).issues)).toBe(true);
    expect((error as Error).message).toContain("2 validation problems");
  });

  it("typed errors keep their code, class name and cause", () => {
    const cause = new Error("disk full");
    const error = new NodeExecutionError("n1", "Sum", "boom", { cause, attempts: 3 });
    expect(error).toBeInstanceOf(EdgeflowError);
    expect(error.name).toBe("NodeExecutionError");
    expect(error.code).toBe("workflow.node_failed");
    expect(error.cause).toBe(cause);
    expect(error.attempts).toBe(3);
    expect(new CancelledError().code).toBe("cancelled");
    expect(errorMessage("text")).toBe("text");
    expect(errorMessage({ a: 1 })).toBe('{"a":1}');
    expect(joinPath("nodes", "a", 2, "config")).toBe("nodes.a[2].config");
  });
});

describe("MinHeap", () => {
  it("property: pops in sorted order, removeWhere keeps the rest ordered", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -100, max: 100 })), fc.integer({ min: 2, max: 5 }), (values, modulus) => {
        const heap = new MinHeap<number>((a, b) => a < b);
        for (const v of values) heap.push(v);
        const removed = heap.removeWhere((v) => Math.abs(v) % modulus === 0);
        expect(removed).toEqual(values.filter((v) => Math.abs(v) % modulus === 0).sort((a, b) => a - b));
        const out: number[] = [];
        for (let v = heap.pop(); v !== undefined; v = heap.pop()) out.push(v);
        expect(out).toEqual(values.filter((v) => Math.abs(v) % modulus !== 0).sort((a, b) => a - b));
      }),
    );
  });
});

describe("console logger", () => {
  it("writes JSON lines at or above its level, with child fields", () => {
    const lines: string[] = [];
    const logger = createConsoleLogger("info", (line) => lines.push(line), { service: "edge" });
    logger.debug("hidden");
    logger.child?.({ node: "n1" }).warn({ ms: 12 }, "slow");
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([{ level: "warn", message: "slow", service: "edge", node: "n1", ms: 12 }]);
  });
});
