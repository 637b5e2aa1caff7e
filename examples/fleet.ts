/**
 * The edgeflow flagship demo (`npx tsx examples/fleet.ts [--seed N] [--report report.html]`).
 *
 * Twelve edge sites in four regions, each region its own data-residency zone; a three-member Raft
 * control plane on a simulated network; an hour of real requests from the Azure LLM inference trace
 * (`../shared/datasets`, or a seeded synthetic hour when it is absent). One workflow places the
 * services, warms cold sites, monitors and autoscales through the trace, survives the crash of the
 * site hosting the Raft leader, and prices the result. Everything runs on a virtual clock: the same
 * seed prints the same story.
 */
import { writeFileSync } from "node:fs";
import { runFleetDemo } from "./fleet/run.js";
import { progressPrinter } from "./fleet/progress.js";
import { renderReport } from "./fleet/report.js";
import { formatSummary } from "./fleet/summary-text.js";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i === -1) return undefined;
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith("--")) throw new TypeError(`${name} needs a value, e.g. ${name === "--seed" ? "--seed 7" : "--report report.html"}`);
  return value;
}

const seed = Number(option("--seed") ?? 1);
if (!Number.isInteger(seed)) throw new TypeError(`--seed must be an integer, got "${option("--seed") ?? ""}"`);
const reportPath = option("--report");

console.log(`edgeflow fleet demo (seed ${seed})\n`);
const progress = progressPrinter(process.stdout);
const summary = await runFleetDemo({ seed, onEvent: progress.onEvent });
progress.done();
console.log(formatSummary(summary).join("\n"));
if (reportPath !== undefined) {
  writeFileSync(reportPath, renderReport(summary));
  console.log(`\nreport written to ${reportPath}`);
}
