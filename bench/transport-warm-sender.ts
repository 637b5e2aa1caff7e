/**
 * The sending node of the transport benches, connected and warm before anything is measured.
 *
 * @module
 */
import { TcpTransport, type TcpTransportOptions } from "../src/tcp.js";

/** What the benches send: a sequence number (negative for the warm-up, which the receiving end echoes) and a body. */
export type BenchMessage = { s: number; d: Uint8Array | string };

/**
 * Starts TcpTransport "a", adds peer "b" at `port` on loopback, and waits until a first message has
 * come back from "b": the handshake is then done and stays out of the measurement.
 */
export async function warmSender(options: Omit<TcpTransportOptions<BenchMessage>, "localId">, port: number): Promise<TcpTransport<BenchMessage>> {
  const a = new TcpTransport<BenchMessage>({ localId: "a", ...options });
  await a.start();
  a.addPeer("b", { host: "127.0.0.1", port });
  await new Promise<void>((resolve) => {
    const off = a.onMessage(() => {
      off();
      resolve();
    });
    a.send("b", { s: -1, d: "" });
  });
  return a;
}
