import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { progressPrinter } from "../../examples/fleet/progress.js";
import { renderReport } from "../../examples/fleet/report.js";
import { DEFAULT_DATASETS_DIR, runFleetDemo } from "../../examples/fleet/run.js";
import type { FleetSummary } from "../../examples/fleet/summarize.js";
import { formatSummary } from "../../examples/fleet/summary-text.js";
import { expectValidFleetRun } from "./fleet-invariants.js";

// A short replay keeps the suite fast; SIM_RUNS=N checks N more seeds over the whole trace.
const REPLAY_MINUTES = 6;
const extraSeeds = Number(process.env["SIM_RUNS"] ?? 0);
const hasTrace = existsSync(join(DEFAULT_DATASETS_DIR, "azure-llm-trace"));

// The report is also opened in a real browser: Debian's chromium driven by playwright-core.
const chromiumPath = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const browserMissing = !existsSync(chromiumPath) ? `no chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)` : !canResolve("playwright-core") ? "playwright-core is not installed" : undefined;

function canResolve(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe("the fleet demo", () => {
  let first: FleetSummary;
  let progress = "";

  beforeAll(async () => {
    const printer = progressPrinter({ isTTY: false, write: (text) => ((progress += text), true) });
    first = await runFleetDemo({ seed: 1, replayMinutes: REPLAY_MINUTES, onEvent: printer.onEvent });
  });

  it("runs the whole workflow and keeps every cross-engine promise", () => {
    expectValidFleetRun(first);
    if (!hasTrace) console.log(`the Azure trace is absent (${DEFAULT_DATASETS_DIR}): ran on the synthetic trace`);
    expect(first.trace.source).toBe(hasTrace ? "azure-llm-trace" : "synthetic");
  });

  it("gives the same summary for the same seed", async () => {
    const again = await runFleetDemo({ seed: 1, replayMinutes: REPLAY_MINUTES });
    expect(again).toEqual(first);
    expect(formatSummary(again)).toEqual(formatSummary(first));
  });

  it("stays valid for another seed on the built-in synthetic trace", async () => {
    const other = await runFleetDemo({ seed: 2, replayMinutes: REPLAY_MINUTES, datasetsDir: join(DEFAULT_DATASETS_DIR, "absent-on-purpose") });
    expect(other.trace.source).toBe("synthetic");
    expectValidFleetRun(other);
    expect(other.trace.requests).not.toBe(first.trace.requests);
  });

  it("shows the runtime's progress, saying what each key step did", () => {
    expect(progress).toContain(`running the workflow (${first.workflow.nodes.length} steps)`);
    expect(progress.match(/ ✓ /g)).toHaveLength(first.workflow.nodes.length);
    expect(progress).toMatch(/✓ warm \(EdgeWarming\): [\w-, ]+: initialized → warming → active/);
    expect(progress).toMatch(/✓ fail_leader_edge \(FailEdge\): edge-[\w-]+ down; declared dead after \d+ ms; edge-[\w-]+ leads \(term \d+\)/);
    expect(progress).not.toContain("\r");
  });

  it("prints placements with their reasons and a unit on every figure", () => {
    const text = formatSummary(first).join("\n");
    expect(text).toMatch(/latency \d+\/100 \(weight \d\): its users are [\d.]+ ms away/);
    expect(text).toMatch(/price \d+\/100 \(weight \d\): \$[\d.]+\/h/);
    expect(text).toMatch(/: initialized → warming\n.*: warming → active/);
    expect(text).toMatch(/cold starts avoided/);
    expect(text).toMatch(/save \$[\d.]+\/month/);
    expect(text).not.toMatch(/flowchart|graph TD/);
  });

  it("writes a self-contained report: inline SVG charts, no network references, no scripts", () => {
    const html = renderReport(first);
    expect(html.match(/<svg /g)?.length).toBe(5);
    for (const title of ["Demand vs forecast", "Warm capacity vs requests", "Alerts from firing to resolved", "Workflow &quot;fleet&quot;", "Monthly cost per service"]) expect(html).toContain(title);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\((?!#)/i);
  });

  it.skipIf(browserMissing !== undefined)("renders the report in headless chromium: every chart has a size, the console stays clean", async () => {
    const { chromium } = await import("playwright-core");
    const dir = mkdtempSync(join(tmpdir(), "fleet-report-"));
    const file = join(dir, "report.html");
    writeFileSync(file, renderReport(first));
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("request", (request) => {
        if (!request.url().startsWith("file:")) problems.push(`fetched ${request.url()}`);
      });
      await page.goto(pathToFileURL(file).href);
      const boxes = await page.$$eval("svg.chart", (svgs) => svgs.map((svg) => svg.getBoundingClientRect()).map((r) => ({ width: r.width, height: r.height })));
      expect(boxes).toHaveLength(5);
      for (const box of boxes) {
        expect(box.width).toBeGreaterThan(100);
        expect(box.height).toBeGreaterThan(100);
      }
      // Lines and bars were drawn, not just empty frames.
      expect(await page.$$eval("svg.chart path, svg.chart rect", (shapes) => shapes.filter((s) => s.getBoundingClientRect().width > 0).length)).toBeGreaterThan(20);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  if (browserMissing !== undefined) console.log(`skipping the browser check of the report: ${browserMissing}`);

  it.runIf(extraSeeds > 0)(`keeps its promises over the whole trace for ${extraSeeds} more seeds (SIM_RUNS)`, async () => {
    for (let seed = 100; seed < 100 + extraSeeds; seed++) {
      const summary = await runFleetDemo({ seed });
      try {
        expectValidFleetRun(summary);
      } catch (error) {
        throw new Error(`seed ${seed} broke an invariant (replay with runFleetDemo({ seed: ${seed} }))`, { cause: error });
      }
    }
  }, 600_000);
});
