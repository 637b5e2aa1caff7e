/**
 * The connection handshake of the TCP transport. The dialer speaks first:
 *
 * ```
 * dialer                                   listener
 *   hello     { id, to, nonce: Nd, suites: S }   ─────▶  checks `to`, that `id` is a known peer, that Nd is fresh
 *             ◀─────  challenge { id, nonce: Nl, suite: s, proof: HMAC(k, "listener" | Nd | Nl | id_d | id_l | S | s) }   (secret mode)
 *   auth      { proof: HMAC(k, "dialer" | Nd | Nl | id_d | id_l | S | s) }  ─────▶  constant-time compare
 *             ◀─────  welcome { id }
 * ```
 *
 * With a shared secret both sides prove they hold it without sending it; the role labels stop one
 * side's proof from being reflected as the other's, and the listener's fresh nonce stops a recorded
 * `auth` from being replayed. The dialer offers the frame-protection suites it accepts (`S`, most
 * preferred first) and the listener picks one (`s`, its own most preferred among them); both proofs
 * cover the offer and the pick exactly as each side saw them, so a man in the middle who strips the
 * stronger suite from the offer, or swaps the pick, makes the proofs disagree and the handshake fail:
 * nobody can force the weaker suite on two peers that both accept the stronger one. Listeners also remember recent dialer nonces and refuse a repeat. With
 * mutual TLS the certificates authenticate both sides and the handshake is `hello` then `welcome`,
 * with the listener checking that the certificate names the claimed id.
 *
 * Handshake messages are JSON frames (so a peer on an older protocol version gets a readable
 * refusal); after a shared-secret handshake both sides derive per-direction keys from the secret and
 * both nonces, and every later frame is MessagePack with an integrity tag (see `frame-auth.ts`).
 *
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { PeerCertificate } from "node:tls";
import { z } from "zod";
import { FRAME_SUITES, type FrameSuite } from "./frame-auth.js";
import type { NodeId } from "./types.js";

/**
 * Protocol version carried in `hello`. Version 3: MessagePack frames, batches tagged in shared-secret
 * mode under a suite negotiated in the handshake. Version 2 (HMAC-SHA256 tags, no negotiation) and
 * version 1 (JSON frames, untagged) are refused with a clear error.
 */
export const PROTOCOL_VERSION = 3;
/** Maximum size of a frame before the peer is authenticated. */
export const HANDSHAKE_MAX_FRAME_BYTES = 4096;

const nonce = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "nonce must be 32 bytes of base64");
const id = z.string().min(1).max(256);
const proof = z.string().regex(/^[0-9a-f]{64}$/, "proof must be a hex HMAC-SHA256");

/** Suite names are free text on the wire: a newer peer may offer suites this one does not know. */
const offered = z.array(z.string().min(1).max(32)).min(1).max(8);
const suite = z.enum(FRAME_SUITES as [FrameSuite, ...FrameSuite[]]);

export const helloSchema = z.object({ t: z.literal("hello"), v: z.literal(PROTOCOL_VERSION), id, to: id, nonce, suites: offered }).strict();

export const challengeSchema = z.object({ t: z.literal("challenge"), id, nonce, suite, proof }).strict();
export const authSchema = z.object({ t: z.literal("auth"), proof }).strict();
export const welcomeSchema = z.object({ t: z.literal("welcome"), id }).strict();

export type Hello = z.infer<typeof helloSchema>;
export type Challenge = z.infer<typeof challengeSchema>;
export type Auth = z.infer<typeof authSchema>;
export type Welcome = z.infer<typeof welcomeSchema>;

/** A fresh 32-byte nonce, base64. */
export function newNonce(): string {
  return randomBytes(32).toString("base64");
}

/** What both proofs of a shared-secret handshake cover. */
export interface HandshakeTranscript {
  readonly dialerNonce: string;
  readonly listenerNonce: string;
  readonly dialerId: NodeId;
  readonly listenerId: NodeId;
  /** The suites the dialer offered, in its order. */
  readonly offered: readonly string[];
  /** The suite the listener picked. */
  readonly suite: FrameSuite;
}

/** The proof a side sends: HMAC-SHA256 over its role, both nonces, both ids, the offer and the pick. */
export function handshakeProof(secret: Buffer, role: "dialer" | "listener", fields: HandshakeTranscript): string {
  const hmac = createHmac("sha256", secret);
  // Length-prefixed fields, so no two different field tuples serialize the same (the offer as JSON, so neither do two lists).
  for (const part of [`edgeflow-handshake-v${PROTOCOL_VERSION}`, role, fields.dialerNonce, fields.listenerNonce, fields.dialerId, fields.listenerId, JSON.stringify(fields.offered), fields.suite]) {
    const bytes = Buffer.from(part, "utf8");
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32BE(bytes.length, 0);
    hmac.update(len);
    hmac.update(bytes);
  }
  return hmac.digest("hex");
}

/** The listener's pick: its own most preferred suite that the dialer offered, if any. */
export function pickSuite(preferred: readonly FrameSuite[], offer: readonly string[]): FrameSuite | undefined {
  return preferred.find((candidate) => offer.includes(candidate));
}

/** Constant-time comparison of two hex proofs. */
export function proofsEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected, "hex");
  const b = Buffer.from(received, "hex");
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/** Whether a certificate names `peerId` in its subject CN or a DNS/URI subject alternative name. */
export function certificateNames(cert: PeerCertificate | undefined, peerId: NodeId): boolean {
  if (cert === undefined || cert === null || Object.keys(cert).length === 0) return false;
  const cn = cert.subject?.CN;
  if ((Array.isArray(cn) ? cn : [cn]).includes(peerId)) return true;
  const san = cert.subjectaltname ?? "";
  return san.split(/,\s*/).some((entry) => entry === `DNS:${peerId}` || entry === `URI:${peerId}`);
}

/**
 * Remembers dialer nonces seen recently so a replayed `hello` is refused. Bounded: the oldest
 * are forgotten first (a replay of a forgotten nonce still fails the listener-nonce proof).
 */
export class NonceLedger {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 100_000) {}

  /** Records `nonce`; returns `false` if it was already there. */
  claim(value: string): boolean {
    if (this.seen.has(value)) return false;
    this.seen.add(value);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next();
      if (oldest.done !== true) this.seen.delete(oldest.value);
    }
    return true;
  }
}
