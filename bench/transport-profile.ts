/**
 * A driver to profile TcpTransport's 64 KiB one-way case (GMAC, both ends in this process): sends
 * `COUNT` messages of `SIZE` bytes `RUNS` times, each run beside a bare node:net run, and prints
 * each pair's ratio. For a profile:
 *   npx esbuild bench/transport-profile.ts --bundle --platform=node --format=esm --keep-names --outfile=/tmp/tprof.mjs
 *   node --cpu-prof --cpu-prof-dir=/tmp/tprof /tmp/tprof.mjs
 *   npx tsx bench/support/profile-summary.ts /tmp/tprof/*.cpuprofile
 * `BARE=0` leaves the bare runs out of the profile.
 */
import { createServer, connect, type AddressInfo, type Socket } from "node:net";
import { PerformanceObserver } from "node:perf_hooks";
import { TcpTransport } from "../src/tcp.js";
import { benchTransportOptions, warmSender } from "./transport-warm-sender.js";

const count = Number(process.env["COUNT"] ?? "1000");
const size = Number(process.env["SIZE"] ?? "65536");
const runs = Number(process.env["RUNS"] ?? "10");
const withBare = process.env["BARE"] !== "0";

type Message = { s: number; d: Uint8Array };

async function bare(): Promise<number> {
  const total = count * size;
  let received = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const server = createServer((socket) => {
    socket.on("data", (chunk: Buffer) => {
      if ((received += chunk.length) >= total) done();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const client: Socket = connect({ port: (server.address() as AddressInfo).port, host: "127.0.0.1" });
  client.setNoDelay(true);
  await new Promise<void>((resolve) => client.once("connect", resolve));
  const payload = Buffer.alloc(size, 120);
  const start = performance.now();
  for (let i = 0; i < count; i++) client.write(payload);
  await finished;
  const ms = performance.now() - start;
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return ms;
}

async function transport(): Promise<number> {
  const options = benchTransportOptions(count, size);
  const b = new TcpTransport<Message>({ localId: "b", ...options });
  let sunk = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  b.onMessage((from, m) => {
    if (m.s < 0) b.send(from, m);
    else if (++sunk === count) done();
  });
  const { port } = await b.start();
  b.addPeer("a");
  const a = await warmSender<Message>(options, port, { s: -1, d: new Uint8Array(0) });
  const body = new Uint8Array(Math.max(0, size - 16)).fill(120);
  const start = performance.now();
  for (let s = 0; s < count; s++) a.send("b", { s, d: body });
  await finished;
  const ms = performance.now() - start;
  await a.close();
  await b.close();
  return ms;
}

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ["gc"] });

/** Wall, process CPU and garbage-collection milliseconds of `run`: on a loaded machine CPU time is the steadier figure. */
async function timed(run: () => Promise<number>): Promise<{ wall: number; cpu: number; gc: number }> {
  const before = process.cpuUsage();
  const gcBefore = gcMs;
  const wall = await run();
  const used = process.cpuUsage(before);
  // The observer reports on a later tick.
  await new Promise((resolve) => setImmediate(resolve));
  return { wall, cpu: (used.user + used.system) / 1000, gc: gcMs - gcBefore };
}

const ratios: number[] = [];
const cpuRatios: number[] = [];
const cpus: number[] = [];
const bareCpus: number[] = [];
for (let run = 0; run < runs; run++) {
  const { wall: t, cpu: tc, gc: tg } = await timed(transport);
  cpus.push(tc);
  if (!withBare) {
    console.log(`run ${run}: transport ${((count * size) / t / 1e3).toFixed(0)} MB/s`);
    continue;
  }
  const { wall: b, cpu: bc, gc: bg } = await timed(bare);
  ratios.push(b / t);
  cpuRatios.push(bc / tc);
  bareCpus.push(bc);
  console.log(`run ${run}: transport ${((count * size) / t / 1e3).toFixed(0)} MB/s, bare ${((count * size) / b / 1e3).toFixed(0)} MB/s, ${((100 * b) / t).toFixed(0)} % of bare; CPU ${tc.toFixed(0)} ms (GC ${tg.toFixed(0)}) against bare's ${bc.toFixed(0)} ms (GC ${bg.toFixed(0)})`);
}
const summary = (label: string, list: readonly number[]): void => {
  const sorted = [...list].sort((x, y) => x - y);
  console.log(`${label}: min ${(100 * (sorted[0] ?? 0)).toFixed(0)} %, median ${(100 * (sorted[sorted.length >> 1] ?? 0)).toFixed(0)} %`);
};
if (ratios.length > 0) {
  summary("% of bare (throughput)", ratios);
  summary("% of bare (CPU time per byte)", cpuRatios);
}
// The least CPU time of any run: what interference from other work on the machine adds least to.
console.log(`least CPU time of a run: transport ${Math.min(...cpus).toFixed(0)} ms${bareCpus.length > 0 ? `, bare ${Math.min(...bareCpus).toFixed(0)} ms` : ""}`);
