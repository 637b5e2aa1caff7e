import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ClosedError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { membershipMessageSchema, PartitionDetector, type PartitionDetectorOptions } from "../../src/membership/partition-detector.js";
import { PhiAccrualFailureDetector, phiOf } from "../../src/membership/phi-accrual.js";
import { majority, quorumOf } from "../../src/membership/quorum.js";
import { SimNetwork } from "../../src/transport/sim-network.js";
import { casesFor, checkInvalidCallsAreNoOps, expectRejectedUnchanged, NOT_IDS, NOT_NUMBERS, validationPaths, type BadCall } from "../support/bad-input.js";

const loose = <T>(value: unknown): T => value as T;

function phiState(d: PhiAccrualFailureDetector): unknown {
  return { last: d.lastHeartbeat, mean: d.mean(), sd: d.stdDeviation(), phi: d.phi(50_000), bound: d.timeToSuspectMs() };
}

describe("PhiAccrualFailureDetector refuses bad input and stays as it was", () => {
  it("heartbeat(NaN) no longer makes a peer unavailable forever", async () => {
    const d = new PhiAccrualFailureDetector();
    d.heartbeat(0);
    d.heartbeat(1000);
    expect(await validationPaths(() => d.heartbeat(Number.NaN))).toEqual(["time"]);
    expect(await validationPaths(() => d.heartbeat(loose<number>("2000")))).toEqual(["time"]);
    d.heartbeat(2000);
    expect(d.isAvailable(2500)).toBe(true);
  });

  it("every method, every bad value", async () => {
    const d = new PhiAccrualFailureDetector();
    for (let t = 0; t <= 5000; t += 1000) d.heartbeat(t);
    const cases: BadCall[] = [
      ...casesFor("heartbeat", "time", NOT_NUMBERS, (v) => d.heartbeat(v)),
      ...casesFor("restartSilence", "time", NOT_NUMBERS, (v) => d.restartSilence(v)),
      ...casesFor("phi", "time", NOT_NUMBERS, (v) => d.phi(v)),
      ...casesFor("isAvailable", "time", NOT_NUMBERS, (v) => d.isAvailable(v)),
      ...casesFor("phiOf timeDiff", "timeDiff", NOT_NUMBERS, (v) => phiOf(v, 1, 1)),
      ...casesFor("phiOf mean", "mean", NOT_NUMBERS, (v) => phiOf(1, v, 1)),
      ...casesFor("phiOf stdDeviation", "stdDeviation", [...NOT_NUMBERS, 0, -1], (v) => phiOf(1, 1, v)),
      ...casesFor("constructor", "options", [null, 5, "x", []], (v) => new PhiAccrualFailureDetector(v)),
      ...casesFor("constructor threshold", "options.threshold", [...NOT_NUMBERS.filter((v) => v !== undefined), 0, -1], (v) => new PhiAccrualFailureDetector({ threshold: v })),
      ...casesFor("constructor maxSampleSize", "options.maxSampleSize", [0, -5, 1.5, Number.NaN, "10"], (v) => new PhiAccrualFailureDetector({ maxSampleSize: v })),
    ];
    await expectRejectedUnchanged(cases, () => phiState(d));
  });

  it("property: invalid heartbeats mixed into any sequence change nothing", async () => {
    type Op = { valid: boolean; time: unknown; kind: "heartbeat" | "restart" };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ valid: fc.constant(true), time: fc.integer({ min: 0, max: 100_000 }), kind: fc.constantFrom("heartbeat" as const, "restart" as const) }),
      fc.record({ valid: fc.constant(false), time: fc.constantFrom(...NOT_NUMBERS), kind: fc.constantFrom("heartbeat" as const, "restart" as const) }),
    );
    await checkInvalidCallsAreNoOps({
      ops: fc.array(op, { maxLength: 40 }),
      make: () => new PhiAccrualFailureDetector({ maxSampleSize: 8 }),
      apply: (d, o) => (o.kind === "heartbeat" ? d.heartbeat(o.time as number) : d.restartSilence(o.time as number)),
      snapshot: phiState,
    });
  });
});

function detector(overrides: Partial<PartitionDetectorOptions> = {}): { d: PartitionDetector; clock: ManualClock; network: SimNetwork } {
  const clock = new ManualClock(0);
  const network = new SimNetwork({ clock, random: new Random(3), defaultLink: { latency: { kind: "fixed", ms: 5 } } });
  const d = new PartitionDetector({ members: ["a", "b", "c"], transport: network.endpoint("a", { schema: membershipMessageSchema }), clock, ...overrides });
  return { d, clock, network };
}

const detectorState = (d: PartitionDetector): unknown => ({ members: d.members(), quorum: d.quorum(), status: d.status(), fenced: d.isFenced(), hasQuorum: d.hasQuorum() });

describe("PartitionDetector refuses bad input and stays as it was", () => {
  it("constructor: wrong shapes, duplicate ids, unknown voters, bad intervals", async () => {
    const clock = new ManualClock(0);
    const network = new SimNetwork({ clock, random: new Random(3) });
    const transport = network.endpoint("a", { schema: membershipMessageSchema });
    const make = (o: unknown) => () => new PartitionDetector(o as PartitionDetectorOptions);
    const base = { members: ["a", "b"], transport, clock };
    const table: Array<[unknown, string]> = [
      [null, "options"],
      [undefined, "options"],
      [{ ...base, members: ["a", "b", "b"] }, "options.members"],
      [{ ...base, members: [] }, "options.members"],
      [{ ...base, members: ["a", 5] }, "options.members"],
      [{ ...base, voters: ["a", "z"] }, "options.voters"],
      [{ ...base, voters: ["a", "a"] }, "options.voters"],
      [{ ...base, heartbeatIntervalMs: Number.NaN }, "options.heartbeatIntervalMs"],
      [{ ...base, heartbeatIntervalMs: "1000" }, "options.heartbeatIntervalMs"],
      [{ ...base, checkIntervalMs: 0 }, "options.checkIntervalMs"],
      [{ ...base, deadAfterMs: -1 }, "options.deadAfterMs"],
      [{ ...base, detector: { threshold: Number.POSITIVE_INFINITY } }, "options.detector.threshold"],
      [{ ...base, transport: {} }, "options.transport"],
      [{ ...base, clock: { now: 5 } }, "options.clock"],
    ];
    for (const [options, path] of table) {
      const paths = await validationPaths(make(options));
      expect(paths.some((p) => p.startsWith(path)), `${JSON.stringify(options)} -> ${JSON.stringify(paths)}`).toBe(true);
    }
  });

  it("fence reasons must be non-empty strings", async () => {
    const { d } = detector();
    await expectRejectedUnchanged(casesFor("fence", "reason", NOT_IDS.filter((v) => v !== undefined), (v) => d.fence(v)), () => detectorState(d));
  });

  it("property: invalid fences mixed into any sequence change nothing", async () => {
    type Op = { valid: boolean; kind: "fence" | "unfence" | "advance"; value: unknown };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ valid: fc.constant(true), kind: fc.constant("fence" as const), value: fc.string({ minLength: 1, maxLength: 5 }).filter((s) => s.trim() !== "") }),
      fc.record({ valid: fc.constant(true), kind: fc.constant("unfence" as const), value: fc.constant(undefined) }),
      fc.record({ valid: fc.constant(true), kind: fc.constant("advance" as const), value: fc.integer({ min: 0, max: 3000 }) }),
      fc.record({ valid: fc.constant(false), kind: fc.constant("fence" as const), value: fc.constantFrom(...NOT_IDS.filter((v) => v !== undefined)) }),
    );
    // One clock drives both detectors' views; each gets its own network so their heartbeats do not mix.
    await checkInvalidCallsAreNoOps({
      ops: fc.array(op, { maxLength: 30 }),
      make: () => {
        const { d, clock } = detector();
        d.start();
        return { d, clock };
      },
      apply: ({ d, clock }, o) => {
        if (o.kind === "fence") d.fence(o.value as string);
        else if (o.kind === "unfence") d.unfence();
        else clock.advance(o.value as number);
      },
      snapshot: ({ d }) => detectorState(d),
      runs: 30,
    });
  });
});

describe("quorum arithmetic refuses bad input", () => {
  it("majority and quorumOf", async () => {
    for (const v of [...NOT_NUMBERS, -1, 1.5]) expect(await validationPaths(() => majority(loose<number>(v)))).toEqual(["voters"]);
    expect(await validationPaths(() => quorumOf(loose(null), new Set()))).toEqual(["voters"]);
    expect(await validationPaths(() => quorumOf(["a", "a"], new Set()))).toEqual(["voters"]);
    expect(await validationPaths(() => quorumOf(["a", loose<string>(5)], new Set()))).toEqual(["voters[1]"]);
    expect(await validationPaths(() => quorumOf(["a"], loose(["a"])))).toEqual(["reachable"]);
    expect(quorumOf(["a", "b", "c"], new Set(["a", "b"])).hasQuorum).toBe(true);
  });
});

describe("PartitionDetector.close", () => {
  it("clears its timers, is idempotent, and refuses later use with a closed error", async () => {
    const { d, clock } = detector();
    d.start();
    expect(clock.pendingTimers()).toBeGreaterThan(0);
    await d.close();
    // Heartbeats already on the wire still land; nothing of the detector's is re-armed.
    clock.advance(1_000);
    expect(clock.pendingTimers()).toBe(0);
    await d.close();
    for (const call of [() => d.start(), () => d.check(), () => d.fence("x"), () => d.unfence()]) {
      expect(call).toThrow(ClosedError);
      try {
        call();
      } catch (error) {
        expect((error as ClosedError).code).toBe("closed");
      }
    }
    expect(d.status().nodeId).toBe("a");
  });

  it("works with await using", async () => {
    const { d, clock } = detector();
    {
      await using held = d;
      held.start();
    }
    clock.advance(1_000);
    expect(clock.pendingTimers()).toBe(0);
    expect(() => d.start()).toThrow(ClosedError);
  });
});
