import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { Random } from "../../src/core/random.js";
import { SimNetwork } from "../../src/transport/index.js";

describe("SimNetwork review regressions", () => {
  it("a cut link never cuts another pair whose ids concatenate the same way", () => {
    const clock = new ManualClock(0);
    const network = new SimNetwork({ clock, random: new Random(1), defaultLink: { latency: { kind: "fixed", ms: 1 } } });
    const ids = ["a", "b\u0000c", "a\u0000b", "c"];
    const got: string[] = [];
    const endpoints = ids.map((id) => network.endpoint<string>(id));
    endpoints.forEach((endpoint, i) => endpoint.onMessage((from) => got.push(`${from}->${ids[i] as string}`)));
    network.partition(["a\u0000b"], ["c"]);
    expect(network.isCut("a", "b\u0000c")).toBe(false);
    endpoints[0]?.send("b\u0000c", "hello");
    endpoints[2]?.send("c", "blocked");
    clock.advance(1);
    expect(got).toEqual(["a->b\u0000c"]);
  });
});
