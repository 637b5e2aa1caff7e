import { connect, type Socket } from "node:net";
import { readdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { link, trackedNodes, waitFor } from "./tcp-helpers.js";

const node = trackedNodes();
const flood: Socket[] = [];
afterEach(() => {
  for (const socket of flood.splice(0)) socket.destroy();
});

const openFds = (): number => readdirSync("/proc/self/fd").length;

/** Opens `count` raw sockets from `localAddress` that never speak; resolves once each is connected or closed. */
async function openFlood(port: number, count: number, localAddress: string): Promise<Socket[]> {
  const sockets = Array.from({ length: count }, () => connect({ host: "127.0.0.1", port, localAddress }));
  flood.push(...sockets);
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.once("connect", () => resolve());
          s.once("close", () => resolve());
          s.on("error", () => undefined);
        }),
    ),
  );
  return sockets;
}

describe.skipIf(process.platform !== "linux")("TcpTransport under a flood of unauthenticated connections", () => {
  it("holds at most the configured number of pending handshakes, and a real peer still gets in", async () => {
    const b = await node<string>({ localId: "b", maxPendingHandshakes: 16, maxPendingHandshakesPerAddress: 4, handshakeTimeoutMs: 60_000 });
    const before = openFds();
    // 200 silent sockets from four addresses (127.0.0.0/8 is all loopback on Linux).
    const sockets = (await Promise.all(["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"].map((address) => openFlood(b.port, 50, address)))).flat();
    await waitFor(() => b.transport.metrics().refusedConnections + b.transport.metrics().pendingHandshakes === sockets.length, "every flood socket to be admitted or refused");
    await waitFor(() => sockets.filter((s) => !s.destroyed && !s.closed).length <= 16, "refused sockets to be closed");
    const metrics = b.transport.metrics();
    expect(metrics.pendingHandshakes).toBe(16);
    expect(metrics.refusedConnections).toBe(sockets.length - 16);
    // Our own ends of the flood count too: 16 held open on each side, plus a little slack for the runtime.
    expect(openFds() - before).toBeLessThanOrEqual(2 * 16 + 8);

    // The total cap is reached: a real peer gets in once the flood's handshakes give up room (here
    // one address's sockets close; in the wild, the handshake timeout frees it).
    for (const s of sockets.filter((s) => s.localAddress === "127.0.0.2")) s.destroy();
    await waitFor(() => b.transport.metrics().pendingHandshakes === 12, "the freed room");
    const a = await node<string>({ localId: "a" });
    link(a, b);
    a.transport.send("b", "through the flood");
    await waitFor(() => b.received.length === 1, "the honest peer's message");
    expect(b.received[0]).toEqual(["a", "through the flood"]);
    expect(b.transport.metrics().pendingHandshakes).toBe(12);
  });

  it("caps pending handshakes per remote address", async () => {
    const b = await node<string>({ localId: "b", maxPendingHandshakes: 64, maxPendingHandshakesPerAddress: 3, handshakeTimeoutMs: 60_000 });
    const sockets = await openFlood(b.port, 20, "127.0.0.6");
    await waitFor(() => b.transport.metrics().refusedConnections === 17, "the excess to be refused");
    await waitFor(() => sockets.filter((s) => !s.destroyed && !s.closed).length === 3, "the excess to be closed");
    // Another address is not held back by the first one's flood.
    const a = await node<string>({ localId: "a" });
    link(a, b);
    a.transport.send("b", "hello");
    await waitFor(() => b.received.length === 1, "the honest peer's message");
  });

  it("closes pending handshakes at the handshake timeout, freeing their room", async () => {
    const b = await node<string>({ localId: "b", maxPendingHandshakes: 4, handshakeTimeoutMs: 100 });
    await openFlood(b.port, 4, "127.0.0.7");
    await waitFor(() => b.transport.metrics().pendingHandshakes === 4, "the flood to be pending");
    await waitFor(() => b.transport.metrics().pendingHandshakes === 0, "the handshake timeout");
    expect(b.errors.filter((e) => e.reason === "timeout")).toHaveLength(4);
  });
});
