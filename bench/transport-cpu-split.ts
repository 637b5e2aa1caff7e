/**
 * Where the time of the "two processes" 64 KiB one-way row goes (`bench/transport.bench.ts`): per
 * round, the wall time, how long the synchronous loop of sends took (once the kernel's buffers are
 * full, the receiver gets nothing new until it ends), and the CPU time of each end (the sender here,
 * the receiver in a child process, which reports its own), bare node:net
 * against a "floor" receiver (only the copy and GMAC any authenticated receiver must do) and TcpTransport
 * (GMAC) in alternating rounds; medians, and each round's figure in brackets.
 * An end near 100 % of the wall time is the bottleneck; both well below it means they wait on each other.
 *
 * Run: npx tsx bench/transport-cpu-split.ts   (Linux; BENCH_COUNT messages a round, default 1000; BENCH_ROUNDS, default 7;
 *      BENCH_YIELD_EVERY=n: TcpTransport's sender yields to the event loop after every n sends;
 *      BENCH_ONLY=bare, floor or transport: only those rounds; BENCH_FLOOR=copy or mac: the floor pays only that part; PEER_PROFILE_DIR=<dir>: a CPU profile of the receiving process)
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_SECRET as secret, type BenchMessage, benchTransportOptions, warmSender } from "./transport-warm-sender.js";

const count = Number(process.env["BENCH_COUNT"] ?? "1000");
const rounds = Number(process.env["BENCH_ROUNDS"] ?? "7");
const size = 65_536;
/** `BENCH_YIELD_EVERY=n`: the sender yields to the event loop after every n sends (0: one synchronous burst, as in the bench). */
const yieldEvery = Number(process.env["BENCH_YIELD_EVERY"] ?? "0");
/** `PEER_PROFILE_DIR=<dir>`: the receiving process writes a CPU profile there when it exits (with `BENCH_ONLY=transport`, of TcpTransport's rounds alone). */
const profileDir = process.env["PEER_PROFILE_DIR"];
const profileArgs = profileDir === undefined || profileDir === "" ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`];
/** `BENCH_FLOOR=copy` or `mac`: the floor rounds pay only that part. */
const floorParts = process.env["BENCH_FLOOR"] === "copy" || process.env["BENCH_FLOOR"] === "mac" ? process.env["BENCH_FLOOR"] : "both";
/** `BENCH_ONLY=bare`, `floor` or `transport`: only those rounds. */
const only = process.env["BENCH_ONLY"];
const runs = (kind: "bare" | "floor" | "transport"): boolean => only === undefined || only === "" || only === kind;
const child = fork(join(dirname(fileURLToPath(import.meta.url)), "support", "transport-peer.ts"), [], { execArgv: [...profileArgs, "--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
await once(child, "spawn");
/** Minor page faults of the receiving process: first touches of fresh memory. */
function childFaults(): number {
  const fields = readFileSync(`/proc/${child.pid ?? 0}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return Number(fields[7]);
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

interface Split { wall: number; sender: number; receiver: number; loop: number; faults: number }

/** How long the last round's synchronous loop of sends took: the receiver gets nothing new meanwhile once the kernel's buffers are full. */
let loopMs = 0;

async function measure(run: () => Promise<void>): Promise<Split> {
  const f0 = childFaults();
  const c0 = (await ask({ kind: "cpu" }, "cpu")) as number;
  const s0 = ownCpuMs();
  const t0 = performance.now();
  await run();
  const wall = performance.now() - t0;
  const sender = ownCpuMs() - s0;
  const receiver = ((await ask({ kind: "cpu" }, "cpu")) as number) - c0;
  return { wall, sender, receiver, loop: loopMs, faults: childFaults() - f0 };
}

/** A plain node:net client writing `payload` `count` times to the peer's server that `command` opens. */
async function socketRound(command: object, payload: Buffer): Promise<Split> {
  const port = (await ask(command, "port")) as number;
  const socket = connect({ port, host: "127.0.0.1" });
  socket.setNoDelay(true);
  await once(socket, "connect");
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

function bareRound(): Promise<Split> {
  return socketRound({ kind: "bare", mode: "one way", total: count * size }, Buffer.alloc(size, 120));
}

async function transportRound(): Promise<Split> {
  const options = benchTransportOptions(count, size);
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

/** What any receiver of authenticated messages must do on top of bare sockets (the peer's "floor" command), fed frames as TcpTransport sends them. */
function floorRound(): Promise<Split> {
  const frame = Buffer.alloc(size + 4, 120);
  frame.writeUInt32BE(size, 0);
  return socketRound({ kind: "floor", count, frameBytes: frame.length, secret, parts: floorParts }, frame);
}

const rows: Record<"bare" | "floor" | "transport", Split[]> = { bare: [], floor: [], transport: [] };
for (let r = 0; r < rounds; r++) {
  if (runs("bare")) rows.bare.push(await bareRound());
  if (runs("floor")) rows.floor.push(await floorRound());
  if (runs("transport")) rows.transport.push(await transportRound());
}
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
for (const [name, splits] of Object.entries(rows)) {
  if (splits.length === 0) continue;
  const wall = median(splits.map((s) => s.wall));
  console.log(`${name.padEnd(9)} wall ${wall.toFixed(1)} ms, send loop ${median(splits.map((s) => s.loop)).toFixed(1)} ms (${splits.map((s) => s.wall.toFixed(0)).join(" ")}); sender CPU ${median(splits.map((s) => s.sender / s.wall * 100)).toFixed(0)} % of wall; receiver CPU ${median(splits.map((s) => s.receiver / s.wall * 100)).toFixed(0)} % of wall, ${median(splits.map((s) => s.receiver)).toFixed(1)} ms (${splits.map((s) => s.receiver.toFixed(0)).join(" ")}); receiver page faults ${median(splits.map((s) => s.faults)).toFixed(0)} (${splits.map((s) => s.faults).join(" ")})`);
}
child.disconnect();
