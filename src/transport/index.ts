/**
 * Transports: the {@link Transport} contract and the seeded faulty {@link SimNetwork} for tests and
 * simulations. The authenticated TCP/TLS transport for real deployments is `TcpTransport`, from the
 * `edgeflow/tcp` entry point (so that in-memory users never load `node:net` and `node:tls`).
 *
 * @module
 */
export { TransportError } from "./types.js";
export type { MessageHandler, MessageSchema, NodeId, Transport, TransportErrorHandler, TransportErrorReason } from "./types.js";
export { SimNetwork } from "./sim-network.js";
export type { PauseMode, SimEndpointOptions, SimNetworkOptions, SimNetworkStats } from "./sim-network.js";
export { latencySchema, linkConfigSchema } from "./link.js";
export type { Latency, LinkConfig } from "./link.js";
export type { DropReason, TraceEntry, TraceEvent } from "./trace.js";
export { backoffSchema, type BackoffPolicy } from "./backoff.js";
export { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameDecoder, serializeMessage } from "./frame.js";
