import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

const ci = process.env["CI"] === "true";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    typecheck: { enabled: true, include: ["test/**/*.types.test.ts"], tsconfig: "./tsconfig.json" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest keeps one core for itself by default, which on a 2-core machine runs the files one at a
    // time; the main process is mostly idle and many files wait on real servers, so use every core.
    maxWorkers: Math.max(2, availableParallelism()),
    // In CI a JSON report is kept too, so .ci/run can print a one-line summary of what ran.
    reporters: ci ? ["default", "json"] : ["default"],
    ...(ci ? { outputFile: { json: "dist/test-results.json" } } : {}),
  },
});
