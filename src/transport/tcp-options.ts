/**
 * Configuration, metrics and events of the TCP transport.
 *
 * @module
 */
import { z } from "zod";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import type { Random } from "../core/random.js";
import { backoffSchema, type BackoffPolicy } from "./backoff.js";
import { DEFAULT_MAX_FRAME_BYTES, MAX_FRAME_LIMIT } from "./frame.js";
import { FRAME_SUITES, type FrameSuite } from "./frame-auth.js";
import type { MessageSchema, NodeId, TransportErrorReason } from "./types.js";

/** Where a peer listens. */
export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

/** A PEM string or buffer. */
export type Pem = string | Buffer;

/**
 * How peers prove who they are.
 * - `"secret"`: a shared secret (at least 16 bytes) and an HMAC-SHA256 challenge-response; the
 *   secret never crosses the wire. Every frame after the handshake is authenticated (a MAC per
 *   batch of frames, under a key derived per connection and direction, over a sequence number, and
 *   delivered only once verified), so a man in the middle can neither inject, change, replay nor
 *   reorder messages. `suites` lists the MACs this node accepts, most preferred first (default
 *   `["aes-256-gcm", "hmac-sha256"]`: GMAC, several times faster where the CPU has AES instructions,
 *   then HMAC-SHA256); the listener picks its most preferred one the dialer also accepts, and the
 *   handshake proofs cover the choice, so nobody in the middle can force the weaker one. Traffic is not encrypted: anyone
 *   on the path can read it. Use TLS where messages must stay private.
 * - `"tls"`: mutual TLS. Each node presents `cert` (whose subject CN or a DNS/URI SAN is its node id)
 *   signed by `ca`, and refuses peers whose certificate does not name the id they claim.
 */
export type TcpAuth = { readonly kind: "secret"; readonly secret: string | Buffer; readonly suites?: readonly FrameSuite[] } | { readonly kind: "tls"; readonly key: Pem; readonly cert: Pem; readonly ca: Pem | readonly Pem[] };

export interface TcpTransportOptions<M> {
  /** This node's id; peers must know it, and under TLS its certificate must name it. */
  readonly localId: NodeId;
  /** Where to listen. Default `127.0.0.1`, port 0 (an ephemeral port; `TcpTransport.address()` tells which). */
  readonly listen?: { readonly host?: string; readonly port?: number };
  /** Known peers. Only these may connect; more can be added with `addPeer`. */
  readonly peers?: Readonly<Record<NodeId, PeerAddress>>;
  readonly auth: TcpAuth;
  /** Received messages are validated against it; failures are dropped and reported. */
  readonly schema?: MessageSchema<M>;
  /** Largest frame payload (one encoded message) accepted or sent. Default 16 MiB; a larger frame closes the connection. */
  readonly maxFrameBytes?: number;
  /** Per-peer send queue bound, in messages. Default 10,000. */
  readonly maxQueueMessages?: number;
  /** Per-peer send queue bound, in bytes as sent: encoded messages and their 4-byte frame headers. Default 64 MiB. */
  readonly maxQueueBytes?: number;
  /** Reconnect backoff. Default 100 ms doubling to 10 s, 50 % jitter. */
  readonly reconnect?: BackoffPolicy;
  /** An unauthenticated connection is closed after this long. Default 5 s. */
  readonly handshakeTimeoutMs?: number;
  /**
   * Most inbound connections still in their handshake at once; more are closed the moment they are
   * accepted. Default 64. Together with `maxPendingHandshakesPerAddress` and `handshakeTimeoutMs`
   * this bounds what a flood of unauthenticated sockets can hold: the transport never uses more than
   * `maxPendingHandshakes` + 2 × peers file descriptors. Leave the process that much plus the
   * storage's handful (a WAL segment, the sync marker, a snapshot being written, a directory being
   * synced) and some headroom below `ulimit -n`, so storage is never the first to run out.
   */
  readonly maxPendingHandshakes?: number;
  /** Most of those from one remote address. Default 8. */
  readonly maxPendingHandshakesPerAddress?: number;
  /** `close()` waits this long for queues to flush before cutting connections. Default 5 s. */
  readonly closeTimeoutMs?: number;
  /** Timers (reconnect, handshake timeout). Default: a `SystemClock`. */
  readonly clock?: Clock;
  /** Jitter source. Default: a `Random` seeded from the OS. */
  readonly random?: Random;
  readonly logger?: Logger;
}

const pem = z.union([z.string().min(1), z.instanceof(Buffer)]);
const port = z.number().int().min(0).max(65_535);
const positiveInt = z.number().int().positive();

export const tcpOptionsSchema = z.object({
  localId: z.string().min(1).max(256),
  listen: z.object({ host: z.string().min(1).default("127.0.0.1"), port: port.default(0) }).strict().default({ host: "127.0.0.1", port: 0 }),
  peers: z.record(z.string().min(1).max(256), z.object({ host: z.string().min(1), port: port.min(1) }).strict()).default({}),
  auth: z.discriminatedUnion("kind", [
    z
      .object({
        kind: z.literal("secret"),
        secret: z.union([z.string(), z.instanceof(Buffer)]),
        suites: z
          .array(z.enum(FRAME_SUITES as [FrameSuite, ...FrameSuite[]]))
          .min(1)
          .refine((list) => new Set(list).size === list.length, { message: "suites must not repeat" })
          .default([...FRAME_SUITES]),
      })
      .strict()
      .refine((a) => Buffer.byteLength(a.secret) >= 16, { message: "secret must be at least 16 bytes", path: ["secret"] }),
    z.object({ kind: z.literal("tls"), key: pem, cert: pem, ca: z.union([pem, z.array(pem).min(1)]) }).strict(),
  ]),
  maxFrameBytes: positiveInt.max(MAX_FRAME_LIMIT).default(DEFAULT_MAX_FRAME_BYTES),
  maxQueueMessages: positiveInt.default(10_000),
  maxQueueBytes: positiveInt.default(64 * 1024 * 1024),
  reconnect: backoffSchema.default({ initialInterval: 100, backoffCoefficient: 2, maximumInterval: 10_000, jitter: 0.5 }),
  handshakeTimeoutMs: positiveInt.default(5_000),
  maxPendingHandshakes: positiveInt.default(64),
  maxPendingHandshakesPerAddress: positiveInt.default(8),
  closeTimeoutMs: z.number().int().min(0).default(5_000),
}).strict();

/** Counters since the transport started. */
export interface TcpTransportMetrics {
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly framesIn: number;
  readonly framesOut: number;
  /** Messages that passed validation and reached the handlers. */
  readonly messagesDelivered: number;
  /** Dials after a lost connection or a failed dial. */
  readonly reconnects: number;
  /** Frames refused: too large, not JSON, or not matching the schema. */
  readonly rejectedFrames: number;
  /** Handshakes refused (wrong secret, wrong certificate, unknown peer, replay, timeout). */
  readonly authFailures: number;
  /** Inbound connections closed on arrival because too many handshakes were pending (in total or from their address). */
  readonly refusedConnections: number;
  /** Inbound connections now in their handshake. */
  readonly pendingHandshakes: number;
  /** Messages refused by `send` because the peer's queue was full. */
  readonly backpressureRejections: number;
  /** Per peer: whether an authenticated connection is up and how much is queued. */
  readonly peers: Readonly<Record<NodeId, { readonly connected: boolean; readonly queuedMessages: number; readonly queuedBytes: number }>>;
}

/** What the transport reports as it runs, for monitoring. */
export type TcpTransportEvent =
  | { readonly type: "connected"; readonly peer: NodeId; readonly role: "dialer" | "listener" }
  | { readonly type: "disconnected"; readonly peer: NodeId; readonly reason: string }
  | { readonly type: "reconnect_scheduled"; readonly peer: NodeId; readonly attempt: number; readonly delayMs: number }
  | { readonly type: "rejected"; readonly reason: TransportErrorReason; readonly peer: NodeId | undefined; readonly message: string };
