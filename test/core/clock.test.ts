import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ManualClock, sleep } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";

describe("ManualClock", () => {
  it("fires due timers in time order, ties in creation order", () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimer(20, () => fired.push("b@20"));
    clock.setTimer(10, () => fired.push("a@10"));
    clock.setTimer(20, () => fired.push("c@20"));
    clock.setTimer(30, () => fired.push("d@30"));
    clock.advance(20);
    expect(fired).toEqual(["a@10", "b@20", "c@20"]);
    expect(clock.now()).toBe(20);
    clock.advance(10);
    expect(fired).toEqual(["a@10", "b@20", "c@20", "d@30"]);
  });

  it("runs timers scheduled by timers within the same advance, at their due time", () => {
    const clock = new ManualClock(100);
    const seen: number[] = [];
    clock.setTimer(5, () => {
      seen.push(clock.now());
      clock.setTimer(5, () => seen.push(clock.now()));
    });
    clock.advance(10);
    expect(seen).toEqual([105, 110]);
  });

  it("cancelled timers never fire", () => {
    const clock = new ManualClock();
    let fired = false;
    const handle = clock.setTimer(1, () => (fired = true));
    clock.clearTimer(handle);
    clock.advance(5);
    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("rejects negative and non-finite delays", () => {
    const clock = new ManualClock();
    expect(() => clock.setTimer(-1, () => undefined)).toThrow(ValidationError);
    expect(() => clock.advance(Number.NaN)).toThrow(ValidationError);
  });

  it("property: timers fire sorted by (due, creation)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 40 }), (delays) => {
        const clock = new ManualClock();
        const fired: Array<[number, number]> = [];
        delays.forEach((d, i) => clock.setTimer(d, () => fired.push([d, i])));
        clock.advance(50);
        const expected = delays.map((d, i) => [d, i] as [number, number]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
        expect(fired).toEqual(expected);
      }),
    );
  });

  it("advanceAsync lets awaiting code progress through sleeps without real waiting", async () => {
    const clock = new ManualClock();
    const order: number[] = [];
    const task = (async () => {
      await sleep(clock, 100);
      order.push(clock.now());
      await sleep(clock, 100);
      order.push(clock.now());
    })();
    await clock.advanceAsync(250);
    await task;
    expect(order).toEqual([100, 200]);
  });

  it("sleep rejects with the abort reason", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const pending = sleep(clock, 100, controller.signal);
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
    expect(clock.pendingTimers()).toBe(0);
  });
});
