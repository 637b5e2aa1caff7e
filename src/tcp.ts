/**
 * `edgeflow/tcp`: the TCP/TLS transport for real deployments. Kept out of the root entry point so
 * that a process that only runs in-memory workflows never loads `node:net`, `node:tls` or
 * `node:crypto`.
 *
 * @example
 * ```ts
 * import { TcpTransport } from "edgeflow/tcp";
 * const transport = new TcpTransport({ localId: "alpha", listen: { port: 7400 }, peers, auth: { kind: "tls", key, cert, ca } });
 * await transport.start();
 * ```
 *
 * @module edgeflow/tcp
 */
export { TcpTransport } from "./transport/tcp-transport.js";
export type { PeerAddress, Pem, TcpAuth, TcpTransportEvent, TcpTransportMetrics, TcpTransportOptions } from "./transport/tcp-options.js";
export { decodeMessage, encodeMessage } from "./transport/codec.js";
export { FRAME_SUITES, FRAME_TAG_BYTES, type FrameSuite } from "./transport/frame-auth.js";
