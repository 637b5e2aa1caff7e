import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { InMemoryLeaseStore } from "../../src/lifecycle/lease-store.js";
import { LeaseConflictError, LeaseNotHeldError, StaleFencingTokenError } from "../../src/lifecycle/errors.js";
import type { Lease } from "../../src/lifecycle/types.js";
import { simRuns, simSeed } from "../support/sim.js";

describe("InMemoryLeaseStore", () => {
  it("grants, refuses a second holder, renews, releases", async () => {
    const clock = new ManualClock(0);
    const leases = new InMemoryLeaseStore({ clock });
    const a = await leases.acquire("edge:1", "a", 1_000);
    expect(a).toMatchObject({ holder: "a", expiresAt: 1_000 });
    await expect(leases.acquire("edge:1", "b", 1_000)).rejects.toBeInstanceOf(LeaseConflictError);
    clock.advance(600);
    const renewed = await leases.renew("edge:1", "a", a.token);
    expect(renewed.expiresAt).toBe(1_600);
    expect(renewed.token).toBe(a.token);
    await expect(leases.renew("edge:1", "b", a.token)).rejects.toBeInstanceOf(LeaseNotHeldError);
    await leases.release("edge:1", "a", a.token);
    expect(await leases.get("edge:1")).toBeUndefined();
    const b = await leases.acquire("edge:1", "b", 1_000);
    expect(b.token).toBeGreaterThan(a.token);
  });

  it("re-acquiring one's own lease extends it and keeps the token (retries are harmless)", async () => {
    const clock = new ManualClock(0);
    const leases = new InMemoryLeaseStore({ clock });
    const first = await leases.acquire("r", "a", 1_000);
    clock.advance(500);
    const again = await leases.acquire("r", "a", 1_000);
    expect(again.token).toBe(first.token);
    expect(again.expiresAt).toBe(1_500);
  });

  it("expiry fires lease:expired on the clock and frees the resource; the old holder can no longer renew or write", async () => {
    const clock = new ManualClock(0);
    const leases = new InMemoryLeaseStore({ clock });
    const expired: Lease[] = [];
    leases.events.on("lease:expired", (lease) => expired.push(lease));
    const a = await leases.acquire("edge:1", "a", 1_000);
    clock.advance(999);
    expect(expired).toHaveLength(0);
    await leases.checkFence("edge:1", a.token);
    clock.advance(1);
    expect(expired.map((l) => l.holder)).toEqual(["a"]);
    expect(await leases.list()).toHaveLength(0);
    await expect(leases.renew("edge:1", "a", a.token)).rejects.toBeInstanceOf(LeaseNotHeldError);
    await expect(leases.checkFence("edge:1", a.token)).rejects.toBeInstanceOf(StaleFencingTokenError);
    const b = await leases.acquire("edge:1", "b", 1_000);
    await expect(leases.checkFence("edge:1", a.token)).rejects.toMatchObject({ currentToken: b.token });
  });

  it("validates arguments", async () => {
    const leases = new InMemoryLeaseStore({ clock: new ManualClock(0) });
    await expect(leases.acquire("", "a", 1_000)).rejects.toBeInstanceOf(ValidationError);
    await expect(leases.acquire("r", "a", 0)).rejects.toBeInstanceOf(ValidationError);
    await expect(leases.acquire("r", "a", 1.5)).rejects.toBeInstanceOf(ValidationError);
    await expect(leases.renew("r", "a", -1)).rejects.toBeInstanceOf(ValidationError);
  });

  it("property: at most one holder at any instant, fencing tokens strictly increase, stale writes are refused", async () => {
    const holders = ["a", "b", "c"];
    const op = fc.oneof(
      fc.record({ kind: fc.constant("acquire" as const), who: fc.constantFrom(...holders), ttl: fc.integer({ min: 1, max: 500 }) }),
      fc.record({ kind: fc.constant("renew" as const), who: fc.constantFrom(...holders), ttl: fc.integer({ min: 1, max: 500 }) }),
      fc.record({ kind: fc.constant("release" as const), who: fc.constantFrom(...holders) }),
      fc.record({ kind: fc.constant("write" as const), who: fc.constantFrom(...holders) }),
      fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 400 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 20, maxLength: 80 }), async (ops) => {
        const clock = new ManualClock(0);
        const leases = new InMemoryLeaseStore({ clock });
        // What each holder was last told: it believes it holds the lease while now < expiresAt.
        const told = new Map<string, Lease>();
        const issued: number[] = [];
        const believers = (): string[] => holders.filter((h) => (told.get(h)?.expiresAt ?? -1) > clock.now());
        for (const o of ops) {
          if (o.kind === "advance") {
            clock.advance(o.ms);
          } else if (o.kind === "acquire") {
            try {
              const lease = await leases.acquire("res", o.who, o.ttl);
              if (told.get(o.who)?.token !== lease.token) issued.push(lease.token);
              told.set(o.who, lease);
            } catch (error) {
              expect(error).toBeInstanceOf(LeaseConflictError);
            }
          } else if (o.kind === "renew") {
            const mine = told.get(o.who);
            if (mine === undefined) continue;
            try {
              told.set(o.who, await leases.renew("res", o.who, mine.token, o.ttl));
            } catch (error) {
              expect(error).toBeInstanceOf(LeaseNotHeldError);
              expect(mine.expiresAt <= clock.now() || believers().some((h) => h !== o.who)).toBe(true);
            }
          } else if (o.kind === "release") {
            const mine = told.get(o.who);
            if (mine === undefined) continue;
            try {
              await leases.release("res", o.who, mine.token);
              told.delete(o.who);
            } catch (error) {
              expect(error).toBeInstanceOf(LeaseNotHeldError);
            }
          } else {
            const mine = told.get(o.who);
            if (mine === undefined) continue;
            const live = mine.expiresAt > clock.now();
            let accepted = true;
            try {
              await leases.checkFence("res", mine.token);
            } catch (error) {
              expect(error).toBeInstanceOf(StaleFencingTokenError);
              accepted = false;
            }
            // A write is accepted exactly when the writer's lease is still live.
            expect(accepted).toBe(live);
          }
          expect(believers().length).toBeLessThanOrEqual(1);
          const current = await leases.get("res");
          const believer = believers()[0];
          expect(current?.holder).toBe(believer);
        }
        for (let i = 1; i < issued.length; i++) expect(issued[i] as number).toBeGreaterThan(issued[i - 1] as number);
        leases.close();
      }),
      { numRuns: simRuns(100), seed: simSeed(100) },
    );
  });
});
