/**
 * A three-member Raft cluster in three Node processes on loopback: TcpTransport between them,
 * FileStorage for each. Writes go to the leader; then the leader is killed (SIGKILL, no goodbye),
 * a new leader is elected, more writes land, the old leader restarts from its write-ahead log and
 * catches up.
 *
 *   npx tsx examples/raft-cluster.ts
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RaftHostStatus } from "../src/consensus/index.js";
import type { MemberCommand, MemberReply, MemberRequest } from "./raft-cluster/member.js";

const memberScript = fileURLToPath(new URL("./raft-cluster/member.ts", import.meta.url));
const secret = "example-cluster-secret-0123456789";
const base = 22_000 + (process.pid % 500) * 8;
const ports = { alpha: base, beta: base + 1, gamma: base + 2 };
const dataDir = await mkdtemp(join(tmpdir(), "edgeflow-raft-example-"));

const members = new Map<string, ChildProcess>();
let nextId = 1;

function start(id: string): Promise<void> {
  const child = fork(memberScript, [id, JSON.stringify(ports), join(dataDir, id), secret], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  members.set(id, child);
  return new Promise((resolve) => child.once("message", () => resolve()));
}

function ask(id: string, command: MemberRequest, timeoutMs = 5000): Promise<Extract<MemberReply, { type: "reply" }>> {
  const child = members.get(id);
  if (child === undefined) return Promise.reject(new Error(`${id} is not running`));
  const requestId = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id} did not answer`)), timeoutMs);
    const onMessage = (m: MemberReply): void => {
      if (m.type === "reply" && m.id === requestId) {
        clearTimeout(timer);
        child.off("message", onMessage);
        resolve(m);
      }
    };
    child.on("message", onMessage);
    child.send({ ...command, id: requestId } as MemberCommand);
  });
}

async function leader(exclude?: string): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    for (const id of members.keys()) {
      if (id === exclude) continue;
      const r = await ask(id, { type: "status" }).catch(() => undefined);
      if (r?.ok === true && (r.value as RaftHostStatus).role === "leader") return id;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no leader elected");
}

try {
  await Promise.all(Object.keys(ports).map(start));
  const first = await leader();
  console.log(`leader elected: ${first}`);
  for (let i = 1; i <= 5; i++) await ask(first, { type: "put", key: `placement/${i}`, value: `edge-${i}` });
  console.log(`wrote placement/1..5 through ${first}`);

  members.get(first)?.kill("SIGKILL");
  members.delete(first);
  console.log(`killed ${first} (SIGKILL)`);
  const second = await leader(first);
  console.log(`new leader elected: ${second}`);
  for (let i = 6; i <= 10; i++) await ask(second, { type: "put", key: `placement/${i}`, value: `edge-${i}` });
  console.log(`wrote placement/6..10 through ${second}`);

  await start(first);
  console.log(`restarted ${first} from its write-ahead log`);
  for (let attempt = 0; ; attempt++) {
    const r = await ask(first, { type: "get", key: "placement/10" }).catch(() => undefined);
    if (r?.ok === true && r.value === "edge-10") break;
    if (attempt > 100) throw new Error(`${first} did not catch up`);
    await new Promise((res) => setTimeout(res, 100));
  }
  const answer = await ask(first, { type: "status" });
  if (!answer.ok) throw new Error(answer.error);
  const status = answer.value as RaftHostStatus;
  console.log(`${first} caught up: role ${status.role}, leader ${String(status.leaderId)}, applied index ${status.appliedIndex}, reads placement/10 = edge-10`);
} finally {
  for (const child of members.values()) child.send({ type: "stop" } satisfies MemberCommand);
  await Promise.all([...members.values()].map((c) => new Promise((r) => (c.exitCode !== null ? r(undefined) : c.once("exit", r)))));
  await rm(dataDir, { recursive: true, force: true });
}
