/**
 * Starts throwaway `redis-server` processes on free loopback ports in temporary directories, with
 * persistence off and keyspace notifications on. Tests skip when `redis-server` is not on PATH.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exited, freePort } from "../../support/processes.js";

/** Whether a `redis-server` binary is available. */
export const redisAvailable: boolean = spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;

/** A running server. */
export interface RedisServer {
  readonly port: number;
  readonly process: ChildProcess;
  /** SIGKILL, as a crashed host. */
  kill(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
  });
}

/** Starts a server; polls PING until it answers (a few ms on a warm machine). */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "edgeflow-redis-"));
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--notify-keyspace-events", "KEA", "--dir", dir, "--protected-mode", "no"],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 200 && !(await answers(port)); i++) await new Promise((r) => setTimeout(r, 10));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  return {
    port,
    process: child,
    async kill() {
      child.kill("SIGKILL");
      await exited(child);
    },
    async stop() {
      child.kill("SIGTERM");
      await exited(child);
      cleanup();
    },
  };
}
