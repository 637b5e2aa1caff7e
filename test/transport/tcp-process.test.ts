import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SECRET, startNode, waitFor } from "./tcp-helpers.js";

const fixture = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "echo-node.ts");
const schema = z.object({ seq: z.number().int(), body: z.string() }).strict();

describe("TcpTransport across processes", () => {
  it("exchanges ordered, validated messages with a node in a child process", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", fixture, JSON.stringify({ localId: "b", peer: "a", secret: SECRET })], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const a = await startNode({ localId: "a", schema });
    try {
      const lines = createInterface({ input: child.stdout });
      const exited = once(child, "exit").then(() => {
        throw new Error(`the child exited before listening: ${stderr}`);
      });
      const [first] = (await Promise.race([once(lines, "line"), exited])) as [string];
      const { port } = z.object({ port: z.number().int().positive() }).parse(JSON.parse(first));
      a.transport.addPeer("b", { host: "127.0.0.1", port });
      const count = 1_000;
      for (let seq = 0; seq < count; seq++) a.transport.send("b", { seq, body: `m${seq}` });
      await waitFor(() => a.received.length === count, "every echo", 30_000);
      expect(a.received.map(([from, m]) => `${from}:${m.seq}:${m.body}`)).toEqual(Array.from({ length: count }, (_, seq) => `b:${seq}:echo:m${seq}`));
      expect(a.errors).toEqual([]);
    } finally {
      await a.transport.close();
      child.stdin.end();
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code, stderr).toBe(0);
    }
  });
});
