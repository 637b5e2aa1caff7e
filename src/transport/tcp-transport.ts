/**
 * The real-network transport: authenticated TCP (or mutual TLS) connections between nodes, one per
 * pair of nodes, carrying length-prefixed MessagePack frames.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { createServer as createNetServer, connect as netConnect, type Server, type Socket } from "node:net";
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from "node:tls";
import { SystemClock, type Clock, type TimerHandle } from "../core/clock.js";
import { childLogger, noopLogger, type Logger } from "../core/logger.js";
import { Random } from "../core/random.js";
import { CancelledError, ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { backoffDelay, type ResolvedBackoff } from "./backoff.js";
import { DecodeFailure, decodeMessageAt, encodeMessageFrame } from "./codec.js";
import { FRAME_HEADER_BYTES } from "./frame.js";
import { certificateNames, NonceLedger } from "./handshake.js";
import { emitError, emitMessage, HandlerList } from "./handlers.js";
import { checkInbound } from "./inbound.js";
import { Connection, type ConnectionAuth, type ConnectionHost } from "./tcp-connection.js";
import { SendQueue, sharedSlabPool } from "./tcp-send-queue.js";
import { tcpOptionsSchema, type PeerAddress, type TcpAuth, type TcpTransportEvent, type TcpTransportMetrics, type TcpTransportOptions } from "./tcp-options.js";
import { TransportError, type MessageHandler, type MessageSchema, type NodeId, type Transport, type TransportErrorHandler } from "./types.js";

interface PeerLink {
  readonly id: NodeId;
  address: PeerAddress | undefined;
  /** Frames waiting for the connection, counted in messages and bytes. */
  readonly queue: SendQueue;
  /** The authenticated connection, if any. */
  connection: Connection | undefined;
  /** Our dial in progress (dialer side only). */
  dialing: Connection | undefined;
  flushScheduled: boolean;
  waitingDrain: boolean;
  attempt: number;
  dialedBefore: boolean;
  reconnectTimer: TimerHandle | undefined;
}

type State = "new" | "listening" | "closing" | "closed";

/**
 * Messages between Node processes over TCP. Frames are a 4-byte big-endian length and a MessagePack
 * body (see `codec.ts`); `Uint8Array` values travel as raw bytes.
 *
 * - **Who dials**: for each pair, the node whose id sorts first (by UTF-16 code units) dials and
 *   keeps redialing with capped exponential backoff and jitter; the other waits. Both send over that
 *   one connection, so there are never two connections to reconcile.
 * - **Authentication**: a shared-secret HMAC challenge-response or mutual TLS (see {@link TcpAuth});
 *   only configured peers are accepted, and nothing reaches `onMessage` before the handshake succeeds.
 *   In shared-secret mode every later batch of frames carries a MAC tag (AES-256-GCM's GMAC by
 *   default, HMAC-SHA256 where negotiated) under a per-connection key, over an implicit sequence
 *   number, and is delivered only once verified: a frame injected,
 *   modified, replayed, reordered or dropped by a man in the middle closes the connection with an
 *   `"integrity"` error. Peers speaking an older wire
 *   protocol are refused at the handshake with a `"protocol_version"` error.
 * - **Unauthenticated connections** are bounded: at most `maxPendingHandshakes` in their handshake at
 *   once (`maxPendingHandshakesPerAddress` from one address), each for at most `handshakeTimeoutMs`;
 *   excess sockets are closed on arrival, so a flood cannot exhaust the process's file descriptors.
 * - **Sending**: `send` encodes at once and queues per peer (bounded: a full queue throws a
 *   `"backpressure"` {@link TransportError}); queued frames go out in one socket write per event-loop
 *   turn, and wait while the socket asks for `drain`. Messages queued for a peer that is not connected
 *   wait for the connection; messages written into a connection that then breaks are lost (best effort).
 * - **Receiving**: frames above `maxFrameBytes` close the connection (`"frame_too_large"`); frames
 *   that are not valid MessagePack (`"bad_frame"`: truncated, absurd lengths, nested too deeply) and
 *   schema failures (`"invalid_message"`) are dropped and reported. `maxFrameBytes` bounds each
 *   encoded message; in shared-secret mode each socket write also carries a 21-byte tag frame. An
 *   exception thrown by a message handler is an engine bug: the rest of the received chunk is still
 *   delivered, then the exception is rethrown from the socket's data event (uncaught, as in any
 *   Node event handler).
 * - **Errors** reach `onError` (or the logger when nobody listens): refused handshakes, bad frames,
 *   and the loss of an established connection. Failed dials are retried quietly and show up as
 *   `reconnect_scheduled` events; `metrics()` and `onEvent` are the hooks for monitoring.
 *
 * @example
 * ```ts
 * const auth = { kind: "secret", secret: process.env.CLUSTER_SECRET ?? "" } as const;
 * const node = new TcpTransport({ localId: "edge-a", listen: { host: "0.0.0.0", port: 7400 }, auth, schema: RaftMessageSchema,
 *   peers: { "edge-b": { host: "10.0.0.2", port: 7400 } } });
 * node.onMessage((from, message) => raft.step(message));
 * node.onError((error) => logger.warn({ reason: error.reason, peer: error.peer }, error.message));
 * await node.start();
 * node.send("edge-b", { type: "heartbeat", term: 3 });
 * await node.close(); // flushes queued frames first
 * ```
 */
export class TcpTransport<M = unknown> implements Transport<M> {
  readonly localId: NodeId;
  private readonly options: ReturnType<typeof tcpOptionsSchema.parse>;
  private readonly schema: MessageSchema<M> | undefined;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly logger: Logger;
  private readonly backoff: ResolvedBackoff;
  private readonly tls: Extract<TcpAuth, { kind: "tls" }> | undefined;
  private readonly host: ConnectionHost;
  private readonly peers = new Map<NodeId, PeerLink>();
  private readonly connections = new Set<Connection>();
  private readonly nonces = new NonceLedger();
  /** Send slabs, shared by every peer's queue (and every transport of the process), so that idle memory is bounded per process. */
  private readonly slabs = sharedSlabPool;
  private readonly messageHandlers = new HandlerList<MessageHandler<M>>();
  private readonly errorHandlers = new HandlerList<TransportErrorHandler>();
  private readonly eventHandlers = new HandlerList<(event: TcpTransportEvent) => void>();
  private server: Server | undefined;
  private bound: PeerAddress | undefined;
  private state: State = "new";
  private abortStart: ((error: TransportError) => void) | undefined;
  private counters = { bytesIn: 0, bytesOut: 0, framesIn: 0, framesOut: 0, messagesDelivered: 0, reconnects: 0, rejectedFrames: 0, authFailures: 0, refusedConnections: 0, backpressureRejections: 0 };
  /** Inbound sockets in their handshake, by `address:port`, with their remote address. */
  private readonly pending = new Map<string, string>();
  private readonly pendingByAddress = new Map<string, number>();
  /** Sockets just refused by {@link TcpTransport.admit}, until they close. */
  private readonly refused = new Set<string>();

  constructor(options: TcpTransportOptions<M>) {
    const { schema, clock, random, logger, ...plain } = options;
    this.options = parseWith(tcpOptionsSchema, plain);
    this.localId = this.options.localId;
    this.schema = schema;
    this.clock = clock ?? new SystemClock();
    this.random = random ?? new Random(randomBytes(4).readUInt32BE(0));
    this.logger = childLogger(logger ?? noopLogger, { transport: "tcp", localId: this.localId });
    this.backoff = this.options.reconnect;
    const auth = this.options.auth;
    this.tls = auth.kind === "tls" ? auth : undefined;
    const connectionAuth: ConnectionAuth = auth.kind === "secret" ? { kind: "secret", secret: Buffer.from(auth.secret), suites: auth.suites } : { kind: "tls" };
    for (const [id, address] of Object.entries(this.options.peers)) this.addPeer(id, address);
    this.host = this.connectionHost(connectionAuth);
  }

  /**
   * Starts listening and dialing; resolves with the bound address (useful with port 0). Aborting
   * `signal` while it binds closes the transport and rejects with a `CancelledError`.
   */
  async start(options: { readonly signal?: AbortSignal } = {}): Promise<PeerAddress> {
    // A second call while the first is still binding would orphan the first listener.
    if (this.state !== "new" || this.server !== undefined) throw new TransportError("closed", `transport "${this.localId}" was already started`);
    const signal = options.signal;
    if (signal?.aborted === true) {
      await this.close();
      throw new CancelledError(`starting transport "${this.localId}" was cancelled`, { cause: signal.reason });
    }
    const onAbort = (): void => void this.close();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await this.listen();
    } catch (error) {
      // Read again: the abort may have come while binding.
      if (isAborted(signal)) throw new CancelledError(`starting transport "${this.localId}" was cancelled`, { cause: signal?.reason });
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Disposes of the transport as {@link TcpTransport.close} does (`await using transport = ...`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async listen(): Promise<PeerAddress> {
    const server = this.tls === undefined ? createNetServer((socket) => this.admit(socket) && this.accept(socket)) : this.createTlsServer(this.tls);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      // close() while binding settles this promise; otherwise the listening callback may never come.
      this.abortStart = reject;
      server.once("error", reject);
      server.listen(this.options.listen.port, this.options.listen.host, () => {
        server.off("error", reject);
        if (this.state === "new") resolve();
        else server.close();
      });
    }).finally(() => {
      this.abortStart = undefined;
    });
    server.on("error", (error) => this.fault(new TransportError("connection", `listener failed: ${error.message}`, { cause: error })));
    const address = server.address();
    this.bound = { host: this.options.listen.host, port: typeof address === "object" && address !== null ? address.port : this.options.listen.port };
    this.state = "listening";
    for (const peer of this.peers.values()) this.dial(peer);
    return this.bound;
  }

  /** The address the transport listens on, once started. */
  address(): PeerAddress | undefined {
    return this.bound;
  }

  /** Adds (or re-addresses) a peer that may connect and be sent to; the address is only used if we dial it. */
  addPeer(id: NodeId, address?: PeerAddress): void {
    parseWith(tcpOptionsSchema.shape.peers, { [id]: address ?? { host: "unused", port: 1 } }, "peers");
    if (id === this.localId) throw new TransportError("unknown_peer", `a node cannot be its own peer ("${id}")`, { peer: id });
    const existing = this.peers.get(id);
    if (existing !== undefined) {
      existing.address = address ?? existing.address;
      return;
    }
    const peer: PeerLink = { id, address, queue: new SendQueue(this.slabs), connection: undefined, dialing: undefined, flushScheduled: false, waitingDrain: false, attempt: 0, dialedBefore: false, reconnectTimer: undefined };
    this.peers.set(id, peer);
    this.dial(peer);
  }

  /** Forgets a peer: its connection is closed and its queue discarded. */
  removePeer(id: NodeId): void {
    if (typeof id !== "string" || id === "") throw ValidationError.of("id", "must be a non-empty node id");
    const peer = this.peers.get(id);
    if (peer === undefined) return;
    this.peers.delete(id);
    if (peer.reconnectTimer !== undefined) this.clock.clearTimer(peer.reconnectTimer);
    peer.connection?.destroy();
    peer.dialing?.destroy();
  }

  send(to: NodeId, message: M): void {
    if (typeof to !== "string" || to === "") throw ValidationError.of("to", "must be a non-empty node id");
    if (this.state === "closing" || this.state === "closed") throw new TransportError("closed", `transport "${this.localId}" is closed`, { peer: to });
    const peer = this.peers.get(to);
    if (peer === undefined) throw new TransportError("unknown_peer", `"${to}" is not a peer of "${this.localId}"`, { peer: to });
    const queue = peer.queue;
    // Most messages are encoded straight into the queue; anything else takes the general path, which also names what was wrong.
    if (queue.messages < this.options.maxQueueMessages && queue.pushMessage(message, this.options.maxQueueBytes, this.options.maxFrameBytes, to)) {
      this.scheduleFlush(peer);
      return;
    }
    const frame = encodeMessageFrame(message, to);
    const bodyBytes = frame.length - FRAME_HEADER_BYTES;
    if (bodyBytes > this.options.maxFrameBytes) {
      throw new TransportError("frame_too_large", `message of ${bodyBytes} bytes exceeds the maximum frame size of ${this.options.maxFrameBytes} bytes`, { peer: to });
    }
    if (queue.messages >= this.options.maxQueueMessages || !queue.pushEncoded(frame, this.options.maxQueueBytes)) {
      this.counters.backpressureRejections++;
      throw new TransportError("backpressure", `send queue to "${to}" is full (${queue.messages} messages, ${queue.bytes} bytes)`, { peer: to });
    }
    // Filled slabs go out at once: the socket works while the rest of a burst is encoded, and hands them back to be refilled.
    if (queue.hasFull) this.flush(peer, true);
    this.scheduleFlush(peer);
  }

  onMessage(handler: MessageHandler<M>): () => void {
    return this.messageHandlers.add(handler);
  }

  onError(handler: TransportErrorHandler): () => void {
    return this.errorHandlers.add(handler);
  }

  /** Subscribes to connection and rejection events (for monitoring); returns an unsubscribe function. */
  onEvent(handler: (event: TcpTransportEvent) => void): () => void {
    return this.eventHandlers.add(handler);
  }

  /** Counters since start and the state of each peer, frozen. */
  metrics(): TcpTransportMetrics {
    const peers: Record<NodeId, { connected: boolean; queuedMessages: number; queuedBytes: number }> = {};
    for (const peer of this.peers.values()) {
      peers[peer.id] = Object.freeze({ connected: peer.connection?.isOpen === true, queuedMessages: peer.queue.messages, queuedBytes: peer.queue.bytes });
    }
    return Object.freeze({ ...this.counters, pendingHandshakes: this.pending.size, peers: Object.freeze(peers) });
  }

  /**
   * Stops accepting and dialing, writes what is queued on open connections, ends them gracefully,
   * and resolves when every socket is closed (cut after `closeTimeoutMs`). Frames queued for peers
   * that are not connected are discarded.
   */
  async close(): Promise<void> {
    if (this.state === "closed" || this.state === "closing") return;
    this.state = "closing";
    this.abortStart?.(new TransportError("closed", `transport "${this.localId}" was closed while starting`));
    const serverClosed = new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
    for (const peer of this.peers.values()) {
      if (peer.reconnectTimer !== undefined) this.clock.clearTimer(peer.reconnectTimer);
      peer.reconnectTimer = undefined;
      peer.waitingDrain = false;
      this.flush(peer);
    }
    const open = [...this.connections];
    const allClosed = Promise.all(open.map((c) => (c.socket.destroyed ? Promise.resolve() : new Promise<void>((resolve) => c.socket.once("close", () => resolve())))));
    for (const connection of open) {
      if (connection.isOpen) connection.end();
      else connection.destroy();
    }
    const cutoff = this.clock.setTimer(this.options.closeTimeoutMs, () => open.forEach((c) => c.destroy()));
    await allClosed;
    this.clock.clearTimer(cutoff);
    await serverClosed;
    this.state = "closed";
  }

  private createTlsServer(tls: Extract<TcpAuth, { kind: "tls" }>): Server {
    const server = createTlsServer(
      { key: tls.key, cert: tls.cert, ca: tlsCa(tls.ca), requestCert: true, rejectUnauthorized: true, handshakeTimeout: this.options.handshakeTimeoutMs },
      (socket) => this.accept(socket),
    );
    // Counted from the raw TCP connection, before TLS spends anything on it.
    server.prependListener("connection", (raw: Socket) => this.admit(raw));
    server.on("tlsClientError", (error, socket) => this.refused.has(socketKey(socket)) || this.fault(new TransportError("auth_failed", `TLS handshake refused: ${error.message}`, { cause: error })));
    return server;
  }

  /**
   * Counts an inbound socket as pending until it authenticates or closes, or destroys it at once
   * when too many handshakes are pending in total or from its address.
   */
  private admit(socket: Socket): boolean {
    const address = socket.remoteAddress ?? "?";
    const fromAddress = this.pendingByAddress.get(address) ?? 0;
    if (this.pending.size >= this.options.maxPendingHandshakes || fromAddress >= this.options.maxPendingHandshakesPerAddress) {
      this.counters.refusedConnections++;
      // TLS still sees the socket fail; that is no handshake failure worth reporting.
      const key = socketKey(socket);
      this.refused.add(key);
      socket.once("close", () => this.refused.delete(key));
      socket.destroy();
      return false;
    }
    const key = socketKey(socket);
    this.pending.set(key, address);
    this.pendingByAddress.set(address, fromAddress + 1);
    socket.once("close", () => this.release(key));
    return true;
  }

  /** Ends a socket's pending state (authenticated or closed); idempotent. */
  private release(key: string): void {
    const address = this.pending.get(key);
    if (address === undefined) return;
    this.pending.delete(key);
    const left = (this.pendingByAddress.get(address) ?? 1) - 1;
    if (left <= 0) this.pendingByAddress.delete(address);
    else this.pendingByAddress.set(address, left);
  }

  private accept(socket: Socket | TLSSocket): void {
    if (this.state !== "listening") {
      socket.destroy();
      return;
    }
    this.connections.add(new Connection(this.host, socket, "listener"));
  }

  private dial(peer: PeerLink): void {
    if (this.state !== "listening" || !(this.localId < peer.id) || peer.address === undefined) return;
    if (peer.connection !== undefined || peer.dialing !== undefined || peer.reconnectTimer !== undefined) return;
    if (peer.dialedBefore) this.counters.reconnects++;
    peer.dialedBefore = true;
    const { host, port } = peer.address;
    let connection: Connection;
    if (this.tls === undefined) {
      const socket = netConnect({ host, port });
      connection = new Connection(this.host, socket, "dialer", peer.id);
      socket.once("connect", () => connection.start());
    } else {
      const id = peer.id;
      const socket = tlsConnect({
        host,
        port,
        key: this.tls.key,
        cert: this.tls.cert,
        ca: tlsCa(this.tls.ca),
        checkServerIdentity: (_host, cert) => (certificateNames(cert, id) ? undefined : new Error(`certificate does not name "${id}"`)),
      });
      connection = new Connection(this.host, socket, "dialer", peer.id);
      socket.once("secureConnect", () => connection.start());
    }
    peer.dialing = connection;
    this.connections.add(connection);
  }

  private scheduleReconnect(peer: PeerLink): void {
    if (this.state !== "listening" || peer.reconnectTimer !== undefined || this.peers.get(peer.id) !== peer || !(this.localId < peer.id)) return;
    const delayMs = backoffDelay(this.backoff, peer.attempt, this.random);
    peer.attempt++;
    this.emitEvent({ type: "reconnect_scheduled", peer: peer.id, attempt: peer.attempt, delayMs });
    peer.reconnectTimer = this.clock.setTimer(delayMs, () => {
      peer.reconnectTimer = undefined;
      this.dial(peer);
    }, { background: true });
  }

  private scheduleFlush(peer: PeerLink): void {
    if (peer.flushScheduled || peer.waitingDrain || peer.connection === undefined) return;
    peer.flushScheduled = true;
    // One write per event-loop turn: everything sent meanwhile rides in the same batch.
    setImmediate(() => {
      peer.flushScheduled = false;
      this.flush(peer);
    });
  }

  private flush(peer: PeerLink, fullOnly = false): void {
    const connection = peer.connection;
    if (connection === undefined || !connection.isOpen || peer.waitingDrain || peer.queue.messages === 0) return;
    const { buffers, bytes, messages, slabs } = fullOnly ? peer.queue.takeFull() : peer.queue.take();
    this.counters.framesOut += messages;
    this.counters.bytesOut += bytes;
    const queue = peer.queue;
    const written = slabs.length === 0 ? undefined : (): void => queue.release(slabs);
    if (!connection.write(buffers, written)) peer.waitingDrain = true;
  }

  private onFrame(connection: Connection, buffer: Buffer, start: number, length: number): void {
    this.counters.framesIn++;
    const from = connection.peerId ?? "";
    const value = decodeMessageAt(buffer, start, length, from);
    if (value instanceof DecodeFailure) return this.fault(value.error);
    let message = value as M;
    if (this.schema !== undefined) {
      const checked = checkInbound(this.schema, value, from);
      if (!checked.ok) return this.fault(checked.error);
      message = checked.message;
    }
    this.counters.messagesDelivered++;
    emitMessage(this.messageHandlers, from, message);
  }

  private onAuthenticated(connection: Connection): void {
    if (connection.role === "listener") this.release(socketKey(connection.socket));
    const peer = connection.peerId === undefined ? undefined : this.peers.get(connection.peerId);
    if (peer === undefined || this.state !== "listening") {
      if (this.state === "listening") this.fault(new TransportError("auth_failed", `peer "${connection.peerId ?? "?"}" was removed during its handshake`, { peer: connection.peerId }));
      connection.destroy();
      return;
    }
    // A peer that reconnects replaces its old connection (it restarted, or the old one is half-dead).
    if (peer.connection !== undefined && peer.connection !== connection) peer.connection.destroy();
    peer.connection = connection;
    if (peer.dialing === connection) peer.dialing = undefined;
    peer.attempt = 0;
    peer.waitingDrain = false;
    this.emitEvent({ type: "connected", peer: peer.id, role: connection.role });
    this.scheduleFlush(peer);
  }

  private onClosed(connection: Connection, error: TransportError | undefined): void {
    this.connections.delete(connection);
    const peer = connection.peerId === undefined ? undefined : this.peers.get(connection.peerId);
    if (peer === undefined) return;
    if (peer.dialing === connection) peer.dialing = undefined;
    if (peer.connection === connection) {
      peer.connection = undefined;
      peer.waitingDrain = false;
      this.emitEvent({ type: "disconnected", peer: peer.id, reason: error?.message ?? "closed by peer" });
      if (this.state === "listening") {
        this.emitErrorOrLog(new TransportError("connection", `connection with "${peer.id}" lost${error === undefined ? "" : `: ${error.message}`}`, { peer: peer.id, cause: error }));
      }
    }
    this.scheduleReconnect(peer);
  }

  private fault(error: TransportError): void {
    if (error.reason === "auth_failed" || error.reason === "timeout") this.counters.authFailures++;
    else if (error.reason === "bad_frame" || error.reason === "frame_too_large" || error.reason === "invalid_message") this.counters.rejectedFrames++;
    this.emitEvent({ type: "rejected", reason: error.reason, peer: error.peer, message: error.message });
    this.emitErrorOrLog(error);
  }

  private emitErrorOrLog(error: TransportError): void {
    if (!emitError(this.errorHandlers, error)) this.logger.warn({ reason: error.reason, peer: error.peer }, error.message);
  }

  private emitEvent(event: TcpTransportEvent): void {
    const list = this.eventHandlers.handlers;
    for (let i = 0; i < list.length; i++) (list[i] as (event: TcpTransportEvent) => void)(event);
  }

  private connectionHost(auth: ConnectionAuth): ConnectionHost {
    return {
      localId: this.localId,
      auth,
      maxFrameBytes: this.options.maxFrameBytes,
      handshakeTimeoutMs: this.options.handshakeTimeoutMs,
      clock: this.clock,
      refusalOf: (id) => {
        if (!this.peers.has(id)) return "not a configured peer";
        if (!(id < this.localId)) return `the node with the smaller id dials, and "${id}" sorts after "${this.localId}"`;
        return undefined;
      },
      claimNonce: (nonce) => this.nonces.claim(nonce),
      authenticated: (connection) => this.onAuthenticated(connection),
      frame: (connection, buffer, start, length) => this.onFrame(connection, buffer, start, length),
      closed: (connection, error) => this.onClosed(connection, error),
      fault: (error) => this.fault(error),
      bytesIn: (bytes) => {
        this.counters.bytesIn += bytes;
      },
      drained: (connection) => {
        const peer = connection.peerId === undefined ? undefined : this.peers.get(connection.peerId);
        if (peer === undefined || peer.connection !== connection) return;
        peer.waitingDrain = false;
        this.scheduleFlush(peer);
      },
    };
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** A socket's remote end, the same for a TLS socket and the TCP socket under it. */
function socketKey(socket: Socket): string {
  return `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`;
}

function tlsCa(ca: string | Buffer | ReadonlyArray<string | Buffer>): Array<string | Buffer> {
  return Array.isArray(ca) ? [...(ca as ReadonlyArray<string | Buffer>)] : [ca as string | Buffer];
}
