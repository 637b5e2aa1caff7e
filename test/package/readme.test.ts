/**
 * The README's code and tables are checked against the code, so the documentation cannot drift: the
 * tour is the example file, the node table lists exactly the registered node types and operations,
 * and every example it points to exists.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { createNodeRegistry } from "../../nodes/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");

function section(title: string): string {
  const start = readme.indexOf(`## ${title}\n`);
  expect(start, `README has a "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

describe("README", () => {
  it("the tour is examples/tour.ts, as a user imports it, and it runs", async () => {
    const block = /```ts\n([\s\S]*?)```/.exec(section("A short tour"))?.[1];
    const file = readFileSync(join(root, "examples", "tour.ts"), "utf8").replace('"../src/index.js"', '"edgeflow"');
    expect(block).toBe(file);
    const lines: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    try {
      await import(join(root, "examples", "tour.ts"));
    } finally {
      log.mockRestore();
    }
    expect(lines[0]).toBe("checkout → fra-1: placed on fra-1; 2/3 edges are available: 1 residency refused");
    expect(section("A short tour")).toContain(lines[0]);
  });

  it("the node table lists every registered node type with exactly its operations", () => {
    const rows = new Map<string, string[]>();
    for (const match of section("Nodes and their operations").matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)) {
      const [, type, cell] = match;
      if (type === undefined || cell === undefined) continue;
      rows.set(type, [...cell.matchAll(/`(\w+)`/g)].map((m) => m[1] ?? ""));
    }
    const expected = new Map(createNodeRegistry().list().map((def) => [def.type, Object.keys(def.operations ?? {})]));
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(expected));
  });

  it("every example and bench file it names exists", () => {
    const named = new Set([...readme.matchAll(/\b((?:examples|bench)\/[\w./-]+\.ts)\b/g)].map((m) => m[1] ?? "").filter((path) => !path.includes("NAME")));
    expect(named.size).toBeGreaterThan(10);
    expect([...named].filter((path) => !existsSync(join(root, path)))).toEqual([]);
  });
});
