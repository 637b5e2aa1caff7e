/**
 * TcpTransport's send and receive work on one message without sockets, stage by stage: encode into
 * the send queue's slabs, tag the batch (MAC), cut the bytes into 64 KiB reads as loopback delivers
 * them and split them into frames (reassembling the frames that span two reads) while checking the
 * tags (MAC again), decode, and validate against a zod schema as the transport does for every
 * message. Prints microseconds per message for each stage and in all, median and range over the
 * rounds, and the CPU time per message (which other load on the machine disturbs less than wall time); what is left between this and the socket rows of `transport.bench.ts` is the sockets'
 * own work, page faults on memory the sockets use, and garbage collection.
 *
 * Run: npx tsx bench/transport-pipeline.ts
 *      PIPELINE_SIZE=100 PIPELINE_COUNT=200000 npx tsx bench/transport-pipeline.ts   (small messages)
 *      PIPELINE_SUITE=hmac-sha256 BENCH_ROUNDS=15 npx tsx bench/transport-pipeline.ts
 */
import { z } from "zod";
import { decodeMessage, encodeMessageFrame } from "../src/transport/codec.js";
import { FrameOpener, FrameSealer, type FrameSuite } from "../src/transport/frame-auth.js";
import { FrameDecoder } from "../src/transport/frame.js";
import { checkInbound } from "../src/transport/inbound.js";
import { SendQueue } from "../src/transport/tcp-send-queue.js";

const size = Number(process.env["PIPELINE_SIZE"] ?? "65536");
const count = Number(process.env["PIPELINE_COUNT"] ?? "4000");
const rounds = Number(process.env["BENCH_ROUNDS"] ?? "9");
const suite = (process.env["PIPELINE_SUITE"] ?? "aes-256-gcm") as FrameSuite;
/** Loopback hands a reader at most this much at a time. */
const READ_BYTES = 65_536;

const schema = z.object({ s: z.number().int(), d: z.instanceof(Uint8Array) });
const STAGES = ["encode into slabs", "MAC (send)", "frames + MAC (receive)", "decode", "validate"] as const;
type Stage = (typeof STAGES)[number];
/** What a round measures: each stage's wall time, and the CPU time of the whole round. */
type Spent = Record<Stage | "cpu", number>;

/** One round: `count` messages through every stage; microseconds per message spent in each. */
function round(): Spent {
  // `{s: <int32>, d: <bin header>}` takes 16 bytes around the body.
  const body = new Uint8Array(Math.max(0, size - 16)).fill(120);
  const key = Buffer.alloc(32, 1);
  const sealer = new FrameSealer(key, suite);
  const opener = new FrameOpener(key, 1 << 30, suite);
  const queue = new SendQueue();
  const decoder = new FrameDecoder(16 * 1024 * 1024);
  const spent: Spent = { "encode into slabs": 0, "MAC (send)": 0, "frames + MAC (receive)": 0, decode: 0, validate: 0, cpu: 0 };
  const cpu = process.cpuUsage();
  const batch = Math.max(1, Math.floor((1024 * 1024) / size));
  let delivered = 0;
  for (let sent = 0; sent < count; sent += batch) {
    let t = performance.now();
    for (let s = sent; s < Math.min(count, sent + batch); s++) queue.pushEncoded(encodeMessageFrame({ s, d: body }), Number.MAX_SAFE_INTEGER);
    const taken = queue.take();
    let now = performance.now();
    spent["encode into slabs"] += now - t;
    t = now;
    const sealed = sealer.seal(taken.buffers);
    now = performance.now();
    spent["MAC (send)"] += now - t;
    t = now;
    const verified: Buffer[] = [];
    for (const buffer of sealed) {
      for (let at = 0; at < buffer.length; at += READ_BYTES) {
        decoder.push(buffer.subarray(at, at + READ_BYTES));
        for (let payload = decoder.next(); payload !== undefined; payload = decoder.next()) {
          const opened = opener.accept(payload);
          if (opened.kind === "failed") throw new Error(opened.reason);
          if (opened.kind === "verified") verified.push(...opened.payloads);
        }
      }
    }
    queue.release(taken.slabs);
    now = performance.now();
    spent["frames + MAC (receive)"] += now - t;
    t = now;
    const values: unknown[] = [];
    for (const payload of verified) {
      const decoded = decodeMessage(payload);
      if (!decoded.ok) throw decoded.error;
      values.push(decoded.value);
    }
    now = performance.now();
    spent.decode += now - t;
    t = now;
    for (const value of values) {
      const checked = checkInbound(schema, value, "a");
      if (!checked.ok) throw checked.error;
      if (checked.message.d.length !== body.length) throw new Error("a message lost bytes");
      delivered++;
    }
    spent.validate += performance.now() - t;
  }
  const { user, system } = process.cpuUsage(cpu);
  if (delivered !== count) throw new Error(`delivered ${delivered} of ${count}`);
  for (const stage of STAGES) spent[stage] = (spent[stage] * 1000) / count;
  spent.cpu = (user + system) / count;
  return spent;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const results: Spent[] = [];
round();
for (let r = 0; r < rounds; r++) results.push(round());
console.log(`pipeline without sockets: ${count} messages of ${size} B, ${suite}, ${rounds} rounds after one warm-up (node ${process.version})`);
console.log("µs per message: median (min–max)");
const describe = (values: number[]): string => `${median(values).toFixed(2)} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`;
for (const stage of STAGES) console.log(`  ${stage.padEnd(24)} ${describe(results.map((r) => r[stage]))}`);
const totals = results.map((r) => STAGES.reduce((sum, stage) => sum + r[stage], 0));
console.log(`  ${"all".padEnd(24)} ${describe(totals)}  = ${(size / median(totals)).toFixed(0)} MB/s`);
console.log(`  ${"CPU time, all".padEnd(24)} ${describe(results.map((r) => r.cpu))}`);
