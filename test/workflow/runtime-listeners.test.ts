import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import type { Logger, LogFields } from "../../src/core/logger.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import type { RuntimeEvents } from "../../src/workflow/types.js";
import { testRegistry } from "./fixtures.js";

function recordingLogger(lines: Array<{ level: string; fields: LogFields | undefined }>): Logger {
  const at =
    (level: string) =>
    (...args: unknown[]): void => {
      const fields = args.find((a): a is LogFields => typeof a === "object" && a !== null);
      lines.push({ level, fields });
    };
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: () => logger };
  return logger;
}

describe("LocalRuntime with listeners that throw", () => {
  it("settles the run and reports every listener error to the logger", async () => {
    const lines: Array<{ level: string; fields: LogFields | undefined }> = [];
    const runtime = new LocalRuntime({ clock: new ManualClock(), logger: recordingLogger(lines) });
    const names: Array<keyof RuntimeEvents & string> = ["run:start", "node:start", "node:complete", "run:complete"];
    for (const name of names) {
      runtime.events.on(name, () => {
        throw new Error(`listener of ${name} broke`);
      });
    }
    const asyncFailures: string[] = [];
    runtime.events.on("node:complete", async (event) => {
      asyncFailures.push(event.nodeId);
      throw new Error("async listener broke");
    });
    const workflow = new WorkflowBuilder(testRegistry()).addNode("Sum", "a", { weight: 1 }).addNode("Sum", "b", { weight: 2 }).connect("a", "value", "b", "p0").build();

    const run = await runtime.execute(workflow);
    await new Promise((resolve) => setImmediate(resolve));

    expect(run.status).toBe("completed");
    expect(run.results.b.status === "completed" ? run.results.b.output.value : undefined).toBe(3);
    expect(asyncFailures).toEqual(["a", "b"]);
    const reported = lines.filter((l) => l.level === "error").map((l) => l.fields);
    expect(reported).toHaveLength(1 + 2 + 2 + 1 + 2);
    expect(reported).toContainEqual({ event: "run:start", error: "listener of run:start broke" });
    expect(reported).toContainEqual({ event: "node:complete", error: "async listener broke" });
  });
});
