/**
 * One member of the example cluster (started by `examples/raft-cluster.ts`): a ReplicatedKV over
 * TcpTransport (shared-secret authentication) with FileStorage in its own data directory. It takes
 * commands from the parent process over IPC.
 */
import { SystemClock } from "../../src/core/clock.js";
import { Random } from "../../src/core/random.js";
import { NotLeaderError, raftMessageSchema, ReplicatedKV, type RaftMessage } from "../../src/consensus/index.js";
import { FileStorage } from "../../src/storage/file-storage.js";
import { TcpTransport } from "../../src/transport/tcp-transport.js";

export type MemberRequest = { type: "put"; key: string; value: string } | { type: "get"; key: string } | { type: "status" };
export type MemberCommand = (MemberRequest & { id: number }) | { type: "stop" };
export type MemberReply =
  | { type: "started"; member: string }
  | { type: "reply"; id: number; ok: true; value: unknown }
  | { type: "reply"; id: number; ok: false; error: string; leaderId?: string | null };

const [id, portsJson, dir, secret] = process.argv.slice(2);
if (id === undefined || portsJson === undefined || dir === undefined || secret === undefined) throw new Error("usage: member.ts <id> <ports-json> <dir> <secret>");
const ports = JSON.parse(portsJson) as Record<string, number>;
const peers = Object.fromEntries(Object.entries(ports).filter(([p]) => p !== id).map(([p, port]) => [p, { host: "127.0.0.1", port }]));

const transport = new TcpTransport<RaftMessage>({
  localId: id,
  listen: { host: "127.0.0.1", port: ports[id] as number },
  peers,
  auth: { kind: "secret", secret },
  schema: raftMessageSchema,
  reconnect: { initialInterval: 50, backoffCoefficient: 2, maximumInterval: 500, jitter: 0.5 },
});
await transport.start();
const storage = await FileStorage.open(dir);
const kv = new ReplicatedKV({ id, voters: Object.keys(ports), transport, storage, clock: new SystemClock(), random: new Random(`${id}:${process.pid}`), tickMs: 50, snapshotEvery: 100 });
await kv.start();

const reply = (m: MemberReply): void => {
  process.send?.(m);
};
reply({ type: "started", member: id });

process.on("message", (command: MemberCommand) => {
  void (async () => {
    if (command.type === "stop") {
      await kv.stop();
      await storage.close();
      process.exit(0);
    }
    try {
      if (command.type === "put") reply({ type: "reply", id: command.id, ok: true, value: await kv.put(command.key, command.value) });
      else if (command.type === "get") reply({ type: "reply", id: command.id, ok: true, value: await kv.get(command.key) });
      else reply({ type: "reply", id: command.id, ok: true, value: kv.host.status() });
    } catch (error) {
      reply({
        type: "reply",
        id: command.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
        ...(error instanceof NotLeaderError ? { leaderId: error.leaderId } : {}),
      });
    }
  })();
});
