import { connect, type Socket } from "node:net";
import { afterEach } from "vitest";
import { encodeFrame, FrameDecoder } from "../../src/transport/frame.js";
import { handshakeProof, newNonce, PROTOCOL_VERSION } from "../../src/transport/handshake.js";
import { decodeMessage, encodeMessage } from "../../src/transport/codec.js";
import { deriveFrameKeys, FRAME_SUITES, FrameOpener, FrameSealer, type FrameSuite } from "../../src/transport/frame-auth.js";
import type { TransportError } from "../../src/transport/index.js";
import { TcpTransport, type PeerAddress, type TcpAuth, type TcpTransportOptions } from "../../src/tcp.js";

export const SECRET = "correct horse battery staple";
export const secretAuth: TcpAuth = { kind: "secret", secret: SECRET };
export const fastReconnect = { initialInterval: 5, backoffCoefficient: 2, maximumInterval: 50, jitter: 0.5 };

/** Polls `predicate` until it holds; fails (not a timing assertion: a guard against hanging) after `limitMs`. */
export async function waitFor(predicate: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export interface Started<M> {
  readonly transport: TcpTransport<M>;
  readonly port: number;
  readonly received: Array<[string, M]>;
  readonly errors: TransportError[];
}

export async function startNode<M = unknown>(options: Partial<TcpTransportOptions<M>> & { localId: string }): Promise<Started<M>> {
  const transport = new TcpTransport<M>({ auth: secretAuth, reconnect: fastReconnect, ...options });
  const received: Array<[string, M]> = [];
  const errors: TransportError[] = [];
  transport.onMessage((from, message) => received.push([from, message]));
  transport.onError((error) => errors.push(error));
  const { port } = await transport.start();
  return { transport, port, received, errors };
}

/** Makes `a` and `b` peers of each other (ports are only known after start). */
interface Linkable {
  readonly transport: { readonly localId: string; addPeer(id: string, address?: PeerAddress): void };
  readonly port: number;
}

export function link(a: Linkable, b: Linkable): void {
  b.transport.addPeer(a.transport.localId, { host: "127.0.0.1", port: a.port });
  a.transport.addPeer(b.transport.localId, { host: "127.0.0.1", port: b.port });
}

/**
 * A raw client that speaks the secret handshake by hand, for replay and fuzz tests. Handshake frames
 * are JSON; once the welcome has come, frames both ways are MessagePack with an integrity tag.
 */
export class RawPeer {
  readonly frames: unknown[] = [];
  readonly sent: Buffer[] = [];
  closed = false;
  /** Set once the handshake has derived the connection's keys. */
  sealer: FrameSealer | undefined;
  opener: FrameOpener | undefined;
  private welcomed = false;
  private readonly decoder = new FrameDecoder(1 << 20);

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let f = this.decoder.next(); f !== undefined; f = this.decoder.next()) {
        if (!this.welcomed) {
          const control = JSON.parse(f.toString("utf8")) as { t?: string };
          this.welcomed = control.t === "welcome";
          this.frames.push(control);
          continue;
        }
        const opened = this.opener?.accept(f) ?? { kind: "verified" as const, payloads: [f] };
        if (opened.kind !== "verified") continue;
        for (const body of opened.payloads) {
          const decoded = decodeMessage(body);
          this.frames.push(decoded.ok ? decoded.value : body);
        }
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.closed = true;
    });
  }

  static async connect(port: number): Promise<RawPeer> {
    const socket = connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new RawPeer(socket);
  }

  write(bytes: Buffer): void {
    this.sent.push(bytes);
    this.socket.write(bytes);
  }

  /** Sends a JSON frame, as the handshake's messages are. */
  sendFrame(message: unknown): Buffer {
    const frame = encodeFrame(message, 1 << 20);
    this.write(frame);
    return frame;
  }

  /** Sends `body` as one frame followed by its batch's correct tag frame (after the handshake). */
  sendSealed(body: Uint8Array): Buffer {
    const frame = Buffer.alloc(4 + body.length);
    frame.writeUInt32BE(body.length, 0);
    frame.set(body, 4);
    const sealed = Buffer.concat(this.sealer?.seal([frame]) ?? [frame]);
    this.write(sealed);
    return sealed;
  }

  /** Sends a message as an honest peer does after the handshake. */
  sendMessage(message: unknown): Buffer {
    return this.sendSealed(Buffer.from(encodeMessage(message)));
  }

  /**
   * Runs the dialer side of the secret handshake, offering `suites`; returns the hello and auth
   * frames it sent and the suite the listener picked.
   */
  async handshake(localId: string, to: string, secret = SECRET, nonce = newNonce(), suites: readonly string[] = FRAME_SUITES): Promise<{ hello: Buffer; auth: Buffer; suite: FrameSuite }> {
    const hello = this.sendFrame({ t: "hello", v: PROTOCOL_VERSION, id: localId, to, nonce, suites });
    await waitFor(() => this.frames.length >= 1 || this.closed, "a challenge");
    const challenge = this.frames[0] as { nonce: string; suite: FrameSuite };
    const fields = { dialerNonce: nonce, listenerNonce: challenge.nonce, dialerId: localId, listenerId: to, offered: suites, suite: challenge.suite };
    const proof = handshakeProof(Buffer.from(secret), "dialer", fields);
    const keys = deriveFrameKeys(Buffer.from(secret), "dialer", fields, challenge.suite);
    this.sealer = new FrameSealer(keys.send, challenge.suite);
    this.opener = new FrameOpener(keys.receive, 1 << 24, challenge.suite);
    const auth = this.sendFrame({ t: "auth", proof });
    return { hello, auth, suite: challenge.suite };
  }

  end(): void {
    this.socket.end();
  }
}

/**
 * A `startNode` for one test file that remembers every transport it started and closes them all
 * after each test, so no socket or timer outlives its test.
 */
export function trackedNodes(): <M = unknown>(options: Partial<TcpTransportOptions<M>> & { localId: string }) => Promise<Started<M>> {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });
  return async <M = unknown>(options: Partial<TcpTransportOptions<M>> & { localId: string }): Promise<Started<M>> => {
    const started = await startNode<M>(options);
    open.push(started.transport);
    return started;
  };
}
