/**
 * Transport throughput: TcpTransport against a bare node:net echo, both over loopback in this
 * process, for 100-byte and 64 KiB messages; and SimNetwork's zero-latency delivery against calling
 * the handler directly.
 *
 * Run: npx tsx bench/transport.bench.ts            (quick)
 *      BENCH_SCALE=4 npx tsx bench/transport.bench.ts   (longer runs, steadier numbers)
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { ManualClock } from "../src/core/clock.js";
import { Random } from "../src/core/random.js";
import { encodeBatch, FrameDecoder, parsePayload, serializeMessage } from "../src/transport/frame.js";
import { SimNetwork } from "../src/transport/index.js";
import { TcpTransport } from "../src/tcp.js";

const scale = Number(process.env["BENCH_SCALE"] ?? "1");
const ROUNDS = 3;
const secret = "bench secret, sixteen bytes or more";

interface Result {
  readonly msgsPerSec: number;
  readonly mbPerSec: number;
}

function result(messages: number, bytesPerMessage: number, ms: number): Result {
  const seconds = ms / 1000;
  return { msgsPerSec: messages / seconds, mbPerSec: (messages * bytesPerMessage) / seconds / 1e6 };
}

type Mode = "one-way" | "echo";

/** Bare sockets: the client writes each message as is; the server counts the bytes, or writes every chunk back. */
async function bare(mode: Mode, count: number, size: number): Promise<Result> {
  const total = count * size;
  let serverReceived = 0;
  let serverDone: () => void = () => undefined;
  const serverFinished = new Promise<void>((resolve) => (serverDone = resolve));
  const server: Server = createServer((socket) =>
    socket.on("data", (chunk: Buffer) => {
      if (mode === "echo") socket.write(chunk);
      else if ((serverReceived += chunk.length) >= total) serverDone();
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
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
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return result(count, size, ms);
}

/** TcpTransport: `a` sends; `b` counts the messages, or echoes each back through its own `send`. */
async function transport(mode: Mode, count: number, size: number): Promise<Result> {
  const options = { auth: { kind: "secret" as const, secret }, maxQueueMessages: count + 1, maxQueueBytes: 2 * count * (size + 64) + 1024 };
  const a = new TcpTransport<{ s: number; d: string }>({ localId: "a", ...options });
  const b = new TcpTransport<{ s: number; d: string }>({ localId: "b", ...options });
  const pa = await a.start();
  const pb = await b.start();
  b.addPeer("a", pa);
  a.addPeer("b", pb);
  let sunk = 0;
  let sinkDone: () => void = () => undefined;
  const sinkFinished = new Promise<void>((resolve) => (sinkDone = resolve));
  b.onMessage((from, message) => {
    if (mode === "echo" || message.s < 0) b.send(from, message);
    else if (++sunk === count) sinkDone();
  });
  // Warm the connection up (handshake) outside the measurement.
  await new Promise<void>((resolve) => {
    const off = a.onMessage(() => {
      off();
      resolve();
    });
    a.send("b", { s: -1, d: "" });
  });
  // `{"s":123456,"d":"..."}` is about `size` bytes of JSON.
  const body = "x".repeat(Math.max(0, size - 20));
  let received = 0;
  const start = performance.now();
  const done = new Promise<void>((resolve) =>
    a.onMessage(() => {
      if (++received === count) resolve();
    }),
  );
  for (let s = 0; s < count; s++) a.send("b", { s, d: body });
  await (mode === "echo" ? done : sinkFinished);
  const ms = performance.now() - start;
  await Promise.all([a.close(), b.close()]);
  return result(count, size, ms);
}

/**
 * The transport's framing and JSON work alone, without sockets: serialize, encode a batch, decode,
 * parse. Its ratio to the bare socket is the ceiling any JSON-framed transport can reach here.
 */
function codecOnly(count: number, size: number): Result {
  const body = "x".repeat(Math.max(0, size - 20));
  const decoder = new FrameDecoder(16 * 1024 * 1024);
  let decoded = 0;
  const start = performance.now();
  const batch = Math.max(1, Math.floor((1024 * 1024) / size));
  for (let sent = 0; sent < count; sent += batch) {
    const texts: string[] = [];
    for (let s = sent; s < Math.min(count, sent + batch); s++) texts.push(serializeMessage({ s, d: body }, 16 * 1024 * 1024));
    for (const buffer of encodeBatch(texts).buffers) {
      // Loopback reads arrive in 64 KiB chunks.
      for (let at = 0; at < buffer.length; at += 65_536) {
        decoder.push(buffer.subarray(at, at + 65_536));
        for (let payload = decoder.next(); payload !== undefined; payload = decoder.next()) if (parsePayload(payload).ok) decoded++;
      }
    }
  }
  const ms = performance.now() - start;
  if (decoded !== count) throw new Error(`codec decoded ${decoded} of ${count}`);
  return result(count, size, ms);
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

async function best(run: () => Promise<Result> | Result): Promise<Result> {
  let top: Result | undefined;
  for (let i = 0; i < ROUNDS; i++) {
    const r = await run();
    if (top === undefined || r.msgsPerSec > top.msgsPerSec) top = r;
  }
  return top as Result;
}

function fmt(r: Result): string {
  return `${Math.round(r.msgsPerSec).toLocaleString("en-US").padStart(12)} msg/s ${r.mbPerSec.toFixed(1).padStart(9)} MB/s`;
}

const cases = [
  { name: "100 B", size: 100, count: Math.round(100_000 * scale), target: 0.5 },
  { name: "64 KiB", size: 65_536, count: Math.round(1_000 * scale), target: 0.8 },
];

console.log(`transport throughput over loopback, both ends in this process, best of ${ROUNDS} (node ${process.version})`);
console.log("one-way: a sends, b counts; echo: b sends every message back and a counts the echoes");
for (const mode of ["one-way", "echo"] as const) {
  for (const c of cases) {
    const baseline = await best(() => bare(mode, c.count, c.size));
    const tcp = await best(() => transport(mode, c.count, c.size));
    const ratio = tcp.mbPerSec / baseline.mbPerSec;
    const label = `${mode.padEnd(7)} ${c.name.padEnd(6)}`;
    console.log(`${label} bare node:net ${fmt(baseline)}`);
    console.log(`${label} TcpTransport  ${fmt(tcp)}   ${(ratio * 100).toFixed(0).padStart(3)} % of bare (target >= ${c.target * 100} %)`);
    if (mode === "one-way") {
      const codec = await best(() => codecOnly(c.count, c.size));
      console.log(`${label} codec alone   ${fmt(codec)}   ${((codec.mbPerSec / baseline.mbPerSec) * 100).toFixed(0).padStart(3)} % of bare: the ceiling for JSON frames; TcpTransport reaches ${((tcp.mbPerSec / codec.mbPerSec) * 100).toFixed(0)} % of it`);
    }
  }
}

const simCount = Math.round(1_000_000 * scale);
const direct = await best(() => directCalls(simCount));
for (const clone of [false, true]) {
  const sim = await best(() => simThroughput(simCount, clone));
  console.log(`SimNetwork zero latency, cloneMessages=${String(clone).padEnd(5)} ${fmt(sim)}   ${(sim.msgsPerSec / direct.msgsPerSec * 100).toFixed(1)} % of direct handler calls (${Math.round(direct.msgsPerSec).toLocaleString("en-US")} msg/s)`);
}
