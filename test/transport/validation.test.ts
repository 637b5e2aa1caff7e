import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { SimNetwork } from "../../src/transport/index.js";
import { TcpTransport } from "../../src/tcp.js";

const secret = "a shared secret of sixteen bytes+";

describe("transport inputs are validated", () => {
  it("SimNetwork refuses bad ids, groups, modes and limits, and its state is unchanged", () => {
    const network = new SimNetwork({ clock: new ManualClock(0), random: new Random(1) });
    const a = network.endpoint("a");
    network.endpoint("b");
    const bad: Array<() => unknown> = [
      () => network.pause("a", "sleep" as never),
      () => network.pause(7 as never),
      () => network.isolate("" as never),
      () => network.partition(["a"], "b" as never),
      () => network.partitionOneWay([1] as never, ["b"]),
      () => network.setLink("a", 3 as never, {}),
      () => network.setLink("a", "b", { loss: Number.NaN }),
      () => network.flush(Number.NaN),
      () => network.flush(-1),
      () => a.send(5 as never, {}),
      () => a.onMessage("not a function" as never),
      () => a.onError(undefined as never),
    ];
    for (const call of bad) expect(call).toThrow(ValidationError);
    expect(network.isPaused("a")).toBe(false);
    expect(network.isCut("a", "b")).toBe(false);
  });

  it("TcpTransport refuses non-finite numbers, wrong types and bad ids in its options and calls", () => {
    const base = { localId: "a", auth: { kind: "secret" as const, secret } };
    for (const options of [
      { ...base, maxFrameBytes: Number.NaN },
      { ...base, handshakeTimeoutMs: Number.POSITIVE_INFINITY },
      { ...base, localId: "" },
      { ...base, localId: 3 },
      { ...base, maxPendingHandshakes: -1 },
      { ...base, maxPendingHandshakesPerAddress: Number.NaN },
      { ...base, maxFrameByte: 10 },
      { ...base, peers: { b: { host: "h", port: 1.5 } } },
      { ...base, auth: { kind: "secret", secret: "short" } },
    ]) {
      expect(() => new TcpTransport(options as never)).toThrow(ValidationError);
    }
    const t = new TcpTransport(base);
    expect(() => t.addPeer("", { host: "h", port: 1 })).toThrow(ValidationError);
    expect(() => t.addPeer("b", { host: "h", port: Number.NaN })).toThrow(ValidationError);
    expect(() => t.removePeer(4 as never)).toThrow(ValidationError);
    expect(() => t.send(undefined as never, {})).toThrow(ValidationError);
    expect(() => t.onMessage(null as never)).toThrow(ValidationError);
    expect(t.metrics().peers).toEqual({});
  });
});
