/**
 * Policy replay: replays a trace of request arrivals on a `ManualClock` against a
 * {@link CapacityPolicy} and measures cold starts and instance-seconds. The model is described on
 * {@link ReplayOptions} in `replay-types.ts`.
 *
 * @module
 */
import { ManualClock } from "../core/clock.js";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { replayOptionsSchema, traceSchema, type Arrival, type CapacityPolicy, type ReplayInstanceView, type ReplayOptions, type ReplayOptionsInput, type ReplayReport, type ReplayView, type Trace } from "./replay-types.js";

interface Instance {
  readonly id: number;
  readonly startedAt: number;
  readonly readyAt: number;
  /** Requests assigned (serving or waiting for it to be ready). */
  claimed: number;
  /** Time the instance last changed between idle and busy. */
  since: number;
  released: boolean;
}

function stateOf(instance: Instance, now: number): ReplayInstanceView["state"] {
  if (now < instance.readyAt) return "warming";
  return instance.claimed > 0 ? "busy" : "idle";
}

/**
 * Replays `trace` against `policy` and reports what it cost and how many requests started cold.
 * Deterministic: the same trace, policy and options give the same report.
 *
 * @example
 * ```ts
 * const report = replayTrace(trace, fixedKeepAlivePolicy(600_000), { coldStartMs: 2000 });
 * report.coldStarts; report.warmInstanceSeconds;
 * ```
 */
export function replayTrace(trace: Trace, policy: CapacityPolicy, options: ReplayOptionsInput = {}): ReplayReport {
  const arrivals = [...parseWith(traceSchema, trace, "trace")].sort((a, b) => a.at - b.at);
  const settings: ReplayOptions = parseWith(replayOptionsSchema, options, "options");
  const first = arrivals[0];
  const start = settings.start ?? first?.at ?? 0;
  if (first !== undefined && first.at < start) throw ValidationError.of("options.start", `start (${start}) is after the first arrival (${first.at})`, "after_first_arrival");
  const lastEnd = arrivals.reduce((end, a) => Math.max(end, a.at + a.serviceMs), start);
  const end = settings.end ?? lastEnd + settings.coldStartMs;
  if (end < start) throw ValidationError.of("options.end", `end (${end}) is before start (${start})`, "before_start");

  const clock = new ManualClock(start);
  const live: Instance[] = [];
  let nextId = 1;
  let inFlight = 0;
  let arrived = 0;
  let lastArrivalAt: number | undefined;
  let coldStarts = 0;
  let waited = 0;
  let totalWait = 0;
  let busySlotMs = 0;
  let instanceMs = 0;
  let peak = 0;
  const c = settings.concurrencyPerInstance;

  const view = (): ReplayView => {
    const now = clock.now();
    return {
      now,
      instances: live.map((i) => ({ id: i.id, state: stateOf(i, now), startedAt: i.startedAt, readyAt: i.readyAt, since: Math.max(i.since, i.readyAt), active: i.claimed })),
      inFlight,
      arrivals: arrived,
      lastArrivalAt,
      options: settings,
    };
  };

  const release = (instance: Instance): void => {
    instance.released = true;
    instanceMs += Math.min(end, clock.now()) - instance.startedAt;
    live.splice(live.indexOf(instance), 1);
  };

  const launch = (now: number): Instance => {
    const instance: Instance = { id: nextId++, startedAt: now, readyAt: now + settings.coldStartMs, claimed: 0, since: now, released: false };
    live.push(instance);
    peak = Math.max(peak, live.length);
    return instance;
  };

  const apply = (): void => {
    const decision = policy.decide(view());
    const target = Number.isFinite(decision.target) ? Math.max(0, Math.floor(decision.target)) : live.length;
    const now = clock.now();
    while (live.length < target) launch(now);
    if (live.length <= target) return;
    // Surplus: idle ones longest idle first, then unclaimed warming ones newest first.
    const idle = live.filter((i) => i.claimed === 0 && now >= i.readyAt).sort((a, b) => a.since - b.since || a.id - b.id);
    const warming = live.filter((i) => i.claimed === 0 && now < i.readyAt).sort((a, b) => b.startedAt - a.startedAt || b.id - a.id);
    for (const instance of [...idle, ...warming]) {
      if (live.length <= target) break;
      release(instance);
    }
  };

  const complete = (instance: Instance, arrival: Arrival): void => {
    instance.claimed--;
    inFlight--;
    if (instance.claimed === 0) instance.since = clock.now();
    policy.observe?.({ type: "completion", at: clock.now(), arrival }, view());
    apply();
  };

  const arrive = (arrival: Arrival): void => {
    const now = clock.now();
    arrived++;
    lastArrivalAt = now;
    inFlight++;
    // Prefer a ready instance already serving (packs requests), then the most recently idle one.
    const ready = live.filter((i) => now >= i.readyAt && i.claimed < c).sort((a, b) => b.claimed - a.claimed || b.since - a.since || a.id - b.id)[0];
    let instance = ready;
    const cold = instance === undefined;
    if (instance === undefined) {
      coldStarts++;
      instance = live.filter((i) => now < i.readyAt && i.claimed < c).sort((a, b) => a.readyAt - b.readyAt || a.id - b.id)[0] ?? launch(now);
    }
    const chosen = instance;
    if (chosen.claimed === 0) chosen.since = now;
    chosen.claimed++;
    const startAt = Math.max(now, chosen.readyAt);
    const wait = startAt - now;
    totalWait += wait;
    if (wait > settings.sloMs) waited++;
    busySlotMs += Math.max(0, Math.min(end, startAt + arrival.serviceMs) - Math.min(end, startAt));
    clock.setTimer(wait + arrival.serviceMs, () => complete(chosen, arrival));
    policy.observe?.({ type: "arrival", at: now, arrival, cold }, view());
    apply();
  };

  let index = 0;
  const scheduleNextArrival = (): void => {
    const arrival = arrivals[index];
    if (arrival === undefined) return;
    clock.setTimer(arrival.at - clock.now(), () => {
      // Every arrival at this same instant is handled in trace order.
      while (arrivals[index] !== undefined && (arrivals[index]?.at ?? 0) <= clock.now()) {
        const next = arrivals[index] as Arrival;
        index++;
        arrive(next);
      }
      scheduleNextArrival();
    });
  };

  const tick = (): void => {
    apply();
    if (clock.now() + settings.tickMs <= end) clock.setTimer(settings.tickMs, tick);
  };

  policy.reset?.(start);
  scheduleNextArrival();
  clock.setTimer(0, tick);
  clock.advanceTo(end);
  for (const instance of [...live]) release(instance);
  const requests = arrivals.length;
  const warmSeconds = instanceMs / 1000;
  const busySeconds = busySlotMs / c / 1000;
  return {
    policy: policy.name,
    requests,
    coldStarts,
    coldStartRate: requests === 0 ? 0 : coldStarts / requests,
    warmInstanceSeconds: warmSeconds,
    busyInstanceSeconds: busySeconds,
    wastedInstanceSeconds: Math.max(0, warmSeconds - busySeconds),
    waitedRequests: waited,
    meanWaitMs: requests === 0 ? 0 : totalWait / requests,
    peakInstances: peak,
    durationMs: end - start,
  };
}
