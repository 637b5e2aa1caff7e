import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { noopLogger } from "../../src/core/logger.js";
import { ServiceRegistry } from "../../src/core/services.js";
import { AttemptContext, type RunScope } from "../../src/workflow/context.js";

const scope: RunScope = { runId: "run", seed: 7, clock: new ManualClock(0), logger: noopLogger, infrastructure: new ServiceRegistry(), onProgress: () => undefined };

describe("AttemptContext's lazily made state", () => {
  it("hands out a signal already aborted, with the first reason, when aborted before anyone read it", () => {
    const ctx = new AttemptContext(scope, "n", "T", 1);
    ctx.abort("first");
    ctx.abort("second");
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBe("first");
  });

  it("aborts a signal already read, once, and keeps handing out the same one", () => {
    const ctx = new AttemptContext(scope, "n", "T", 1);
    const signal = ctx.signal;
    expect(signal.aborted).toBe(false);
    let events = 0;
    signal.addEventListener("abort", () => events++);
    ctx.abort("stop");
    ctx.abort("again");
    expect(ctx.signal).toBe(signal);
    expect([signal.aborted, signal.reason, events]).toEqual([true, "stop", 1]);
  });

  it("derives the same random stream for the same run seed, node and attempt, and keeps one per context", () => {
    const a = new AttemptContext(scope, "n", "T", 2);
    const b = new AttemptContext(scope, "n", "T", 2);
    const other = new AttemptContext(scope, "n", "T", 3);
    expect(a.random).toBe(a.random);
    const first = [a.random.float(), b.random.float(), other.random.float()];
    expect(first[0]).toBe(first[1]);
    expect(first[2]).not.toBe(first[0]);
    expect(a.logger).toBe(a.logger);
  });
});
