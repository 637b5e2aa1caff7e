import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { Random } from "../../src/core/random.js";
import { ReplicatedLeaseStore, type LeaseKV, type VersionedLeaseKV } from "../../src/lifecycle/replicated-lease-store.js";
import type { Lease } from "../../src/lifecycle/types.js";
import { simRuns, simSeed, withSeed } from "../support/sim.js";

/** A linearizable in-memory KV whose compare-and-set on one key can be held back, to force interleavings. */
class GatedKV implements LeaseKV {
  readonly data = new Map<string, string>();
  private gate: { key: string; match: string; open: Promise<void> } | undefined;

  /** The next compare-and-set on `key` writing a value containing `match` waits for `open`. */
  hold(key: string, match: string, open: Promise<void>): void {
    this.gate = { key, match, open };
  }

  async get(key: string): Promise<string | null> {
    return this.data.get(key) ?? null;
  }

  async compareAndSet(key: string, expected: string | null, value: string | null): Promise<boolean> {
    const gate = this.gate;
    if (gate !== undefined && key === gate.key && value !== null && value.includes(gate.match)) {
      this.gate = undefined;
      await gate.open;
    }
    if ((this.data.get(key) ?? null) !== expected) return false;
    if (value === null) this.data.delete(key);
    else this.data.set(key, value);
    return true;
  }
}

describe("ReplicatedLeaseStore under interleaved clients", () => {
  it("a lease granted after another on the same resource always carries a larger fencing token (no ABA on release)", async () => {
    const clock = new ManualClock(0);
    const kv = new GatedKV();
    const a = new ReplicatedLeaseStore({ kv, clock });
    const b = new ReplicatedLeaseStore({ kv, clock });
    let open = (): void => undefined;
    kv.hold("edgeflow/lease/r", '"holder":"a"', new Promise<void>((resolve) => (open = resolve)));
    // a reads "free", takes a token and stalls just before its compare-and-set (a slow leader, say).
    const slow = a.acquire("r", "a", 1_000);
    await new Promise((resolve) => setImmediate(resolve));
    // Meanwhile b takes the resource with a later token, writes under it, and gives it up.
    const granted: Lease[] = [];
    const leaseB = await b.acquire("r", "b", 1_000);
    granted.push(leaseB);
    await b.release("r", "b", leaseB.token);
    open();
    const outcome = await slow.then(
      (lease) => lease,
      () => undefined,
    );
    if (outcome !== undefined) granted.push(outcome);
    // Whatever a's fate, every lease granted on "r" later must fence out every earlier one.
    for (let i = 1; i < granted.length; i++) expect((granted[i] as Lease).token).toBeGreaterThan((granted[i - 1] as Lease).token);
    a.close();
    b.close();
  });

  for (const versioned of [false, true]) {
    it(`simulation (${versioned ? "store with revisions: tokens are log indexes" : "plain store: token counter"}): concurrent clients on a jittery store: one live holder at a time, tokens rise along the key's history`, async () => {
      const runs = simRuns(30);
      // A run whose first holder keeps renewing never hands over; the runs together must, often.
      let runsWithHandovers = 0;
      for (let r = 0; r < runs; r++) {
        await withSeed(simSeed(31) + r, async (seed) => {
          const random = new Random(seed);
          const clock = new ManualClock(0);
          /** Every value written to the lease key, with the revision it was written at. */
          const history: Array<{ raw: string; revision: number }> = [];
          // Every call yields a seeded number of times first, so clients interleave differently each run.
          const jitter = async (): Promise<void> => {
            for (let i = random.int(0, 3); i > 0; i--) await Promise.resolve();
          };
          const data = new Map<string, { value: string; revision: number }>();
          let lastRevision = 0;
          const swap = (key: string, expected: string | null, value: string | null): { ok: boolean; previous: string | null; revision: number } => {
            const previous = data.get(key)?.value ?? null;
            const revision = ++lastRevision;
            if (previous !== expected) return { ok: false, previous, revision };
            if (value === null) data.delete(key);
            else data.set(key, { value, revision });
            if (key === "edgeflow/lease/r" && value !== null) history.push({ raw: value, revision });
            return { ok: true, previous, revision };
          };
          const plain: LeaseKV = {
            get: async (key) => {
              await jitter();
              return data.get(key)?.value ?? null;
            },
            compareAndSet: async (key, expected, value) => {
              await jitter();
              return swap(key, expected, value).ok;
            },
          };
          const withRevisions: VersionedLeaseKV = {
            ...plain,
            read: async (key) => {
              await jitter();
              return { value: data.get(key)?.value ?? null, revision: data.get(key)?.revision ?? 0 };
            },
            compareAndSwap: async (key, expected, value) => {
              await jitter();
              return swap(key, expected, value);
            },
            keys: async (prefix) => [...data.keys()].filter((k) => k.startsWith(prefix)).sort(),
          };
          const kv = versioned ? withRevisions : plain;
          const clients = ["a", "b", "c"].map((holder) => ({ holder, store: new ReplicatedLeaseStore({ kv, clock, maxAttempts: 64 }) }));
          const granted: Lease[] = [];
          const work = clients.map(async ({ holder, store }) => {
            for (let step = 0; step < 6; step++) {
              try {
                const lease = await store.acquire("r", holder, 50);
                granted.push(lease);
                if (random.int(0, 1) === 0) await store.release("r", holder, lease.token);
              } catch {
                // Refused (someone else holds it) or gave up on contention: both are allowed outcomes.
              }
              if (random.int(0, 2) === 0) clock.advance(random.int(0, 60));
            }
          });
          await Promise.all(work);
          const records = history.map(({ raw, revision }) => {
            const record = JSON.parse(raw) as Omit<Lease, "token"> & { token?: number; ended?: string };
            return { ...record, token: record.token ?? revision };
          });
          for (let i = 1; i < records.length; i++) {
            const before = records[i - 1] as Lease & { ended?: string };
            const after = records[i] as Lease & { ended?: string };
            expect(after.token).toBeGreaterThanOrEqual(before.token);
            // A different holder only ever follows an ended or expired lease.
            if (after.token !== before.token) expect(before.ended !== undefined || before.expiresAt <= after.acquiredAt).toBe(true);
          }
          if (new Set(records.map((l) => l.token)).size > 1) runsWithHandovers++;
          // The tokens callers were handed are the tokens the key's history carries.
          const written = new Set(records.map((l) => l.token));
          for (const lease of granted) expect(written.has(lease.token)).toBe(true);
          for (const { store } of clients) await store.close();
        });
      }
      expect(runsWithHandovers).toBeGreaterThan(runs / 2);
    });
  }
});
