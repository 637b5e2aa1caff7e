/**
 * Lets virtual time pass while work is pending: the fault schedule's network partition starts and
 * heals on time, and the observer checks the invariants after every step.
 */
import type { FaultSchedule } from "./scenario.js";
import type { Observer } from "./observer.js";
import { MEMBERS, type World } from "./world.js";

/** Virtual time per step: below the Raft tick, so no election or heartbeat goes unobserved. */
export const STEP_MS = 50;

export class Driver {
  private readonly startedAt: number;
  /** Member cut off by each partition window while it is open, chosen when it opens. */
  private readonly cutOff = new Map<number, string>();
  private healed = false;

  constructor(
    private readonly world: World,
    private readonly observer: Observer,
    private readonly faults: FaultSchedule,
  ) {
    this.startedAt = world.clock.now();
  }

  /** Advances time until `done()` holds; throws if it does not within `limitMs` of virtual time. */
  async until(done: () => boolean, limitMs: number, what: string): Promise<void> {
    const deadline = this.world.clock.now() + limitMs;
    while (!done()) {
      if (this.world.clock.now() >= deadline) throw new Error(`${what} did not happen within ${limitMs} ms of virtual time`);
      await this.step();
    }
  }

  /** Advances time by `ms`. */
  async idle(ms: number): Promise<void> {
    const end = this.world.clock.now() + ms;
    while (this.world.clock.now() < end) await this.step();
  }

  /** Runs `work` to its end while time passes. */
  async complete<T>(work: Promise<T>, limitMs: number, what: string): Promise<T> {
    let finished = false;
    const watched = work.finally(() => {
      finished = true;
    });
    // Rejections are taken up by the `await` below; this only stops an early one being reported unhandled.
    watched.catch(() => undefined);
    await this.until(() => finished, limitMs, what);
    return watched;
  }

  /** Ends every network fault: the cluster can converge. */
  healAll(): void {
    this.world.network.heal();
    this.world.network.setDefaultLink({ latency: { kind: "uniform", minMs: 5, maxMs: 40 }, loss: 0, duplicate: 0, reorder: 0 });
    this.healed = true;
  }

  private async step(): Promise<void> {
    this.applyFaults();
    await this.world.clock.advanceAsync(STEP_MS);
    this.observer.observe();
  }

  private applyFaults(): void {
    if (this.healed) return;
    const elapsed = this.world.clock.now() - this.startedAt;
    let changed = false;
    this.faults.partitions.forEach((window, i) => {
      const open = elapsed >= window.fromMs && elapsed < window.fromMs + window.durationMs;
      if (open && !this.cutOff.has(i)) {
        this.cutOff.set(i, this.memberFor(window.target));
        changed = true;
      } else if (!open && this.cutOff.has(i)) {
        this.cutOff.delete(i);
        changed = true;
      }
    });
    if (!changed) return;
    this.world.network.heal();
    for (const member of new Set(this.cutOff.values())) this.world.network.isolate(member);
  }

  private memberFor(target: "leader" | number): string {
    if (target !== "leader") return MEMBERS[target] ?? MEMBERS[0];
    return this.world.controlPlane.find((kv) => kv.host.isLeader())?.host.id ?? MEMBERS[0];
  }
}
