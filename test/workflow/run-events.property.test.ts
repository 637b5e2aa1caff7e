import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ManualClock } from "../../src/core/clock.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { RuntimeEmitter } from "../../src/workflow/run-events.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import type { RuntimeEvents } from "../../src/workflow/types.js";
import { testRegistry } from "./fixtures.js";

type Name = "node:start" | "node:complete" | "run:start";
const names: readonly Name[] = ["node:start", "node:complete", "run:start"];
const methods = ["on", "addListener", "once", "prependListener", "prependOnceListener", "off", "removeListener", "removeAll", "removeAllOf", "emit"] as const;

/** One step: a method, the event it names, which of three listeners it passes, and whether that listener adds another as it is called. */
const step = fc.record({ method: fc.constantFrom(...methods), event: fc.constantFrom(...names), listener: fc.integer({ min: 0, max: 2 }), nests: fc.boolean() });

const startPayload: RuntimeEvents["node:start"] = { runId: "r", nodeId: "n", nodeType: "T", attempt: 1 };
const completePayload: RuntimeEvents["node:complete"] = { runId: "r", nodeId: "n", output: {}, attempts: 1, durationMs: 0 };
const runStartPayload: RuntimeEvents["run:start"] = { runId: "r", workflow: undefined, nodeCount: 1 };

function emit(emitter: RuntimeEmitter, event: Name): void {
  if (event === "node:start") emitter.emit(event, startPayload);
  else if (event === "node:complete") emitter.emit(event, completePayload);
  else emitter.emit(event, runStartPayload);
}

describe("RuntimeEmitter's listener flags", () => {
  it("say what listenerCount says after any sequence of subscriptions, removals and emissions", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const emitter = new RuntimeEmitter({ onListenerError: () => undefined });
        const flagsMatch = (): boolean =>
          emitter.startListened === emitter.listenerCount("node:start") > 0 && emitter.completeListened === emitter.listenerCount("node:complete") > 0;
        // Checked from inside listeners too: a listener may run while a `once` registration is being removed.
        let seenWrong = false;
        const listeners = [0, 1, 2].map((k) => (): void => {
          // Adding a listener from inside a listener must show at once: the flags may never say no while someone listens.
          if (k === 2 && emitter.listenerCount("node:start") === 0) emitter.once("node:start", () => undefined);
          if (emitter.listenerCount("node:start") > 0 && !emitter.startListened) seenWrong = true;
          if (emitter.listenerCount("node:complete") > 0 && !emitter.completeListened) seenWrong = true;
        });
        for (const { method, event, listener, nests } of steps) {
          const chosen = listeners[nests ? 2 : listener] ?? (() => undefined);
          switch (method) {
            case "removeAll":
              emitter.removeAllListeners();
              break;
            case "removeAllOf":
              emitter.removeAllListeners(event);
              break;
            case "emit":
              emit(emitter, event);
              break;
            default:
              emitter[method](event, chosen);
          }
          if (!flagsMatch() || seenWrong) return false;
        }
        return true;
      }),
    );
  });
});

describe("LocalRuntime events through the flags", () => {
  it("reports node:start and node:complete to listeners a node adds mid-run, and to a once listener exactly once", async () => {
    const runtime = new LocalRuntime({ clock: new ManualClock() });
    const started: string[] = [];
    const completed: string[] = [];
    const onceSeen: string[] = [];
    runtime.events.once("node:complete", (event) => onceSeen.push(event.nodeId));
    // The first node to complete subscribes: every later start and completion must reach the new listeners.
    runtime.events.once("node:complete", () => {
      runtime.events.on("node:start", (event) => started.push(event.nodeId));
      runtime.events.on("node:complete", (event) => completed.push(event.nodeId));
    });
    const builder = new WorkflowBuilder(testRegistry()).addNode("Sum", "a", { weight: 1 }).addNode("Sum", "b", { weight: 1 }).addNode("Sum", "c", { weight: 1 });
    const workflow = builder.connect("a", "value", "b", "p0").connect("b", "value", "c", "p0").build();
    await runtime.execute(workflow);
    expect(onceSeen).toEqual(["a"]);
    expect(started).toEqual(["b", "c"]);
    expect(completed).toEqual(["b", "c"]);
    expect(runtime.events.listenerCount("node:complete")).toBe(1);
  });
});
