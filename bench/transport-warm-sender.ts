/**
 * The sending node of the transport benches, connected and warm before anything is measured.
 *
 * @module
 */
import { TcpTransport, type TcpTransportOptions } from "../src/tcp.js";

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
