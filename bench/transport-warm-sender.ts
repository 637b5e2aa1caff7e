/**
 * The sending node of the transport benches, connected and warm before anything is measured, and
 * the options every transport bench runs with.
 *
 * @module
 */
import { TcpTransport, type TcpTransportOptions } from "../src/tcp.js";
import type { FrameSuite } from "../src/transport/frame-auth.js";

/** The shared secret of every transport bench. */
export const BENCH_SECRET = "bench secret, sixteen bytes or more";

/** Shared-secret mode with `suite`, and a send queue that holds a whole burst of `count` messages of about `size` bytes. */
export function benchTransportOptions(count: number, size: number, suite: FrameSuite = "aes-256-gcm", secret = BENCH_SECRET) {
  return { auth: { kind: "secret" as const, secret, suites: [suite] }, maxQueueMessages: count + 1, maxQueueBytes: 2 * count * (size + 64) + 1024 };
}

/** What the benches send: a sequence number (negative for the warm-up, which the receiving end echoes) and a body. */
export type BenchMessage = { s: number; d: Uint8Array | string };

/**
 * Starts TcpTransport "a", adds peer "b" at `port` on loopback, sends `hello` (which "b" echoes) and
 * waits until a first message has come back: the handshake is then done and stays out of the measurement.
 */
export async function warmSender<M = BenchMessage>(options: Omit<TcpTransportOptions<M>, "localId">, port: number, hello: M): Promise<TcpTransport<M>> {
  const a = new TcpTransport<M>({ localId: "a", ...options });
  await a.start();
  a.addPeer("b", { host: "127.0.0.1", port });
  await new Promise<void>((resolve) => {
    const off = a.onMessage(() => {
      off();
      resolve();
    });
    a.send("b", hello);
  });
  return a;
}
