/**
 * One socket of the TCP transport: framing, the authentication handshake, and batched writes.
 * Nothing a peer sends reaches the transport's handlers before the handshake has succeeded.
 *
 * @module
 */
import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import type { Clock, TimerHandle } from "../core/clock.js";
import { safeParseWith } from "../core/validation.js";
import { encodeFrame, FrameDecoder, parsePayload } from "./frame.js";
import { BATCH_FAILED, BATCH_VERIFIED, deriveFrameKeys, FRAME_SUITES, FrameOpener, FrameSealer, SequenceExhaustedError, TAG_INTERVAL_BYTES, type FrameSuite } from "./frame-auth.js";
import {
  authSchema,
  certificateNames,
  challengeSchema,
  HANDSHAKE_MAX_FRAME_BYTES,
  handshakeProof,
  helloSchema,
  newNonce,
  pickSuite,
  proofsEqual,
  PROTOCOL_VERSION,
  welcomeSchema,
  type Hello,
  type HandshakeTranscript,
} from "./handshake.js";
import { TransportError, type NodeId } from "./types.js";

/** Authentication as the connection needs it. */
export type ConnectionAuth = { readonly kind: "secret"; readonly secret: Buffer; readonly suites: readonly FrameSuite[] } | { readonly kind: "tls" };

/** What a connection needs from its transport. */
export interface ConnectionHost {
  readonly localId: NodeId;
  readonly auth: ConnectionAuth;
  readonly maxFrameBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly clock: Clock;
  /** `undefined` if `id` may connect to us, else why not. */
  refusalOf(id: NodeId): string | undefined;
  /** Records a dialer nonce; `false` if it was seen before (a replay). */
  claimNonce(nonce: string): boolean;
  authenticated(connection: Connection): void;
  /** An authenticated frame's payload: `length` bytes from `start` of `buffer`, readable only during the call. */
  frame(connection: Connection, buffer: Buffer, start: number, length: number): void;
  /** The socket closed; `error` is set when it was closed because of a fault. */
  closed(connection: Connection, error: TransportError | undefined): void;
  /** A fault to report (the connection closes itself when it has to). */
  fault(error: TransportError): void;
  bytesIn(bytes: number): void;
  drained(connection: Connection): void;
}

type Phase =
  | { readonly name: "connecting" }
  | { readonly name: "await_hello" }
  | { readonly name: "await_challenge"; readonly nonce: string }
  | { readonly name: "await_auth"; readonly hello: Hello; readonly nonce: string; readonly suite: FrameSuite }
  | { readonly name: "await_welcome" }
  | { readonly name: "open" }
  | { readonly name: "closed" };

export class Connection {
  /** The authenticated peer (the dialer knows whom it expects from the start). */
  peerId: NodeId | undefined;
  /** Tags outgoing frames once a shared-secret handshake has succeeded; unset under TLS. */
  private sealer: FrameSealer | undefined;
  /** Checks incoming frames' tags, likewise. */
  private opener: FrameOpener | undefined;
  private phase: Phase;
  private readonly decoder: FrameDecoder;
  private handshakeTimer: TimerHandle | undefined;
  private closeError: TransportError | undefined;

  constructor(
    private readonly host: ConnectionHost,
    readonly socket: Socket,
    readonly role: "dialer" | "listener",
    expectedPeer?: NodeId,
  ) {
    this.peerId = expectedPeer;
    this.phase = role === "listener" ? { name: "await_hello" } : { name: "connecting" };
    this.decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME_BYTES, expectedPeer);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (error) => {
      this.closeError ??= new TransportError("connection", `connection ${this.describe()} failed: ${error.message}`, { peer: this.peerId, cause: error });
    });
    socket.on("close", () => this.onClose());
    socket.on("drain", () => {
      if (this.phase.name === "open") this.host.drained(this);
    });
    this.handshakeTimer = host.clock.setTimer(host.handshakeTimeoutMs, () => {
      this.handshakeTimer = undefined;
      if (this.phase.name === "connecting") {
        // An unreachable peer is a connection problem, not an authentication one: just retry later.
        this.destroy(new TransportError("connection", `connecting to "${this.peerId ?? "?"}" timed out after ${host.handshakeTimeoutMs} ms`, { peer: this.peerId }));
        return;
      }
      this.refuse(new TransportError("timeout", `handshake ${this.describe()} did not finish within ${host.handshakeTimeoutMs} ms`, { peer: this.peerId }));
    }, { background: true });
  }

  /** Starts the handshake; the dialer calls it once the socket (or TLS session) is connected. */
  start(): void {
    if (this.role !== "dialer" || this.phase.name !== "connecting" || this.peerId === undefined) return;
    const nonce = newNonce();
    this.phase = this.host.auth.kind === "secret" ? { name: "await_challenge", nonce } : { name: "await_welcome" };
    this.sendControl({ t: "hello", v: PROTOCOL_VERSION, id: this.host.localId, to: this.peerId, nonce, suites: this.offeredSuites() });
  }

  get isOpen(): boolean {
    return this.phase.name === "open";
  }

  /**
   * Writes whole encoded frames as one batch, tagging them first when frames are authenticated;
   * returns `false` when the socket asks the caller to wait for `drain`. `written` is called once
   * the socket is done with every buffer of the batch, and only if it wrote them all: after an
   * error the socket may still hold them, so they must not be reused. When the kernel took the
   * whole batch at once, that is before this returns, so a burst can refill the same memory.
   */
  write(frames: readonly Buffer[], written?: () => void): boolean {
    if (frames.length === 0) return true;
    let buffers = frames;
    if (this.sealer !== undefined) {
      try {
        buffers = this.sealer.seal(frames);
      } catch (error) {
        if (!(error instanceof SequenceExhaustedError)) throw error;
        this.fail(new TransportError("integrity", `connection ${this.describe()}: ${error.message}`, { peer: this.peerId }));
        return true;
      }
    }
    let done = written === undefined;
    const finish = (): void => {
      if (done) return;
      done = true;
      written?.();
    };
    // Stream callbacks run in order, so the last buffer's says the whole batch is written.
    const onLast = done ? undefined : (error?: Error | null): void => {
      if (error === undefined || error === null) finish();
    };
    let ok = true;
    if (buffers.length === 1) {
      ok = this.socket.write(buffers[0] as Buffer, onLast);
    } else {
      this.socket.cork();
      const last = buffers.length - 1;
      for (let i = 0; i < last; i++) ok = this.socket.write(buffers[i] as Buffer) && ok;
      ok = this.socket.write(buffers[last] as Buffer, onLast) && ok;
      this.socket.uncork();
    }
    // Nothing left in the stream: the kernel has copied every byte (a write it only partly took
    // stays counted until it completes), so the memory is free now; the callback would only say so
    // on a later tick, after the rest of a synchronous burst had taken fresh slabs. Nor is there a
    // reason to wait for `drain`, which a write larger than the high-water mark asks for even when
    // the kernel took all of it.
    if (this.socket.writableLength === 0 && !this.socket.destroyed) {
      finish();
      return true;
    }
    return ok;
  }

  /** Ends the connection after what was written is flushed. */
  end(): void {
    this.socket.end();
  }

  /** Closes at once; `error` says why (and is reported). */
  destroy(error?: TransportError): void {
    if (error !== undefined) this.closeError ??= error;
    // Closed at once for reading too: frames still in the chunk being read must not be delivered.
    this.phase = { name: "closed" };
    this.socket.destroy();
  }

  private describe(): string {
    const remote = `${this.socket.remoteAddress ?? "?"}:${this.socket.remotePort ?? "?"}`;
    return this.peerId === undefined ? `from ${remote}` : `with "${this.peerId}" (${remote})`;
  }

  private onData(chunk: Buffer): void {
    this.host.bytesIn(chunk.length);
    const decoder = this.decoder;
    decoder.push(chunk);
    let thrown: { error: unknown } | undefined;
    for (;;) {
      if (this.phase.name === "closed") return;
      let length: number;
      try {
        length = decoder.nextLength();
      } catch (error) {
        const typed = error instanceof TransportError ? error : new TransportError("bad_frame", String(error), { peer: this.peerId });
        if (this.phase.name === "open") this.fail(typed);
        else this.refuse(typed);
        return;
      }
      if (length < 0) break;
      const buffer = decoder.payloadBuffer;
      const start = decoder.payloadStart;
      if (this.phase.name !== "open") {
        this.onHandshakeFrame(buffer.subarray(start, start + length));
        continue;
      }
      const opener = this.opener;
      if (opener === undefined) {
        thrown = this.deliver(buffer, start, length, thrown);
        continue;
      }
      const outcome = opener.acceptAt(buffer, start, length);
      if (outcome === BATCH_FAILED) {
        this.fail(new TransportError("integrity", `connection ${this.describe()}: ${opener.failure}; connection closed`, { peer: this.peerId }));
        return;
      }
      if (outcome === BATCH_VERIFIED) {
        const count = opener.verifiedCount;
        for (let i = 0; i < count; i++) {
          if (this.phase.name !== "open") break;
          thrown = this.deliver(opener.verifiedBuffer(i), opener.verifiedStart(i), opener.verifiedLength(i), thrown);
        }
        opener.delivered();
      }
    }
    if (thrown !== undefined) throw thrown.error;
  }

  /** Hands one frame to the transport; a handler's exception is the engine's, rethrown once the chunk is processed. */
  private deliver(buffer: Buffer, start: number, length: number, thrown: { error: unknown } | undefined): { error: unknown } | undefined {
    try {
      this.host.frame(this, buffer, start, length);
      return thrown;
    } catch (error) {
      return thrown ?? { error };
    }
  }

  private onHandshakeFrame(payload: Buffer): void {
    const parsed = parsePayload(payload, this.peerId);
    if (!parsed.ok) return this.refuse(new TransportError("auth_failed", `handshake ${this.describe()}: ${parsed.error.message}`, { peer: this.peerId }));
    const message = parsed.value;
    const phase = this.phase;
    switch (phase.name) {
      case "await_hello":
        return this.onHello(message);
      case "await_challenge": {
        const challenge = safeParseWith(challengeSchema, message);
        if (!challenge.ok || this.host.auth.kind !== "secret" || this.peerId === undefined) return this.refuse(this.authError("expected a challenge"));
        if (challenge.value.id !== this.peerId) return this.refuse(this.authError(`listener claims to be "${challenge.value.id}"`));
        // The offer as this side made it, not as the listener may have received it.
        const offered = this.offeredSuites();
        if (!offered.includes(challenge.value.suite)) return this.refuse(this.authError(`listener picked the suite "${challenge.value.suite}", which was not offered`));
        const fields: HandshakeTranscript = { dialerNonce: phase.nonce, listenerNonce: challenge.value.nonce, dialerId: this.host.localId, listenerId: this.peerId, offered, suite: challenge.value.suite };
        if (!proofsEqual(handshakeProof(this.host.auth.secret, "listener", fields), challenge.value.proof)) {
          return this.refuse(this.authError("listener's proof is wrong (different secret, or the offer or pick of suites was changed on the way)"));
        }
        this.phase = { name: "await_welcome" };
        this.useKeys(this.host.auth.secret, "dialer", fields);
        return this.sendControl({ t: "auth", proof: handshakeProof(this.host.auth.secret, "dialer", fields) });
      }
      case "await_auth": {
        const auth = safeParseWith(authSchema, message);
        if (!auth.ok || this.host.auth.kind !== "secret") return this.refuse(this.authError("expected an auth proof"));
        const fields: HandshakeTranscript = { dialerNonce: phase.hello.nonce, listenerNonce: phase.nonce, dialerId: phase.hello.id, listenerId: this.host.localId, offered: phase.hello.suites, suite: phase.suite };
        if (!proofsEqual(handshakeProof(this.host.auth.secret, "dialer", fields), auth.value.proof)) {
          return this.refuse(this.authError("dialer's proof is wrong (different secret or replayed handshake)"));
        }
        this.useKeys(this.host.auth.secret, "listener", fields);
        return this.welcome(phase.hello.id);
      }
      case "await_welcome": {
        const welcome = safeParseWith(welcomeSchema, message);
        if (!welcome.ok || welcome.value.id !== this.peerId) return this.refuse(this.authError("expected a welcome from the expected peer"));
        return this.open();
      }
      case "connecting":
        return this.refuse(this.authError("spoke before the connection was set up"));
      case "open":
      case "closed":
        return;
    }
  }

  private onHello(message: unknown): void {
    const version = versionOf(message);
    if (typeof version === "number" && version !== PROTOCOL_VERSION) {
      const id = typeof message === "object" && message !== null && "id" in message && typeof message.id === "string" ? ` "${message.id.slice(0, 256)}"` : "";
      const error = new TransportError(
        "protocol_version",
        `handshake ${this.describe()} refused: peer${id} speaks wire protocol version ${String(version)}${version === 1 ? " (JSON frames)" : ""}, this node speaks version ${PROTOCOL_VERSION} (binary frames, each authenticated): run the same edgeflow version on both`,
        { peer: this.peerId },
      );
      return this.refuse(error);
    }
    const hello = safeParseWith(helloSchema, message);
    if (!hello.ok) return this.refuse(this.authError(`bad hello: ${hello.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`));
    const { id, to, nonce } = hello.value;
    if (to !== this.host.localId) return this.refuse(this.authError(`hello is addressed to "${to}", not to "${this.host.localId}"`));
    const refusal = this.host.refusalOf(id);
    if (refusal !== undefined) return this.refuse(this.authError(`peer "${id}" refused: ${refusal}`));
    if (!this.host.claimNonce(nonce)) return this.refuse(this.authError(`peer "${id}" reused a nonce (replayed handshake)`));
    if (this.host.auth.kind === "tls") {
      const cert = this.socket instanceof TLSSocket ? this.socket.getPeerCertificate() : undefined;
      if (!certificateNames(cert, id)) return this.refuse(this.authError(`certificate does not name "${id}"`));
      return this.welcome(id);
    }
    const suite = pickSuite(this.host.auth.suites, hello.value.suites);
    if (suite === undefined) {
      return this.refuse(this.authError(`peer "${id}" offers no frame protection suite this node accepts (offered ${hello.value.suites.join(", ")}; accepted ${this.host.auth.suites.join(", ")})`));
    }
    const listenerNonce = newNonce();
    this.phase = { name: "await_auth", hello: hello.value, nonce: listenerNonce, suite };
    const proof = handshakeProof(this.host.auth.secret, "listener", { dialerNonce: nonce, listenerNonce, dialerId: id, listenerId: this.host.localId, offered: hello.value.suites, suite });
    this.sendControl({ t: "challenge", id: this.host.localId, nonce: listenerNonce, suite, proof });
  }

  /** Switches to authenticated frames with keys derived from this handshake. */
  private useKeys(secret: Buffer, role: "dialer" | "listener", fields: HandshakeTranscript): void {
    const keys = deriveFrameKeys(secret, role, fields, fields.suite);
    this.sealer = new FrameSealer(keys.send, fields.suite);
    // A batch is tagged after TAG_INTERVAL_BYTES at a frame boundary, so it holds at most that plus one frame.
    this.opener = new FrameOpener(keys.receive, this.host.maxFrameBytes + TAG_INTERVAL_BYTES + 8, fields.suite);
  }

  /** The suites this side offers when it dials (under TLS no suite is used, but the hello carries an offer all the same). */
  private offeredSuites(): readonly FrameSuite[] {
    return this.host.auth.kind === "secret" ? this.host.auth.suites : FRAME_SUITES;
  }

  private welcome(peer: NodeId): void {
    this.peerId = peer;
    this.sendControl({ t: "welcome", id: this.host.localId });
    this.open();
  }

  private open(): void {
    this.phase = { name: "open" };
    if (this.handshakeTimer !== undefined) this.host.clock.clearTimer(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.decoder.setMaxFrameBytes(this.host.maxFrameBytes);
    this.host.authenticated(this);
  }

  private sendControl(message: object): void {
    this.socket.write(encodeFrame(message, HANDSHAKE_MAX_FRAME_BYTES, this.peerId));
  }

  private authError(reason: string): TransportError {
    return new TransportError("auth_failed", `handshake ${this.describe()} refused: ${reason}`, { peer: this.peerId });
  }

  /** A handshake failure: reported, then the socket is cut (nothing more is read from it). */
  private refuse(error: TransportError): void {
    if (this.phase.name === "closed") return;
    this.host.fault(error);
    this.fail(error);
  }

  private fail(error: TransportError): void {
    if (this.phase.name === "closed") return;
    if (this.phase.name === "open") this.host.fault(error);
    this.closeError ??= error;
    this.phase = { name: "closed" };
    this.socket.destroy();
  }

  private onClose(): void {
    if (this.handshakeTimer !== undefined) this.host.clock.clearTimer(this.handshakeTimer);
    this.handshakeTimer = undefined;
    const truncated = this.decoder.end();
    const wasOpen = this.phase.name === "open";
    this.phase = { name: "closed" };
    if (truncated !== undefined && wasOpen) {
      this.host.fault(truncated);
      this.closeError ??= truncated;
    }
    this.host.closed(this, this.closeError);
  }
}

/** The protocol version a `hello` claims, if it has one. */
function versionOf(message: unknown): unknown {
  return typeof message === "object" && message !== null && "v" in message ? message.v : undefined;
}
