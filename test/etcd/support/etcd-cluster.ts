/**
 * Starts a throwaway 3-member etcd cluster on free loopback ports in a temporary directory, and stops
 * it afterwards. Tests skip when `etcd` is not on PATH or the cluster does not become healthy.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { exited, freePort } from "../../support/processes.js";

/** Whether an `etcd` binary is available. */
export const etcdAvailable: boolean = spawnSync("etcd", ["--version"], { stdio: "ignore" }).status === 0;

/** One member of the cluster. */
export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  /** SIGKILL, as a crashed host. */
  kill(): Promise<void>;
  /** Starts it again on the same data directory and ports (after {@link EtcdMember.kill}). */
  restart(): Promise<void>;
}

/** A running cluster. */
export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Client URLs of every member, for the client's `hosts`. */
  readonly hosts: readonly string[];
  /** Stops every member and removes the directory. */
  stop(): Promise<void>;
}

async function healthy(clientUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(500) });
    const body = (await response.json()) as { health?: string };
    return body.health === "true";
  } catch {
    return false;
  }
}

/** Waits until `clientUrl` reports healthy (a member with a leader), polling for up to `timeoutMs`. */
export async function waitHealthy(clientUrl: string, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await healthy(clientUrl)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Starts three members and waits for all to be healthy; `undefined` when that fails (the tests skip). */
export async function startEtcdCluster(size = 3): Promise<EtcdCluster | undefined> {
  if (!etcdAvailable) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "edgeflow-etcd-"));
  const specs: Array<{ name: string; client: number; peer: number }> = [];
  for (let i = 1; i <= size; i++) specs.push({ name: `m${i}`, client: await freePort(), peer: await freePort() });
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(",");
  const token = `edgeflow-${process.pid}-${specs[0]?.client ?? 0}`;
  const children = new Map<string, ChildProcess>();
  const launch = (s: { name: string; client: number; peer: number }, state: "new" | "existing"): void => {
    const clientUrl = `http://127.0.0.1:${s.client}`;
    const peerUrl = `http://127.0.0.1:${s.peer}`;
    const child = spawn(
      "etcd",
      [
        "--name", s.name, "--data-dir", join(dir, s.name),
        "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
        "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
        "--initial-cluster", initialCluster, "--initial-cluster-state", state, "--initial-cluster-token", token,
        // Short raft timings: loopback only, and failover in tests should take well under a second.
        "--heartbeat-interval", "50", "--election-timeout", "500", "--log-level", "error",
      ],
      { stdio: "ignore" },
    );
    children.set(s.name, child);
  };
  for (const s of specs) launch(s, "new");
  const stopAll = async (): Promise<void> => {
    await Promise.all([...children.values()].map(async (c) => {
      c.kill("SIGKILL");
      await exited(c);
    }));
    rmSync(dir, { recursive: true, force: true });
  };
  const ok = await Promise.all(specs.map((s) => waitHealthy(`http://127.0.0.1:${s.client}`)));
  if (!ok.every(Boolean)) {
    await stopAll();
    return undefined;
  }
  const members: EtcdMember[] = specs.map((s) => ({
    name: s.name,
    clientUrl: `http://127.0.0.1:${s.client}`,
    async kill() {
      const child = children.get(s.name);
      if (child === undefined) return;
      child.kill("SIGKILL");
      await exited(child);
    },
    async restart() {
      launch(s, "existing");
      if (!(await waitHealthy(`http://127.0.0.1:${s.client}`))) throw new Error(`etcd member ${s.name} did not come back healthy`);
    },
  }));
  return { members, hosts: members.map((m) => m.clientUrl), stop: stopAll };
}

/**
 * Starts a cluster before the calling test file's tests and stops it after them. The getter answers
 * `undefined` when etcd is absent or did not become healthy, after saying once why `what` is skipped.
 */
export function useEtcdCluster(what: string): () => EtcdCluster | undefined {
  let cluster: EtcdCluster | undefined;
  if (!etcdAvailable) console.warn(`skipping ${what}: etcd is not on PATH (apt-get install etcd-server)`);
  beforeAll(async () => {
    cluster = await startEtcdCluster();
    if (cluster === undefined && etcdAvailable) console.warn(`skipping ${what}: the 3-member cluster did not become healthy`);
  }, 30_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => cluster;
}
