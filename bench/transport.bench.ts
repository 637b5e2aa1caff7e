/**
 * Transport throughput: TcpTransport against bare node:net sockets over loopback, measured in
 * alternating rounds so both see the same machine, each round's ratio kept; the minimum and median
 * ratio are printed for each row of issue 20's table, per frame-protection suite (shared-secret mode
 * with AES-256-GCM as GMAC, and with HMAC-SHA256), with both ends in this process and with the
 * receiving end in a child process (one core each); for one process also the least CPU time of a
 * round of each, which other load on the machine disturbs less. Then what the MACs alone cost, which bounds any
 * transport that authenticates every byte; the wire codec candidates (JSON, msgpackr, cbor-x) against
 * each other; and SimNetwork's zero-latency delivery against calling the handler directly.
 *
 * Run: npx tsx bench/transport.bench.ts            (quick)
 *      BENCH_SCALE=4 BENCH_ROUNDS=21 npx tsx bench/transport.bench.ts   (longer runs, steadier numbers)
 *      BENCH_ONLY="64 KiB messages, one way" npx tsx bench/transport.bench.ts   (one row of the table)
 *      BENCH_ENDS="two processes" BENCH_ONLY=...   (only the rows with the receiving end in a child process)
 *      PEER_PROFILE_DIR=/tmp/prof BENCH_ONLY=...   (a CPU profile of the child process, the receiving end of the "two processes" rows)
 * cbor-x is measured when it is installed (`npm install --no-save cbor-x`); it is not a dependency.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createCipheriv, createHmac } from "node:crypto";
import { once } from "node:events";
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Packr } from "msgpackr";
import { ManualClock } from "../src/core/clock.js";
import { Random } from "../src/core/random.js";
import { decodeMessage, decodeMessageAt, DecodeFailure, encodeMessage, encodeMessageFrame, encodeMessageFrameInto } from "../src/transport/codec.js";
import { BATCH_VERIFIED, FRAME_SUITES, FrameOpener, FrameSealer, TAG_INTERVAL_BYTES, type FrameSuite } from "../src/transport/frame-auth.js";
import { FrameDecoder } from "../src/transport/frame.js";
import { SendQueue } from "../src/transport/tcp-send-queue.js";
import { SimNetwork } from "../src/transport/index.js";
import { TcpTransport } from "../src/tcp.js";
import { BENCH_SECRET as secret, type BenchMessage, benchTransportOptions as transportOptions, warmSender } from "./transport-warm-sender.js";

const scale = Number(process.env["BENCH_SCALE"] ?? "1");
const ROUNDS = 5;
/** Alternating rounds of bare sockets and TcpTransport per row. */
const TRANSPORT_ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? "9");
/** `BENCH_ONLY=<text>`: only the table's rows whose name contains the text, and nothing after the table. */
const only = process.env["BENCH_ONLY"] === undefined || process.env["BENCH_ONLY"] === "" ? undefined : process.env["BENCH_ONLY"];
/** `BENCH_ENDS="one process"` or `"two processes"`: only those rows. */
const endsOnly = process.env["BENCH_ENDS"] === undefined || process.env["BENCH_ENDS"] === "" ? undefined : process.env["BENCH_ENDS"];

interface Result {
  readonly msgsPerSec: number;
  readonly mbPerSec: number;
}

function result(messages: number, bytesPerMessage: number, ms: number): Result {
  const seconds = ms / 1000;
  return { msgsPerSec: messages / seconds, mbPerSec: (messages * bytesPerMessage) / seconds / 1e6 };
}

type Mode = "one way" | "echo";

/** Bare sockets: the client writes each message as is; the server counts the bytes, or writes every chunk back. */
async function bare(mode: Mode, count: number, size: number): Promise<Result> {
  const total = count * size;
  let serverReceived = 0;
  let serverDone: () => void = () => undefined;
  const serverFinished = new Promise<void>((resolve) => (serverDone = resolve));
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      if (mode === "echo") socket.write(chunk);
      else if ((serverReceived += chunk.length) >= total) serverDone();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const ms = await bareClient(mode, count, size, port, serverFinished);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return result(count, size, ms);
}

/** The client half of {@link bare}: milliseconds until `count` messages were counted by the server, or echoed. */
async function bareClient(mode: Mode, count: number, size: number, port: number, serverFinished: Promise<unknown>): Promise<number> {
  const total = count * size;
  const client: Socket = connect({ port, host: "127.0.0.1" });
  client.setNoDelay(true);
  await new Promise<void>((resolve) => client.once("connect", resolve));
  const payload = Buffer.alloc(size, 120);
  let received = 0;
  const start = performance.now();
  const echoed = new Promise<void>((resolve) =>
    client.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received >= total) resolve();
    }),
  );
  for (let i = 0; i < count; i++) client.write(payload);
  await (mode === "echo" ? echoed : serverFinished);
  const ms = performance.now() - start;
  client.destroy();
  return ms;
}

/** What a message carries: bytes (a snapshot chunk, migration data) or text. */
type Body = "bytes" | "text";

/** A message of about `size` bytes on the wire: the sequence number and the body. */
function message(s: number, size: number, body: Body): { s: number; d: Uint8Array | string } {
  // `{s: <int32>, d: <bin or str header>}` takes 16 bytes of MessagePack around the body.
  const length = Math.max(0, size - 16);
  return { s, d: body === "bytes" ? new Uint8Array(length).fill(120) : "x".repeat(length) };
}



/** TcpTransport in shared-secret mode: `a` sends; `b` counts the messages, or echoes each back through its own `send`. */
async function transport(mode: Mode, count: number, size: number, body: Body, suite: FrameSuite): Promise<Result> {
  const options = transportOptions(count, size, suite);
  const b = new TcpTransport<BenchMessage>({ localId: "b", ...options });
  let sunk = 0;
  let sinkDone: () => void = () => undefined;
  const sinkFinished = new Promise<void>((resolve) => (sinkDone = resolve));
  b.onMessage((from, m) => {
    if (mode === "echo" || m.s < 0) b.send(from, m);
    else if (++sunk === count) sinkDone();
  });
  const pb = await b.start();
  b.addPeer("a");
  const ms = await transportSender(mode, count, size, body, suite, pb.port, sinkFinished);
  await b.close();
  return result(count, size, ms);
}

/** The sending half of {@link transport}, node `a`: milliseconds until `count` messages were counted by `b`, or echoed. */
async function transportSender(mode: Mode, count: number, size: number, body: Body, suite: FrameSuite, port: number, sinkFinished: Promise<unknown>): Promise<number> {
  // The handshake stays outside the measurement.
  const a = await warmSender<BenchMessage>(transportOptions(count, size, suite), port, { s: -1, d: "" });
  const template = message(0, size, body);
  let received = 0;
  const start = performance.now();
  const done = new Promise<void>((resolve) =>
    a.onMessage(() => {
      if (++received === count) resolve();
    }),
  );
  for (let s = 0; s < count; s++) a.send("b", { s, d: template.d });
  await (mode === "echo" ? done : sinkFinished);
  const ms = performance.now() - start;
  await a.close();
  return ms;
}

/** The receiving end in a child process (`bench/support/transport-peer.ts`). */
class RemotePeer {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<RemotePeer> {
    const script = join(dirname(fileURLToPath(import.meta.url)), "support", "transport-peer.ts");
    // PEER_PROFILE_DIR=<dir>: the receiving process writes a CPU profile there when it exits.
    const profile = process.env["PEER_PROFILE_DIR"];
    const execArgv = profile === undefined || profile === "" ? ["--import", "tsx"] : ["--cpu-prof", `--cpu-prof-dir=${profile}`, "--import", "tsx"];
    const child = fork(script, [], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    await once(child, "spawn");
    return new RemotePeer(child);
  }

  /** Sends a command; resolves with the first reply that has `key`. */
  private ask<T>(command: object, key: string): Promise<T> {
    return new Promise<T>((resolve) => {
      const listener = (reply: Record<string, unknown>): void => {
        if (!(key in reply)) return;
        this.child.off("message", listener);
        resolve(reply[key] as T);
      };
      this.child.on("message", listener);
      this.child.send(command);
    });
  }

  /** Listens for the next command's `done`. */
  private doneSignal(): Promise<unknown> {
    return new Promise((resolve) => {
      const listener = (reply: Record<string, unknown>): void => {
        if (!("done" in reply)) return;
        this.child.off("message", listener);
        resolve(undefined);
      };
      this.child.on("message", listener);
    });
  }

  async bare(mode: Mode, count: number, size: number): Promise<Result> {
    const port = await this.ask<number>({ kind: "bare", mode, total: count * size }, "port");
    const ms = await bareClient(mode, count, size, port, mode === "one way" ? this.doneSignal() : Promise.resolve());
    await this.ask({ kind: "end" }, "ended");
    return result(count, size, ms);
  }

  async transport(mode: Mode, count: number, size: number, body: Body, suite: FrameSuite): Promise<Result> {
    const port = await this.ask<number>({ kind: "transport", mode, count, size, suite, secret }, "port");
    const ms = await transportSender(mode, count, size, body, suite, port, mode === "one way" ? this.doneSignal() : Promise.resolve());
    await this.ask({ kind: "end" }, "ended");
    return result(count, size, ms);
  }

  stop(): void {
    this.child.disconnect();
  }
}

/**
 * The transport's framing, codec and integrity work alone, without sockets, along the transport's
 * own path: encode into the send queue, tag, decode frames from 64 KiB chunks, check tags, decode.
 */
function codecOnly(count: number, size: number, body: Body, suite: FrameSuite): Result {
  const template = message(0, size, body);
  const key = Buffer.alloc(32, 1);
  const sealer = new FrameSealer(key, suite);
  const opener = new FrameOpener(key, 1 << 30, suite);
  const queue = new SendQueue();
  const decoder = new FrameDecoder(16 * 1024 * 1024);
  let decoded = 0;
  const start = performance.now();
  const batch = Math.max(1, Math.floor((1024 * 1024) / size));
  for (let sent = 0; sent < count; sent += batch) {
    for (let s = sent; s < Math.min(count, sent + batch); s++) {
      const m = { s, d: template.d };
      if (!queue.pushMessage(m, Number.MAX_SAFE_INTEGER, 1 << 30)) queue.pushEncoded(encodeMessageFrame(m), Number.MAX_SAFE_INTEGER);
    }
    const taken = queue.take();
    for (const buffer of sealer.seal(taken.buffers)) {
      // Loopback reads arrive in 64 KiB chunks.
      for (let at = 0; at < buffer.length; at += 65_536) {
        decoder.push(buffer.subarray(at, at + 65_536));
        for (let length = decoder.nextLength(); length >= 0; length = decoder.nextLength()) {
          if (opener.acceptAt(decoder.payloadBuffer, decoder.payloadStart, length) !== BATCH_VERIFIED) continue;
          for (let i = 0; i < opener.verifiedCount; i++) if (!(decodeMessageAt(opener.verifiedBuffer(i), opener.verifiedStart(i), opener.verifiedLength(i)) instanceof DecodeFailure)) decoded++;
          opener.delivered();
        }
      }
    }
    queue.release(taken.slabs);
  }
  const ms = performance.now() - start;
  if (decoded !== count) throw new Error(`codec decoded ${decoded} of ${count}`);
  return result(count, size, ms);
}

/**
 * The MAC alone over the same bytes, twice (the sender tags, the receiver checks), one tag per
 * {@link TAG_INTERVAL_BYTES} as the transport does: what authenticating every byte costs by itself.
 */
function macOnly(count: number, size: number, suite: FrameSuite): Result {
  const key = Buffer.alloc(32, 1);
  const bytes = Buffer.alloc(size, 120);
  const perTag = Math.max(1, Math.floor(TAG_INTERVAL_BYTES / size));
  const open = (): { update(b: Buffer): void; digest(): void } => {
    if (suite === "hmac-sha256") {
      const hmac = createHmac("sha256", key);
      return { update: (b) => hmac.update(b), digest: () => hmac.digest() };
    }
    const gcm = createCipheriv("aes-256-gcm", key, Buffer.alloc(12));
    return {
      update: (b) => gcm.setAAD(b),
      digest: () => {
        gcm.final();
        gcm.getAuthTag();
      },
    };
  };
  const start = performance.now();
  for (let side = 0; side < 2; side++) {
    let mac = open();
    for (let i = 0; i < count; i++) {
      mac.update(bytes);
      if ((i + 1) % perTag === 0) {
        mac.digest();
        mac = open();
      }
    }
    mac.digest();
  }
  return result(count, size, performance.now() - start);
}

interface Codec {
  readonly name: string;
  readonly encode: (value: unknown) => Uint8Array;
  readonly decode: (bytes: Uint8Array) => unknown;
  /** Whether it can carry a Uint8Array as bytes. */
  readonly binary: boolean;
}

async function codecs(): Promise<Codec[]> {
  const list: Codec[] = [
    { name: "JSON", encode: (v) => Buffer.from(JSON.stringify(v), "utf8"), decode: (b) => JSON.parse(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8")), binary: false },
    { name: "msgpack codec (chosen)", encode: encodeMessage, decode: (b) => decodeMessage(b), binary: true },
  ];
  // Records need the decoder to share the encoder's structures: one instance for both stands for a stream.
  const records = new Packr({ useRecords: true, sequential: true });
  list.push({ name: "msgpackr records", encode: (v) => records.pack(v), decode: (b) => records.unpack(b), binary: true });
  try {
    const cbor = (await import("cbor-x" as string)) as { Encoder: new (options: object) => { encode(v: unknown): Uint8Array; decode(b: Uint8Array): unknown } };
    const plain = new cbor.Encoder({ useRecords: false, mapsAsObjects: true });
    list.push({ name: "cbor-x", encode: (v) => plain.encode(v), decode: (b) => plain.decode(b), binary: true });
  } catch {
    console.log("(cbor-x not installed: `npm install --no-save cbor-x` to compare it)");
  }
  return list;
}

function codecRate(codec: Codec, message: unknown, count: number): number {
  const start = performance.now();
  for (let i = 0; i < count; i++) codec.decode(codec.encode(message));
  return count / ((performance.now() - start) / 1000);
}

async function compareCodecs(): Promise<void> {
  const raftAppend = {
    type: "append",
    term: 3,
    from: "n1",
    to: "n2",
    index: 10,
    logTerm: 3,
    commit: 9,
    entries: Array.from({ length: 8 }, (_, i) => ({ term: 3, index: 11 + i, type: "normal", data: `put key${i} value` })),
  };
  const shapes: Array<{ name: string; message: unknown; count: number; binary: boolean }> = [
    { name: "100 B string", message: { s: 1, d: "x".repeat(80) }, count: Math.round(200_000 * scale), binary: false },
    { name: "Raft append", message: raftAppend, count: Math.round(50_000 * scale), binary: false },
    { name: "64 KiB string", message: { s: 1, d: "x".repeat(65_516) }, count: Math.round(2_000 * scale), binary: false },
    { name: "64 KiB bytes", message: { s: 1, d: new Uint8Array(65_536) }, count: Math.round(2_000 * scale), binary: true },
  ];
  console.log("codec: encode + decode in one process, messages/s and × JSON (JSON carries bytes as base64)");
  const list = await codecs();
  for (const shape of shapes) {
    const json = list[0] as Codec;
    const jsonMessage = shape.binary ? { s: 1, d: Buffer.from((shape.message as { d: Uint8Array }).d).toString("base64") } : shape.message;
    let baseline = 0;
    for (let round = 0; round < ROUNDS; round++) baseline = Math.max(baseline, codecRate(json, jsonMessage, shape.count));
    const cells = [`JSON ${Math.round(baseline).toLocaleString("en-US")}/s`];
    for (const codec of list.slice(1)) {
      let rate = 0;
      for (let round = 0; round < ROUNDS; round++) rate = Math.max(rate, codecRate(codec, shape.message, shape.count));
      cells.push(`${codec.name} ${Math.round(rate).toLocaleString("en-US")}/s (${(rate / baseline).toFixed(2)}×)`);
    }
    console.log(`  ${shape.name.padEnd(14)} ${cells.join("  ")}`);
  }
}

function simThroughput(count: number, clone: boolean): Result {
  const clock = new ManualClock(0);
  const network = new SimNetwork({ clock, random: new Random(1), cloneMessages: clone, traceLimit: 0 });
  const a = network.endpoint<{ term: number; index: number; entries: string[] }>("a");
  const b = network.endpoint<{ term: number; index: number; entries: string[] }>("b");
  let received = 0;
  b.onMessage(() => received++);
  const message = { term: 3, index: 1, entries: ["put k v"] };
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    a.send("b", message);
    if ((i & 63) === 63) network.flush();
  }
  network.flush();
  const ms = performance.now() - start;
  if (received !== count) throw new Error(`sim delivered ${received} of ${count}`);
  return result(count, JSON.stringify(message).length, ms);
}

function directCalls(count: number): Result {
  let received = 0;
  const handler = (_from: string, _message: unknown): void => {
    received++;
  };
  const handlers = [handler];
  const message = { term: 3, index: 1, entries: ["put k v"] };
  const start = performance.now();
  for (let i = 0; i < count; i++) for (const h of handlers) h("a", message);
  const ms = performance.now() - start;
  if (received !== count) throw new Error("direct calls miscounted");
  return result(count, JSON.stringify(message).length, ms);
}

function fmt(r: Result): string {
  return `${Math.round(r.msgsPerSec).toLocaleString("en-US")} msg/s, ${r.mbPerSec.toFixed(1)} MB/s`;
}

function percent(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(0)} %`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[sorted.length >> 1] as number;
}

interface Paired {
  readonly baseline: Result;
  readonly measured: Result;
  /** measured / baseline of each round, by throughput. */
  readonly ratios: readonly number[];
  /**
   * The least CPU time of this process in any round of each. With both ends in this process it is
   * all the work of a round, and what other load on the machine adds least to.
   */
  readonly cpuMs: { readonly baseline: number; readonly measured: number };
}

/** Runs the two in alternating rounds (order swapped every round), keeping each round's ratio and the medians. */
async function alternating(baseline: () => Promise<Result>, measured: () => Promise<Result>): Promise<Paired> {
  const baselines: Result[] = [];
  const measures: Result[] = [];
  const ratios: number[] = [];
  const baselineCpu: number[] = [];
  const measuredCpu: number[] = [];
  const cpuOf = async (run: () => Promise<Result>, into: number[]): Promise<Result> => {
    const before = process.cpuUsage();
    const r = await run();
    const used = process.cpuUsage(before);
    into.push((used.user + used.system) / 1000);
    return r;
  };
  for (let round = 0; round < TRANSPORT_ROUNDS; round++) {
    let b: Result;
    let m: Result;
    if (round % 2 === 0) {
      b = await cpuOf(baseline, baselineCpu);
      m = await cpuOf(measured, measuredCpu);
    } else {
      m = await cpuOf(measured, measuredCpu);
      b = await cpuOf(baseline, baselineCpu);
    }
    baselines.push(b);
    measures.push(m);
    ratios.push(m.mbPerSec / b.mbPerSec);
  }
  const byRate = (list: Result[]): Result => [...list].sort((x, y) => x.mbPerSec - y.mbPerSec)[list.length >> 1] as Result;
  return { baseline: byRate(baselines), measured: byRate(measures), ratios, cpuMs: { baseline: Math.min(...baselineCpu), measured: Math.min(...measuredCpu) } };
}

async function best(run: () => Promise<Result> | Result): Promise<Result> {
  let top: Result | undefined;
  for (let i = 0; i < ROUNDS; i++) {
    const r = await run();
    if (top === undefined || r.mbPerSec > top.mbPerSec) top = r;
  }
  return top as Result;
}

interface Case {
  readonly row: string;
  readonly mode: Mode;
  readonly size: number;
  readonly body: Body;
  readonly count: number;
  readonly target: number;
  readonly suites: readonly FrameSuite[];
  readonly ends: ReadonlyArray<"one process" | "two processes">;
}

const bothEnds = ["one process", "two processes"] as const;
const cases: readonly Case[] = [
  { row: "64 KiB messages, one way", mode: "one way", size: 65_536, body: "bytes", count: Math.round(1_000 * scale), target: 80, suites: FRAME_SUITES, ends: bothEnds },
  { row: "100 B messages, echo", mode: "echo", size: 100, body: "text", count: Math.round(50_000 * scale), target: 50, suites: FRAME_SUITES, ends: bothEnds },
  { row: "64 KiB text messages, one way", mode: "one way", size: 65_536, body: "text", count: Math.round(1_000 * scale), target: 0, suites: ["aes-256-gcm"], ends: ["one process"] },
  { row: "100 B messages, one way", mode: "one way", size: 100, body: "text", count: Math.round(100_000 * scale), target: 0, suites: ["aes-256-gcm"], ends: ["one process"] },
];

console.log(`TcpTransport over loopback in shared-secret mode (every byte under the suite's MAC) against bare node:net sockets;`);
console.log(`${TRANSPORT_ROUNDS} alternating rounds per row (node ${process.version}); "% of bare" is each round's ratio, min and median; rates are medians`);
console.log(`64 KiB messages carry a Uint8Array unless "text"; "two processes": the receiving (or echoing) end runs in a child process`);
console.log("| TcpTransport | suite | ends | TcpTransport | bare node:net, same rounds | % of bare: min | median | target |");
console.log("|---|---|---|---|---|---|---|---|");
const remote = await RemotePeer.start();
const cpuNotes: string[] = [];
for (const c of cases.filter((c) => only === undefined || c.row.includes(only))) {
  for (const ends of c.ends.filter((e) => endsOnly === undefined || e === endsOnly)) {
    for (const suite of c.suites) {
      const paired =
        ends === "one process"
          ? await alternating(() => bare(c.mode, c.count, c.size), () => transport(c.mode, c.count, c.size, c.body, suite))
          : await alternating(() => remote.bare(c.mode, c.count, c.size), () => remote.transport(c.mode, c.count, c.size, c.body, suite));
      const ratios = paired.ratios;
      console.log(
        `| ${c.row} | ${suite} | ${ends} | ${fmt(paired.measured)} | ${fmt(paired.baseline)} | ${(Math.min(...ratios) * 100).toFixed(0)} % | ${(median(ratios) * 100).toFixed(0)} % | ${c.target > 0 ? `>= ${c.target} %` : "-"} |`,
      );
      if (ends === "one process") {
        const { baseline, measured } = paired.cpuMs;
        cpuNotes.push(`${c.row}, ${suite}: ${measured.toFixed(0)} ms against bare's ${baseline.toFixed(0)} ms = ${percent(baseline, measured)} of bare`);
      }
    }
  }
}
remote.stop();
console.log("CPU time of a round with both ends in this process, least of the rounds (steadier than throughput on a loaded machine):");
for (const note of cpuNotes) console.log(`  ${note}`);
if (only !== undefined) process.exit(0);

// What the MACs and the rest of the pipeline cost without sockets, beside a bare socket's rate measured now.
const big = cases[0] as Case;
const small = cases[1] as Case;
const bareBig = await best(() => bare(big.mode, big.count, big.size));
const bareEcho = await best(() => bare(small.mode, small.count, small.size));
for (const suite of FRAME_SUITES) {
  const mac = await best(() => macOnly(big.count, big.size, suite));
  const codec = await best(() => codecOnly(big.count, big.size, big.body, suite));
  // Bare sockets plus the MAC alone, per byte: the most a transport authenticating every byte twice in one process can reach.
  const ceiling = 1 / (1 / bareBig.mbPerSec + 1 / mac.mbPerSec);
  console.log(
    `64 KiB, ${suite}: the MAC alone (sender and receiver) ${mac.mbPerSec.toFixed(0)} MB/s, ${percent(bareBig.mbPerSec, mac.mbPerSec)} of a bare socket's time per byte (bare ${bareBig.mbPerSec.toFixed(0)} MB/s);` +
      ` bare + MAC alone would reach ${percent(ceiling, bareBig.mbPerSec)} of bare in one process; framing, codec and MAC without sockets ${codec.mbPerSec.toFixed(0)} MB/s (${percent(codec.mbPerSec, bareBig.mbPerSec)} of bare).`,
  );
}
{
  // An echo encodes and decodes every message twice (there and back), all in one process; as the
  // transport does, straight into a send slab and from where the frame lies.
  const template = message(0, small.size, small.body);
  const slab = Buffer.allocUnsafeSlow(1024 * 1024);
  let codecRate = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    let at = 0;
    for (let s = 0; s < small.count; s++) {
      if (at > slab.length - 1024) at = 0;
      const end = encodeMessageFrameInto({ s, d: template.d }, slab, at, slab.length);
      decodeMessageAt(slab, at + 4, end - at - 4);
      at = end;
    }
    codecRate = Math.max(codecRate, small.count / ((performance.now() - start) / 1000));
  }
  const pipeline = await best(() => codecOnly(small.count, small.size, small.body, "aes-256-gcm"));
  const ceiling = (perMessage: number): number => 1 / (1 / bareEcho.msgsPerSec + 2 / perMessage);
  console.log(
    `100 B echo: codec encode + decode alone ${(1e6 / codecRate).toFixed(2)} µs a message, twice per echo: bare sockets (${Math.round(bareEcho.msgsPerSec).toLocaleString("en-US")} msg/s) + that alone would reach ${percent(ceiling(codecRate), bareEcho.msgsPerSec)} of bare in one process;` +
      ` with framing and GMAC too (${(1e6 / pipeline.msgsPerSec).toFixed(2)} µs a message without sockets): ${percent(ceiling(pipeline.msgsPerSec), bareEcho.msgsPerSec)} of bare.`,
  );
}

await compareCodecs();

const simCount = Math.round(1_000_000 * scale);
const direct = await best(() => directCalls(simCount));
for (const clone of [false, true]) {
  const sim = await best(() => simThroughput(simCount, clone));
  console.log(`SimNetwork zero latency, cloneMessages=${String(clone).padEnd(5)} ${fmt(sim)}   ${(sim.msgsPerSec / direct.msgsPerSec * 100).toFixed(1)} % of direct handler calls (${Math.round(direct.msgsPerSec).toLocaleString("en-US")} msg/s)`);
}
