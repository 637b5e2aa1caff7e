/**
 * Transports: the {@link Transport} contract, the seeded faulty {@link SimNetwork} for tests and
 * simulations, and the authenticated {@link TcpTransport} for real deployments.
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
export { TcpTransport } from "./tcp-transport.js";
export type { PeerAddress, Pem, TcpAuth, TcpTransportEvent, TcpTransportMetrics, TcpTransportOptions } from "./tcp-options.js";
export { backoffSchema, type BackoffPolicy } from "./backoff.js";
export { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameDecoder, serializeMessage } from "./frame.js";
export { decodeMessage, encodeMessage } from "./codec.js";
export { FRAME_TAG_BYTES } from "./frame-auth.js";
