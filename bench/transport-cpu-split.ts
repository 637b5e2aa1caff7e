/**
 * Where the time of the "two processes" 64 KiB one-way row goes (`bench/transport.bench.ts`): per
 * round, the wall time, how long the synchronous loop of sends took (once the kernel's buffers are
 * full, the receiver gets nothing new until it ends), and the CPU time of each end (the sender here,
 * the receiver in a child process, read from /proc at the kernel's 10 ms tick), bare node:net
 * against TcpTransport (GMAC) in alternating rounds; medians, and each round's figure in brackets.
 * An end near 100 % of the wall time is the bottleneck; both well below it means they wait on each other.
 *
 * Run: npx tsx bench/transport-cpu-split.ts   (Linux; BENCH_COUNT messages a round, default 1000; BENCH_ROUNDS, default 7;
 *      BENCH_YIELD_EVERY=n: TcpTransport's sender yields to the event loop after every n sends)
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchMessage, warmSender } from "./transport-warm-sender.js";

const count = Number(process.env["BENCH_COUNT"] ?? "1000");
const rounds = Number(process.env["BENCH_ROUNDS"] ?? "7");
const size = 65_536;
/** `BENCH_YIELD_EVERY=n`: the sender yields to the event loop after every n sends (0: one synchronous burst, as in the bench). */
const yieldEvery = Number(process.env["BENCH_YIELD_EVERY"] ?? "0");
const secret = "bench secret, sixteen bytes or more";
const child = fork(join(dirname(fileURLToPath(import.meta.url)), "support", "transport-peer.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
await once(child, "spawn");
const ticks = 100;

function childCpuMs(): number {
  const fields = readFileSync(`/proc/${child.pid ?? 0}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return ((Number(fields[11]) + Number(fields[12])) / ticks) * 1000;
}
function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
function ask(command: object, key: string): Promise<unknown> {
  return new Promise((resolve) => {
    const listener = (reply: Record<string, unknown>): void => {
      if (!(key in reply)) return;
      child.off("message", listener);
      resolve(reply[key]);
    };
    child.on("message", listener);
    child.send(command);
  });
}
const done = (): Promise<unknown> => new Promise((resolve) => {
  const listener = (reply: Record<string, unknown>): void => {
    if (!("done" in reply)) return;
    child.off("message", listener);
    resolve(undefined);
  };
  child.on("message", listener);
});

interface Split { wall: number; sender: number; receiver: number; loop: number }

/** How long the last round's synchronous loop of sends took: the receiver gets nothing new meanwhile once the kernel's buffers are full. */
let loopMs = 0;

async function measure(run: () => Promise<void>): Promise<Split> {
  const c0 = childCpuMs();
  const s0 = ownCpuMs();
  const t0 = performance.now();
  await run();
  const wall = performance.now() - t0;
  return { wall, sender: ownCpuMs() - s0, receiver: childCpuMs() - c0, loop: loopMs };
}

async function bareRound(): Promise<Split> {
  const port = (await ask({ kind: "bare", mode: "one way", total: count * size }, "port")) as number;
  const socket = connect({ port, host: "127.0.0.1" });
  socket.setNoDelay(true);
  await once(socket, "connect");
  const payload = Buffer.alloc(size, 120);
  const split = await measure(async () => {
    const finished = done();
    const l0 = performance.now();
    for (let i = 0; i < count; i++) socket.write(payload);
    loopMs = performance.now() - l0;
    await finished;
  });
  socket.destroy();
  await ask({ kind: "end" }, "ended");
  return split;
}

async function transportRound(): Promise<Split> {
  const options = { auth: { kind: "secret" as const, secret, suites: ["aes-256-gcm" as const] }, maxQueueMessages: count + 1, maxQueueBytes: 2 * count * (size + 64) + 1024 };
  const port = (await ask({ kind: "transport", mode: "one way", count, size, suite: "aes-256-gcm", secret }, "port")) as number;
  const a = await warmSender<BenchMessage>(options, port, { s: -1, d: "" });
  const d = new Uint8Array(size - 16).fill(120);
  const split = await measure(async () => {
    const finished = done();
    const l0 = performance.now();
    for (let s = 0; s < count; s++) {
      a.send("b", { s, d });
      // Lets the socket write between slices of the burst: what a burst that did not stall the receiver would gain.
      if (yieldEvery > 0 && (s + 1) % yieldEvery === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    loopMs = performance.now() - l0;
    await finished;
  });
  await a.close();
  await ask({ kind: "end" }, "ended");
  return split;
}

const rows: Record<"bare" | "transport", Split[]> = { bare: [], transport: [] };
for (let r = 0; r < rounds; r++) {
  rows.bare.push(await bareRound());
  rows.transport.push(await transportRound());
}
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
for (const [name, splits] of Object.entries(rows)) {
  const wall = median(splits.map((s) => s.wall));
  console.log(`${name.padEnd(9)} wall ${wall.toFixed(1)} ms, send loop ${median(splits.map((s) => s.loop)).toFixed(1)} ms (${splits.map((s) => s.wall.toFixed(0)).join(" ")}); sender CPU ${median(splits.map((s) => s.sender / s.wall * 100)).toFixed(0)} % of wall; receiver CPU ${median(splits.map((s) => s.receiver / s.wall * 100)).toFixed(0)} % of wall, ${median(splits.map((s) => s.receiver)).toFixed(0)} ms (${splits.map((s) => s.receiver.toFixed(0)).join(" ")})`);
}
child.disconnect();
