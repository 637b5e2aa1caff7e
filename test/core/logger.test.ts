import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { childLogger, createConsoleLogger, type Logger } from "../../src/core/logger.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import { defineNode } from "../../src/workflow/node.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { z } from "zod";

/** A pino logger writing JSON lines into an array. */
function recordingPino(): { logger: pino.Logger; records: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ base: undefined, timestamp: false }, stream);
  return { logger, records: () => lines.join("").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const Logs = defineNode({
  type: "Logs",
  description: "Writes one log record.",
  config: z.object({}),
  inputs: z.object({}),
  outputs: z.object({ ok: z.boolean() }),
  run: async (ctx) => {
    ctx.logger.info({ edgeId: "edge-1" }, "placed");
    ctx.logger.warn("no fields");
    return { ok: true };
  },
});

async function runLogsNode(logger: Logger): Promise<void> {
  const workflow = new WorkflowBuilder(new NodeRegistry().register(Logs)).addNode("Logs", "log", {}).build();
  const run = await new LocalRuntime({ clock: new ManualClock(), logger }).execute(workflow);
  expect(run.status).toBe("completed");
}

describe("Logger convention (pino's order: fields, then message)", () => {
  it("a real pino logger plugs in unchanged and keeps every field, child bindings included", async () => {
    const { logger, records } = recordingPino();
    await runLogsNode(logger);
    const [placed, bare] = records();
    expect(placed).toMatchObject({ level: 30, msg: "placed", edgeId: "edge-1", nodeId: "log", attempt: 1 });
    expect(placed?.["runId"]).toMatch(/^run-/);
    expect(bare).toMatchObject({ level: 40, msg: "no fields", nodeId: "log" });
  });

  it("console plugs in unchanged: fields (with the child's) printed beside the message", async () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => undefined);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      await runLogsNode(console);
      expect(info.mock.calls).toEqual([[expect.objectContaining({ edgeId: "edge-1", nodeId: "log", attempt: 1 }), "placed"]]);
      expect(warn.mock.calls).toEqual([[expect.objectContaining({ nodeId: "log" }), "no fields"]]);
    } finally {
      info.mockRestore();
      warn.mockRestore();
    }
  });

  it("childLogger merges fields for loggers without child(), nesting included", () => {
    const calls: unknown[][] = [];
    const minimal: Logger = { debug: (...a: unknown[]) => calls.push(a), info: (...a: unknown[]) => calls.push(a), warn: () => undefined, error: () => undefined };
    const child = childLogger(childLogger(minimal, { a: 1 }), { b: 2 });
    child.info({ c: 3 }, "hello");
    child.info("bare");
    expect(calls).toEqual([
      [{ a: 1, b: 2, c: 3 }, "hello"],
      [{ a: 1, b: 2 }, "bare"],
    ]);
  });

  it("createConsoleLogger takes both forms and writes one JSON line per record", () => {
    const lines: string[] = [];
    const logger = createConsoleLogger("info", (line) => lines.push(line), { service: "edge" });
    logger.debug("hidden");
    childLogger(logger, { node: "n1" }).warn({ ms: 12 }, "slow");
    logger.error("plain");
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { level: "warn", message: "slow", service: "edge", node: "n1", ms: 12 },
      { level: "error", message: "plain", service: "edge" },
    ]);
  });
});
