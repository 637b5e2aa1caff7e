/**
 * The receiving end of `bench/transport.bench.ts` in a process of its own, so that each end has a
 * core. Commands arrive over the IPC channel; every reply goes back the same way.
 *
 * - `{ kind: "bare", mode, total }`: a node:net server that counts `total` bytes (then replies
 *   `done`) or writes every chunk back; replies `{ port }`.
 * - `{ kind: "transport", mode, count, suite, secret }`: TcpTransport "b", peer "a", which counts
 *   `count` messages (then replies `done`) or sends each back; replies `{ port }`.
 * - `{ kind: "end" }`: closes what the last command opened and replies `ended`.
 */
import { createServer, type AddressInfo, type Server } from "node:net";
import { TcpTransport } from "../../src/tcp.js";
import type { FrameSuite } from "../../src/transport/frame-auth.js";

type Command =
  | { readonly kind: "bare"; readonly mode: "one way" | "echo"; readonly total: number }
  | { readonly kind: "transport"; readonly mode: "one way" | "echo"; readonly count: number; readonly size: number; readonly suite: FrameSuite; readonly secret: string }
  | { readonly kind: "end" };

let close: () => Promise<void> = async () => undefined;
const reply = (message: object): void => void process.send?.(message);

process.on("message", (command: Command) => {
  void (async () => {
    if (command.kind === "end") {
      await close();
      reply({ ended: true });
      return;
    }
    if (command.kind === "bare") {
      let received = 0;
      const server: Server = createServer((socket) => {
        socket.setNoDelay(true);
        socket.on("data", (chunk: Buffer) => {
          if (command.mode === "echo") socket.write(chunk);
          else if ((received += chunk.length) >= command.total) reply({ done: true });
        });
        socket.on("error", () => undefined);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      close = () => new Promise<void>((resolve) => server.close(() => resolve()));
      reply({ port: (server.address() as AddressInfo).port });
      return;
    }
    const options = { auth: { kind: "secret" as const, secret: command.secret, suites: [command.suite] }, maxQueueMessages: command.count + 1, maxQueueBytes: 2 * command.count * (command.size + 64) + 1024 };
    const b = new TcpTransport<{ s: number; d: Uint8Array | string }>({ localId: "b", ...options });
    b.addPeer("a");
    let sunk = 0;
    b.onMessage((from, m) => {
      if (command.mode === "echo" || m.s < 0) b.send(from, m);
      else if (++sunk === command.count) reply({ done: true });
    });
    const { port } = await b.start();
    close = () => b.close();
    reply({ port });
  })();
});
process.on("disconnect", () => void close().then(() => process.exit(0)));
