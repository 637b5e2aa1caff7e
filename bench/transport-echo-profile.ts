/**
 * The 100 B echo of `bench/transport.bench.ts`, both ends in this process, for profiling and quick
 * comparisons: TcpTransport and bare node:net take turns, each round's ratio is kept, and the min
 * and median are printed. Under `node --cpu-prof` the self time splits into wire, codec and delivery.
 *
 * Run: npx tsx bench/transport-echo-profile.ts                       (ratios)
 *      ECHO_ONLY=transport node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/transport-echo-profile.ts
 *      npx tsx bench/support/profile-summary.ts /tmp/prof/*.cpuprofile 30
 * Environment: ECHO_COUNT (messages per round, default 50,000), ECHO_ROUNDS (default 7),
 * ECHO_ONLY ("transport" or "bare": that side alone, for a profile of it), ECHO_SCHEMA=1 (both
 * ends validate every message with a zod schema, as engines do; the bench's row runs without one).
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { z } from "zod";
import { TcpTransport } from "../src/tcp.js";
import { benchTransportOptions, warmSender } from "./transport-warm-sender.js";

const count = Number(process.env["ECHO_COUNT"] ?? "50000");
const rounds = Number(process.env["ECHO_ROUNDS"] ?? "7");
const only = process.env["ECHO_ONLY"];
const schema = process.env["ECHO_SCHEMA"] === "1" ? z.object({ s: z.number().int(), d: z.string() }).strict() : undefined;
const size = 100;

type EchoMessage = { s: number; d: string };

/** Messages echoed per second over bare sockets: every chunk the server reads is written back. */
async function bare(): Promise<number> {
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => socket.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const client: Socket = connect({ port, host: "127.0.0.1" });
  client.setNoDelay(true);
  await new Promise<void>((resolve) => client.once("connect", resolve));
  const payload = Buffer.alloc(size, 120);
  const total = count * size;
  let received = 0;
  const start = performance.now();
  const echoed = new Promise<void>((resolve) =>
    client.on("data", (chunk: Buffer) => {
      if ((received += chunk.length) >= total) resolve();
    }),
  );
  for (let i = 0; i < count; i++) client.write(payload);
  await echoed;
  const ms = performance.now() - start;
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return count / (ms / 1000);
}

/** Messages echoed per second through two TcpTransports in shared-secret mode (GMAC). */
async function transport(): Promise<number> {
  const options = { ...benchTransportOptions(count, size), ...(schema === undefined ? {} : { schema }) };
  const b = new TcpTransport<EchoMessage>({ localId: "b", ...options });
  b.onMessage((from, m) => b.send(from, m));
  const { port } = await b.start();
  b.addPeer("a");
  const a = await warmSender<EchoMessage>(options, port, { s: -1, d: "" });
  // `{s: <int32>, d: <str header>}` takes 16 bytes of MessagePack around the body, as in the bench.
  const d = "x".repeat(size - 16);
  let received = 0;
  const done = new Promise<void>((resolve) =>
    a.onMessage(() => {
      if (++received === count) resolve();
    }),
  );
  const start = performance.now();
  for (let s = 0; s < count; s++) a.send("b", { s, d });
  await done;
  const ms = performance.now() - start;
  await a.close();
  await b.close();
  return count / (ms / 1000);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[sorted.length >> 1] as number;
}

const ratios: number[] = [];
const rates: number[] = [];
const bares: number[] = [];
for (let round = 0; round < rounds; round++) {
  if (only === "transport") rates.push(await transport());
  else if (only === "bare") bares.push(await bare());
  else if (round % 2 === 0) {
    bares.push(await bare());
    rates.push(await transport());
  } else {
    rates.push(await transport());
    bares.push(await bare());
  }
  if (only === undefined) ratios.push((rates[round] as number) / (bares[round] as number));
}
const fmt = (v: number): string => `${Math.round(v).toLocaleString("en-US")} msg/s`;
if (rates.length > 0) console.log(`TcpTransport 100 B echo, one process: median ${fmt(median(rates))}, best ${fmt(Math.max(...rates))}`);
if (bares.length > 0) console.log(`bare node:net 100 B echo, same rounds: median ${fmt(median(bares))}, best ${fmt(Math.max(...bares))}`);
if (ratios.length > 0) console.log(`% of bare over ${rounds} alternating rounds: min ${(Math.min(...ratios) * 100).toFixed(0)} %, median ${(median(ratios) * 100).toFixed(0)} %`);
