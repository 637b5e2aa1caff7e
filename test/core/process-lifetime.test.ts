import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("./scripts/pending-run.ts", import.meta.url));
const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

/** Runs the script in a fresh Node process, as a user's plain script would run. */
function runScript(mode: string): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, ["--import", "tsx", script, mode], { cwd: projectRoot, encoding: "utf8", timeout: 30_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe("SystemClock and the life of the process", () => {
  it("keeps a plain script alive through a retry backoff until execute() settles", () => {
    const { status, stdout, stderr } = runScript("backoff");
    // Exit code 13 is Node's "unsettled top-level await": the process died with the run pending.
    expect({ status, stderr }).toEqual({ status: 0, stderr: "" });
    expect(JSON.parse(stdout)).toEqual({ status: "completed", node: "completed", attempts: 2 });
  });

  it("keeps a plain script alive until a node timeout fires", () => {
    const { status, stdout, stderr } = runScript("timeout");
    expect({ status, stderr }).toEqual({ status: 0, stderr: "" });
    expect(JSON.parse(stdout)).toEqual({ status: "failed", node: "failed", attempts: 1 });
  });

  it("lets the process exit while only background timers are pending", () => {
    const { status, stdout } = runScript("background");
    expect(status).toBe(0);
    expect(stdout).not.toContain("background timer fired");
    expect(JSON.parse(stdout)).toEqual({ status: "completed", node: "completed", attempts: 2 });
  });
});
