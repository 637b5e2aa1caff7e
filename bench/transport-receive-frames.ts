/**
 * What the receiving end of a TcpTransport connection spends per small frame before decoding it:
 * splitting 64 KiB socket reads into frames and checking each batch's tag, as the connection does
 * (a range of the read per frame, no view), beside the MAC alone over the same reads in the same
 * run. The difference is the framing and holding work per frame that the MAC does not explain.
 *
 * Run: npx tsx bench/transport-receive-frames.ts
 * Environment: FRAME_SUITE ("aes-256-gcm", default, or "hmac-sha256"), BENCH_ROUNDS (default 30;
 * the least CPU time of the rounds is kept, which other load on the machine disturbs least).
 */
import { createCipheriv, createHmac } from "node:crypto";
import { encodeMessageFrameInto } from "../src/transport/codec.js";
import { BATCH_VERIFIED, FrameOpener, FrameSealer, type FrameSuite } from "../src/transport/frame-auth.js";
import { FrameDecoder } from "../src/transport/frame.js";

const suite = (process.env["FRAME_SUITE"] ?? "aes-256-gcm") as FrameSuite;
const rounds = Number(process.env["BENCH_ROUNDS"] ?? "30");
/** Loopback hands a reader at most this much at a time. */
const READ_BYTES = 65_536;
const key = Buffer.alloc(32, 1);

// One send slab of 100 B echo messages (`{s, d}` with an 84-character string), sealed as one batch.
const slab = Buffer.allocUnsafeSlow(1024 * 1024);
const body = "x".repeat(84);
let filled = 0;
let frames = 0;
for (;;) {
  const end = encodeMessageFrameInto({ s: 70_000 + frames, d: body }, slab, filled, slab.length);
  if (end < 0) break;
  filled = end;
  frames++;
}
const sealer = new FrameSealer(key, suite);

/** The sealed batch cut into reads, each in memory of its own, as a socket delivers them. */
function reads(): Buffer[] {
  const out: Buffer[] = [];
  for (const buffer of sealer.seal([slab.subarray(0, filled)])) {
    for (let at = 0; at < buffer.length; at += READ_BYTES) out.push(Buffer.from(buffer.subarray(at, at + READ_BYTES)));
  }
  return out;
}

function cpuNs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

const decoder = new FrameDecoder(16 * 1024 * 1024);
const opener = new FrameOpener(key, 1 << 30, suite);

/** Nanoseconds of CPU per frame to frame and verify one batch. */
function framed(chunks: readonly Buffer[]): number {
  let delivered = 0;
  const start = cpuNs();
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (let length = decoder.nextLength(); length >= 0; length = decoder.nextLength()) {
      if (opener.acceptAt(decoder.payloadBuffer, decoder.payloadStart, length) !== BATCH_VERIFIED) continue;
      delivered += opener.verifiedCount;
      opener.delivered();
    }
  }
  const ns = (cpuNs() - start) / frames;
  if (delivered !== frames) throw new Error(`verified ${delivered} of ${frames} frames`);
  return ns;
}

/** Nanoseconds of CPU per frame for the MAC alone over the same reads, one update per read. */
function macAlone(chunks: readonly Buffer[]): number {
  const start = cpuNs();
  if (suite === "hmac-sha256") {
    const hmac = createHmac("sha256", key);
    for (const chunk of chunks) hmac.update(chunk);
    hmac.digest();
  } else {
    const gcm = createCipheriv("aes-256-gcm", key, Buffer.alloc(12));
    for (const chunk of chunks) gcm.setAAD(chunk);
    gcm.final();
    gcm.getAuthTag();
  }
  return (cpuNs() - start) / frames;
}

let bestFramed = Number.POSITIVE_INFINITY;
let bestMac = Number.POSITIVE_INFINITY;
for (let round = 0; round < rounds; round++) {
  const chunks = reads();
  // Alternated, so that both see the same state of the machine.
  if (round % 2 === 0) {
    bestFramed = Math.min(bestFramed, framed(chunks));
    bestMac = Math.min(bestMac, macAlone(chunks));
  } else {
    bestMac = Math.min(bestMac, macAlone(chunks));
    bestFramed = Math.min(bestFramed, framed(chunks));
  }
}
console.log(`receiving ${frames} frames of ${(filled / frames).toFixed(0)} B a batch, ${suite}, least CPU of ${rounds} rounds (node ${process.version}):`);
console.log(`  framing and tag checking ${bestFramed.toFixed(1)} ns a frame; the MAC alone over the same reads ${bestMac.toFixed(1)} ns (${(bestFramed / bestMac).toFixed(1)}×)`);
