import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function runExample(file: string): string {
  return execFileSync(process.execPath, ["--import", "tsx", join(root, "examples", file)], { cwd: root, encoding: "utf8", timeout: 60_000 });
}

describe("examples", () => {
  it("the main demo (npm start) places the service away from the unhealthy and non-EU edges", () => {
    const output = runExample("demo.ts");
    expect(output).toContain("run run-");
    expect(output).toMatch(/edge-par-1\s+unhealthy/);
    expect(output).toContain("decision: checkout → edge-fra-2");
    expect(output).toContain("fencing token 1");
    expect(output).toMatch(/replicated: "placement\/checkout" committed by leader cp-\w+ .*; 3\/3 members have applied it/);
  });

  it("the custom node with operations (README) runs, its outputs typed by operation", () => {
    expect(runExample("custom-node.ts")).toContain("acme has used 1 units");
  });

  it("the quickstart runs to completion", () => {
    const output = runExample("quickstart.ts");
    expect(output).toContain("completed");
    expect(output).toContain("HI, EDGE-WEST-1");
  });
});
