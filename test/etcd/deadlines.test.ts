import { describe, expect, it } from "vitest";
import { ManualClock, settle } from "../../src/core/clock.js";
import { CancelledError, TimeoutError } from "../../src/core/errors.js";
import { EtcdUnavailableError } from "../../src/etcd/errors.js";
import { RequestDeadlines } from "../../src/etcd/deadlines.js";

/** A request that settles only when told to. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("RequestDeadlines: one timer for a backend's request timeouts", () => {
  it("each request times out at its own deadline, whichever settled before it; answers in time pass through", async () => {
    const clock = new ManualClock(0);
    const deadlines = new RequestDeadlines(clock, 100);
    const outcomes: string[] = [];
    const track = (name: string, p: Promise<unknown>): void => {
      p.then(
        (v) => outcomes.push(`${name}:${String(v)}`),
        (e: unknown) => outcomes.push(`${name}:${e instanceof TimeoutError ? "timeout" : String(e)}`),
      );
    };
    const a = deferred<string>();
    track("a", deadlines.run("a", () => a.promise));
    clock.advance(30);
    const b = deferred<string>();
    track("b", deadlines.run("b", () => b.promise));
    clock.advance(30);
    const c = deferred<string>();
    track("c", deadlines.run("c", () => c.promise));
    a.resolve("ok");
    await settle();
    expect(outcomes).toEqual(["a:ok"]);
    clock.advance(69); // t=129: b is due at 130
    await settle();
    expect(outcomes).toEqual(["a:ok"]);
    clock.advance(1);
    await settle();
    expect(outcomes).toEqual(["a:ok", "b:timeout"]);
    b.resolve("late"); // dropped: b's caller was already told
    clock.advance(30);
    await settle();
    expect(outcomes).toEqual(["a:ok", "b:timeout", "c:timeout"]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("no timer outlives the requests; abort and client errors are typed", async () => {
    const clock = new ManualClock(0);
    const deadlines = new RequestDeadlines(clock, 100);
    await expect(deadlines.run("get", () => Promise.resolve(1))).resolves.toBe(1);
    expect(clock.pendingTimers()).toBe(0);
    await expect(deadlines.run("get", () => Promise.reject(new Error("connect ECONNREFUSED")))).rejects.toBeInstanceOf(EtcdUnavailableError);
    await expect(
      deadlines.run("get", () => {
        throw new Error("thrown before any promise");
      }),
    ).rejects.toBeInstanceOf(EtcdUnavailableError);
    const controller = new AbortController();
    const pending = deadlines.run("get", () => new Promise<never>(() => undefined), controller.signal);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    expect(clock.pendingTimers()).toBe(0);
    await expect(deadlines.run("get", () => Promise.resolve(1), controller.signal)).rejects.toBeInstanceOf(CancelledError);
  });
});
