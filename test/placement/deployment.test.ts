import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import { analyzeDeployment, loadDeploymentPolicy, PROVIDER_LIMITS, type DeploymentJob } from "../../src/placement/deployment.js";

const job = (overrides: Partial<DeploymentJob> = {}): DeploymentJob => ({ id: "job", memoryMb: 128, durationSec: 1, ...overrides });

describe("deployment analysis", () => {
  // Each provider's limits, at the boundary (fits) and just beyond it (does not).
  const table: Array<[provider: string, field: "memoryMb" | "durationSec" | "payloadMb", limit: number]> = [
    ["aws_lambda", "memoryMb", 10_240],
    ["aws_lambda", "durationSec", 900],
    ["aws_lambda", "payloadMb", 6],
    ["google_cloud_functions", "memoryMb", 32_768],
    ["google_cloud_functions", "durationSec", 3_600],
    ["google_cloud_functions", "payloadMb", 10],
    ["azure_functions", "memoryMb", 14_336],
    ["azure_functions", "durationSec", 600],
    ["azure_functions", "payloadMb", 100],
  ];

  it.each(table)("%s: %s exactly at the limit (%d) fits, just above does not", (provider, field, limit) => {
    const at = analyzeDeployment([job({ [field]: limit })], { provider });
    expect(at.recommendation).toBe("serverless");
    expect(at.jobs[0]?.target).toBe("faas");
    const above = analyzeDeployment([job({ [field]: limit + 0.001 })], { provider });
    expect(above.recommendation).toBe("traditional");
    expect(above.jobs[0]?.target).toBe("vm");
    expect(above.jobs[0]?.reasons.join(" ")).toContain(String(limit));
  });

  it("publishes the limits from the issue", () => {
    expect(PROVIDER_LIMITS.aws_lambda).toMatchObject({ maxMemoryMb: 10_240, maxDurationSec: 900, maxPayloadMb: 6 });
    expect(PROVIDER_LIMITS.google_cloud_functions).toMatchObject({ maxMemoryMb: 32 * 1024, maxDurationSec: 3_600, maxPayloadMb: 10 });
    expect(PROVIDER_LIMITS.azure_functions).toMatchObject({ maxMemoryMb: 14 * 1024, maxDurationSec: 600, maxPayloadMb: 100 });
  });

  it("recommends hybrid with a reason per job", () => {
    const analysis = analyzeDeployment(
      [job({ id: "resize", memoryMb: 512, durationSec: 3 }), job({ id: "train", memoryMb: 24_000, durationSec: 7_200 }), job({ id: "cache", state: "local" })],
      { provider: "aws_lambda" },
    );
    expect(analysis.recommendation).toBe("hybrid");
    expect(analysis.jobs.map((j) => [j.jobId, j.target])).toEqual([["resize", "faas"], ["train", "vm"], ["cache", "vm"]]);
    expect(analysis.jobs[1]?.reasons).toHaveLength(2);
    expect(analysis.jobs[2]?.reasons[0]).toContain("local state");
    expect(analysis.summary).toContain("train, cache stay on VMs");
    expect(analysis.blocked).toEqual([]);
  });

  it("external state is fine for functions; the policy's own memory and timeout narrow the fit", () => {
    expect(analyzeDeployment([job({ state: "external" })]).recommendation).toBe("serverless");
    const narrow = analyzeDeployment([job({ memoryMb: 2_048, durationSec: 60 })], { memoryMb: 1_024, timeoutSec: 30 });
    expect(narrow.jobs[0]?.reasons.join(" ")).toMatch(/policy's 1024 MB.*policy's 30 s timeout/);
  });

  it("flags jobs that need a VM when the policy forbids falling back", () => {
    const analysis = analyzeDeployment([job(), job({ id: "long", durationSec: 1_000 })], { fallbackToVm: false });
    expect(analysis.recommendation).toBe("hybrid");
    expect(analysis.blocked).toEqual(["long"]);
    expect(analysis.summary).toContain("forbids VM fallback");
  });

  it("loads a policy with safe defaults", () => {
    expect(loadDeploymentPolicy({})).toEqual({ provider: "aws_lambda", memoryMb: 10_240, timeoutSec: 900, fallbackToVm: true, customProviders: {} });
    expect(loadDeploymentPolicy(undefined).provider).toBe("aws_lambda");
  });

  it("supports custom endpoints", () => {
    const policy = { provider: "edge-faas", customProviders: { "edge-faas": { maxMemoryMb: 256, maxDurationSec: 30, maxPayloadMb: 1, supportsLocalState: true } } };
    expect(analyzeDeployment([job({ memoryMb: 256, durationSec: 30, payloadMb: 1, state: "local" })], policy).recommendation).toBe("serverless");
    expect(analyzeDeployment([job({ memoryMb: 257 })], policy).recommendation).toBe("traditional");
  });

  it("refuses a malformed policy with every problem named", () => {
    const problems = (input: unknown): string[] => {
      try {
        loadDeploymentPolicy(input);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      return [];
    };
    expect(problems({ provider: "heroku" })[0]).toMatch(/policy.provider: unknown provider "heroku"/);
    expect(problems({ memoryMb: 20_000, timeoutSec: 901 })).toEqual([
      "policy.memoryMb: 20000 MB exceeds aws_lambda's limit of 10240 MB",
      "policy.timeoutSec: 901 s exceeds aws_lambda's limit of 900 s",
    ]);
    expect(problems({ fallbackToVm: "yes", memory: 1 }).length).toBe(2);
    expect(() => analyzeDeployment([], {})).toThrow(ValidationError);
    expect(() => analyzeDeployment([job(), job()], {})).toThrow(/duplicate job id/);
  });
});
