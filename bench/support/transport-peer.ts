/**
 * The receiving end of `bench/transport.bench.ts` in a process of its own, so that each end has a
 * core. Commands arrive over the IPC channel; every reply goes back the same way.
 *
 * - `{ kind: "bare", mode, total }`: a node:net server that counts `total` bytes (then replies
 *   `done`) or writes every chunk back; replies `{ port }`.
 * - `{ kind: "transport", mode, count, suite, secret }`: TcpTransport "b", peer "a", which counts
 *   `count` messages (then replies `done`) or sends each back; replies `{ port }`.
 * - `{ kind: "floor", count, frameBytes, secret }`: a node:net server doing only what any receiver
 *   of authenticated 64 KiB messages must: it splits `count` length-prefixed frames of `frameBytes`
 *   out of the socket's chunks, copies each frame that spans two chunks into memory of its own (the
 *   message's bytes outlive the chunks), and runs GMAC over every byte, one MAC per 256 KiB as
 *   TcpTransport does; replies `{ port }`, then `done`. `parts` leaves out the copy (`"mac"`) or the
 *   MAC (`"copy"`), to tell their costs apart.
 * - `{ kind: "cpu" }`: replies `{ cpu }`, this process's CPU time so far in milliseconds (to the
 *   microsecond, where /proc counts 10 ms ticks).
 * - `{ kind: "end" }`: closes what the last command opened and replies `ended`.
 */
import { createCipheriv, createHash, type CipherGCM } from "node:crypto";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { TcpTransport } from "../../src/tcp.js";
import { gcmNonce, TAG_INTERVAL_BYTES, type FrameSuite } from "../../src/transport/frame-auth.js";
import { benchTransportOptions } from "../transport-warm-sender.js";

type Command =
  | { readonly kind: "bare"; readonly mode: "one way" | "echo"; readonly total: number }
  | { readonly kind: "transport"; readonly mode: "one way" | "echo"; readonly count: number; readonly size: number; readonly suite: FrameSuite; readonly secret: string }
  | { readonly kind: "floor"; readonly count: number; readonly frameBytes: number; readonly secret: string; readonly parts: FloorParts }
  | { readonly kind: "cpu" }
  | { readonly kind: "end" };

/** Which of the floor's two costs it pays. */
type FloorParts = "copy" | "mac" | "both";

/** The "floor" command's receiver: framing, a copy of every frame that spans chunks, and GMAC. */
class ReceiveFloor {
  private readonly key: Buffer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private received = 0;
  private batchBytes = 0;
  private batches = 0n;
  private gcm: CipherGCM | undefined;
  /** Kept until the next frame replaces it, as a delivered message's bytes would be kept by its handler. */
  kept: Buffer | undefined;

  constructor(
    private readonly count: number,
    private readonly frameBytes: number,
    secret: string,
    private readonly parts: FloorParts,
    private readonly done: () => void,
  ) {
    this.key = createHash("sha256").update(secret).digest();
  }

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes >= this.frameBytes) {
      const first = this.pending[0] as Buffer;
      if (first.length >= this.frameBytes) {
        this.kept = first.subarray(0, this.frameBytes);
        this.mac(this.kept);
        this.take((piece) => piece);
      } else if (this.parts === "mac") {
        // Without the copy, a frame that spans chunks is MACed as the pieces it arrived in.
        this.take((piece) => this.mac(piece));
      } else {
        const frame = Buffer.allocUnsafe(this.frameBytes);
        let written = 0;
        this.take((piece) => (written += piece.copy(frame, written)));
        this.kept = frame;
        this.mac(frame);
      }
      this.pendingBytes -= this.frameBytes;
      if (++this.received === this.count) {
        this.gcm?.final();
        this.done();
      }
    }
  }

  /** Consumes the next frame's bytes from the pending chunks, handing `visit` each piece. */
  private take(visit: (piece: Buffer) => unknown): void {
    let left = this.frameBytes;
    while (left > 0) {
      const head = this.pending[0] as Buffer;
      const count = Math.min(head.length, left);
      visit(head.subarray(0, count));
      left -= count;
      if (count === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(count);
    }
  }

  private mac(frame: Buffer): void {
    if (this.parts === "copy") return;
    this.gcm ??= createCipheriv("aes-256-gcm", this.key, gcmNonce(this.batches++), { authTagLength: 16 });
    this.gcm.setAAD(frame);
    this.batchBytes += frame.length;
    if (this.batchBytes >= TAG_INTERVAL_BYTES) {
      this.gcm.final();
      this.gcm.getAuthTag();
      this.gcm = undefined;
      this.batchBytes = 0;
    }
  }
}

let close: () => Promise<void> = async () => undefined;
const reply = (message: object): void => void process.send?.(message);

/** A plain node:net server on loopback, each connection's chunks going to what `reader` makes for it; replies `{ port }`. */
async function serve(reader: (socket: Socket) => (chunk: Buffer) => void): Promise<void> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on("data", reader(socket));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  reply({ port: (server.address() as AddressInfo).port });
}

process.on("message", (command: Command) => {
  void (async () => {
    if (command.kind === "cpu") {
      const used = process.cpuUsage();
      reply({ cpu: (used.user + used.system) / 1000 });
      return;
    }
    if (command.kind === "end") {
      await close();
      reply({ ended: true });
      return;
    }
    if (command.kind === "bare") {
      let received = 0;
      await serve((socket) => (chunk) => {
        if (command.mode === "echo") socket.write(chunk);
        else if ((received += chunk.length) >= command.total) reply({ done: true });
      });
      return;
    }
    if (command.kind === "floor") {
      await serve(() => {
        const floor = new ReceiveFloor(command.count, command.frameBytes, command.secret, command.parts, () => reply({ done: true }));
        return (chunk) => floor.push(chunk);
      });
      return;
    }
    const options = benchTransportOptions(command.count, command.size, command.suite, command.secret);
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
