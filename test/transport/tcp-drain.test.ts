import { describe, expect, it } from "vitest";
import { RawPeer, trackedNodes, waitFor } from "./tcp-helpers.js";

const node = trackedNodes();

const MAX_QUEUE_BYTES = 4 * 1024 * 1024;
/** A message of about 64 KiB: a few megabytes of them fill the kernel's buffers, and the socket asks for `drain`. */
const payload = new Uint8Array(64 * 1024).fill(7);

type Big = { s: number; d: Uint8Array };

/** Sends until the queue refuses; returns how many were accepted, checking the bound at every step. */
function sendUntilFull(transport: { send(to: string, m: Big): void; metrics(): { peers: Record<string, { queuedBytes: number } | undefined> } }, next: number): number {
  let accepted = 0;
  for (;;) {
    let before = transport.metrics().peers["a"]?.queuedBytes ?? 0;
    try {
      transport.send("a", { s: next + accepted, d: payload });
    } catch (error) {
      expect(error).toMatchObject({ reason: "backpressure" });
      // Refused at the limit, not before it: the next frame would not have fit.
      before = transport.metrics().peers["a"]?.queuedBytes ?? 0;
      expect(before + payload.length).toBeGreaterThan(MAX_QUEUE_BYTES);
      return accepted;
    }
    accepted++;
    const after = transport.metrics().peers["a"]?.queuedBytes ?? 0;
    expect(after).toBeLessThanOrEqual(MAX_QUEUE_BYTES);
    expect(after).toBeGreaterThanOrEqual(0);
    expect(before).toBeLessThanOrEqual(MAX_QUEUE_BYTES);
  }
}

/** Transport "b" and a raw peer "a" that has finished its handshake and stopped reading, so the kernel's buffers fill and "b"'s socket asks for `drain`. */
async function pausedPeer(): Promise<{ b: Awaited<ReturnType<typeof node<Big>>>; a: RawPeer }> {
  const b = await node<Big>({ localId: "b", maxQueueBytes: MAX_QUEUE_BYTES });
  b.transport.addPeer("a");
  const a = await RawPeer.connect(b.port);
  await a.handshake("a", "b");
  await waitFor(() => b.transport.metrics().peers["a"]?.connected === true && a.frames.length === 2, "the connection and the welcome");
  a.socket.pause();
  return { b, a };
}

/** Rounds of {@link sendUntilFull}, a few milliseconds apart, until three in a row take nothing (at most 40): how many each took. */
async function fillWhilePaused(transport: Parameters<typeof sendUntilFull>[0]): Promise<number[]> {
  const perRound: number[] = [];
  let accepted = 0;
  for (let round = 0; round < 40; round++) {
    const n = sendUntilFull(transport, accepted);
    perRound.push(n);
    accepted += n;
    if (perRound.length >= 3 && perRound.slice(-3).every((k) => k === 0)) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return perRound;
}

describe("TcpTransport while the socket waits for drain", () => {
  it("holds the queue within its bound, refusing at the bound, then delivers every accepted message in order, verified", async () => {
    const { a, b } = await pausedPeer();
    const welcome = a.frames.length;
    const perRound = await fillWhilePaused(b.transport);
    const accepted = perRound.reduce((n, k) => n + k, 0);
    // With nobody reading, the queue stops taking messages: what waits for `drain` counts against its bound.
    expect(perRound.slice(-3)).toEqual([0, 0, 0]);
    expect(b.transport.metrics().peers["a"]?.queuedBytes).toBeGreaterThan(MAX_QUEUE_BYTES - payload.length - 64);

    a.socket.resume();
    await waitFor(() => a.frames.length - welcome === accepted, `all ${accepted} accepted messages`, 30_000);
    const received = a.frames.slice(welcome) as Big[];
    expect(received.map((m) => m.s)).toEqual(Array.from({ length: accepted }, (_, i) => i));
    expect(received.every((m) => m.d.length === payload.length && m.d[0] === 7 && m.d[payload.length - 1] === 7)).toBe(true);
    await waitFor(() => b.transport.metrics().peers["a"]?.queuedBytes === 0, "the queue to empty once written");
    expect(b.transport.metrics().peers["a"]?.queuedMessages).toBe(0);
    expect(a.closed).toBe(false);
  });
});
