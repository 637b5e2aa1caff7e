/**
 * Starts edgeflow's embedded control plane as three OS processes on loopback (one
 * `raft-bench-member.ts` each, in a temporary directory), finds the leader, runs workload phases in
 * it and collects every member's durable-write counters.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exited, freePort } from "../../test/support/processes.js";
import type { Measurement } from "./control-plane-workload.js";
import type { FromMember, MemberArgs, MemberStats, Phase, ToMember } from "./raft-bench-member.js";

const memberScript = fileURLToPath(new URL("./raft-bench-member.ts", import.meta.url));

/** A running three-process cluster. */
export interface EmbeddedRaft {
  /** Runs `ops` operations of `phase` from 64 clients inside the leader's process (none starts after `budgetMs`). */
  run(phase: Phase, ops: number, budgetMs: number, prefix: string): Promise<Measurement>;
  /** Every member's counters, summed. */
  stats(): Promise<MemberStats>;
  stop(): Promise<void>;
}

function once<T extends FromMember["type"]>(child: ChildProcess, type: T): Promise<Extract<FromMember, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (m: FromMember): void => {
      if (m.type !== type) return;
      child.off("message", onMessage);
      resolve(m as Extract<FromMember, { type: T }>);
    };
    child.on("message", onMessage);
  });
}

/** Forks the members and waits (up to 15 s) for a leader. */
export async function startEmbeddedRaft(): Promise<EmbeddedRaft> {
  const dir = await mkdtemp(join(tmpdir(), "edgeflow-control-plane-"));
  const ports: Record<string, number> = {};
  for (const id of ["a", "b", "c"]) ports[id] = await freePort();
  const children = new Map<string, ChildProcess>();
  let leader: ChildProcess | undefined;
  const elected = new Promise<void>((resolve) => {
    for (const id of Object.keys(ports)) {
      const args: MemberArgs = { id, ports, dir: join(dir, id), secret: "control-plane-bench-secret-0123456789" };
      const child = fork(memberScript, [JSON.stringify(args)], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
      children.set(id, child);
      child.on("message", (m: FromMember) => {
        if (m.type !== "leader") return;
        leader = child;
        resolve();
      });
    }
  });
  const stop = async (): Promise<void> => {
    for (const child of children.values()) if (child.connected) child.send({ type: "stop" } satisfies ToMember);
    await Promise.all([...children.values()].map((c) => exited(c)));
    await rm(dir, { recursive: true, force: true });
  };
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 15_000).unref());
  if ((await Promise.race([elected, timeout])) === "timeout") {
    await stop();
    throw new Error("the embedded cluster elected no leader within 15 s");
  }
  return {
    async run(phase, ops, budgetMs, prefix) {
      if (leader === undefined) throw new Error("no leader");
      const answer = once(leader, "measured");
      leader.send({ type: "run", phase, ops, budgetMs, prefix } satisfies ToMember);
      return (await answer).measurement;
    },
    async stats() {
      const all = await Promise.all(
        [...children.values()].map((child) => {
          const answer = once(child, "stats");
          child.send({ type: "stats" } satisfies ToMember);
          return answer;
        }),
      );
      const sum = (f: (s: MemberStats) => number): number => all.reduce((total, m) => total + f(m.stats), 0);
      return { syncs: sum((s) => s.syncs), records: sum((s) => s.records), saves: sum((s) => s.saves), messagesSent: sum((s) => s.messagesSent) };
    },
    stop,
  };
}
