import { on, once } from "node:events";
import { describe, expect, it } from "vitest";
import { TypedEmitter } from "../../src/core/events.js";

type Events = { tick: number; done: { ok: boolean } };

describe("TypedEmitter with node:events helpers", () => {
  it("feeds a for-await loop through events.on until the signal aborts, then unsubscribes", async () => {
    const emitter = new TypedEmitter<Events>();
    const controller = new AbortController();
    const seen: number[] = [];
    const loop = (async () => {
      try {
        for await (const [n] of on(emitter, "tick", { signal: controller.signal })) {
          seen.push(n as number);
          if (seen.length === 3) controller.abort();
        }
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    for (let n = 1; n <= 5; n++) {
      emitter.emit("tick", n);
      await Promise.resolve();
    }
    const ended = await loop;
    expect(ended).toMatchObject({ name: "AbortError" });
    expect(seen).toEqual([1, 2, 3]);
    expect(emitter.listenerCount("tick")).toBe(0);
  });

  it("resolves events.once with the payload and leaves no listener behind", async () => {
    const emitter = new TypedEmitter<Events>();
    const next = once(emitter, "done");
    emitter.emit("done", { ok: true });
    expect(await next).toEqual([{ ok: true }]);
    expect(emitter.eventNames()).toEqual([]);
  });

  it("prepends, removes one subscription at a time, and chains like an EventEmitter", () => {
    const emitter = new TypedEmitter<Events>();
    const seen: string[] = [];
    const a = (n: number): void => {
      seen.push(`a${n}`);
    };
    emitter.on("tick", a).on("tick", a).prependListener("tick", (n) => seen.push(`first${n}`));
    emitter.emit("tick", 1);
    emitter.removeListener("tick", a);
    emitter.emit("tick", 2);
    expect(seen).toEqual(["first1", "a1", "a1", "first2", "a2"]);
    expect(emitter.listenerCount("tick", a)).toBe(1);
  });
});

describe("TypedEmitter and listeners that fail", () => {
  it("reports a throwing listener and still calls the others, without throwing at the emitter", () => {
    const errors: Array<[string, string]> = [];
    const emitter = new TypedEmitter<Events>({ onListenerError: (error, event) => errors.push([event, (error as Error).message]) });
    const seen: number[] = [];
    emitter.on("tick", () => {
      throw new Error("observer bug");
    });
    emitter.on("tick", (n) => seen.push(n));
    expect(() => emitter.emit("tick", 7)).not.toThrow();
    expect(seen).toEqual([7]);
    expect(errors).toEqual([["tick", "observer bug"]]);
  });

  it("reports a listener's rejected promise instead of leaving an unhandled rejection", async () => {
    const errors: string[] = [];
    const emitter = new TypedEmitter<Events>({ onListenerError: (error) => errors.push((error as Error).message) });
    emitter.on("tick", async () => {
      throw new Error("async observer bug");
    });
    emitter.emit("tick", 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual(["async observer bug"]);
  });

  it("falls back to a process warning, also when the error handler itself throws", () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(`${warning.name}: ${warning.message.split("\n")[0] ?? ""}`);
    };
    process.on("warning", onWarning);
    const plain = new TypedEmitter<Events>();
    plain.on("tick", () => {
      throw new Error("no handler");
    });
    const broken = new TypedEmitter<Events>({
      onListenerError: () => {
        throw new Error("handler bug");
      },
    });
    broken.on("tick", () => {
      throw new Error("listener bug");
    });
    return new Promise<void>((resolve) => {
      plain.emit("tick", 1);
      broken.emit("tick", 1);
      // Warnings are delivered on a later tick.
      setImmediate(() => {
        process.off("warning", onWarning);
        expect(warnings).toEqual(['EdgeflowListenerError: a listener of "tick" threw: Error: no handler', 'EdgeflowListenerError: a listener of "tick" threw: Error: handler bug']);
        resolve();
      });
    });
  });
});
