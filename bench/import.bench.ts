/**
 * Import cost of the built package: each sample is a fresh `node` process that imports one entry
 * point and reports how long the import took, alternating with the baseline (zod alone, which every
 * edgeflow user loads anyway) in the same run. Also counts the modules each entry loads.
 *
 * `npx tsx bench/import.bench.ts` (builds `dist` first if it is missing). `IMPORT_BENCH_ROUNDS`
 * sets the number of samples per entry (default 9).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { table } from "./support/timing.js";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const rounds = Number(process.env["IMPORT_BENCH_ROUNDS"] ?? 9);

interface Entry {
  readonly name: string;
  readonly specifier: string;
}

const baseline: Entry = { name: "zod alone (baseline)", specifier: "zod" };
const entries: readonly Entry[] = [
  { name: "edgeflow (root)", specifier: "edgeflow" },
  { name: "edgeflow/tcp", specifier: "edgeflow/tcp" },
  { name: "edgeflow/file-storage", specifier: "edgeflow/file-storage" },
  { name: "edgeflow/prometheus", specifier: "edgeflow/prometheus" },
];

function ensureBuilt(): void {
  if (existsSync(new URL("../dist/src/index.js", import.meta.url))) return;
  console.log("dist/ is missing: running npm run build");
  const build = spawnSync("npm", ["run", "build"], { cwd: projectRoot, stdio: "inherit" });
  if (build.status !== 0) throw new Error("build failed");
}

interface Sample {
  /** Milliseconds spent in `await import(specifier)`. */
  readonly ms: number;
  /** `process.moduleLoadList` right after the import. */
  readonly loaded: readonly string[];
  /** CommonJS modules loaded (`require.cache`). */
  readonly cjs: readonly string[];
}

/** One fresh process importing `specifier`. */
function importOnce(specifier: string, env: NodeJS.ProcessEnv = process.env): Sample & { readonly stderr: string } {
  // The list is copied before anything is printed: writing to a pipe loads node:net by itself.
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); const ms = performance.now() - t;
const loaded = [...process.moduleLoadList];
const { createRequire } = await import("node:module");
console.log(JSON.stringify({ ms, loaded, cjs: Object.keys(createRequire(import.meta.url).cache) }));`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: projectRoot, encoding: "utf8", env, maxBuffer: 256 * 1024 * 1024 });
  if (child.status !== 0) throw new Error(`importing ${specifier} failed: ${child.stderr.slice(-2000)}`);
  return { ...(JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "{}") as Sample), stderr: child.stderr };
}

interface ModuleCount {
  readonly own: number;
  readonly dependencies: number;
  readonly builtins: readonly string[];
}

const userBuiltins = (list: readonly string[]): string[] => list.filter((m) => m.startsWith("NativeModule ") && !m.startsWith("NativeModule internal/")).map((m) => m.slice("NativeModule ".length));

/**
 * Modules one fresh process loads for `specifier`: ES modules from the loader's debug log, CommonJS
 * ones from `require.cache`, and the public built-ins beyond those of an empty process (taken from a
 * plain sample, since the debug log itself writes to a pipe).
 */
function countModules(specifier: string, plain: Sample, bootBuiltins: ReadonlySet<string>): ModuleCount {
  const traced = importOnce(specifier, { ...process.env, NODE_DEBUG: "esm" });
  const files = new Set<string>(traced.cjs);
  for (const match of traced.stderr.matchAll(/file:\/\/(\/[^\s'",]+?\.[cm]?js)\b/g)) if (match[1] !== undefined) files.add(decodeURIComponent(match[1]));
  const own = [...files].filter((f) => f.startsWith(`${projectRoot}dist/`)).length;
  return { own, dependencies: files.size - own, builtins: userBuiltins(plain.loaded).filter((m) => !bootBuiltins.has(m)) };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

ensureBuilt();
const samples = new Map<string, Sample[]>([[baseline.specifier, []], ...entries.map((e) => [e.specifier, []] as [string, Sample[]])]);
importOnce(baseline.specifier); // warms the file system cache, not the process
for (let round = 0; round < rounds; round++) {
  // Interleaved, so a burst of load on the machine hits the baseline and the entries alike.
  for (const entry of [baseline, ...entries]) samples.get(entry.specifier)?.push(importOnce(entry.specifier));
}

const empty = spawnSync(process.execPath, ["-e", "const loaded = [...process.moduleLoadList]; console.log(JSON.stringify(loaded))"], { encoding: "utf8" });
const bootBuiltins = new Set(userBuiltins(JSON.parse(empty.stdout) as string[]));
const msOf = (specifier: string): number => median((samples.get(specifier) ?? []).map((s) => s.ms));
const base = msOf(baseline.specifier);
const rows = [baseline, ...entries].map((entry) => {
  const ms = msOf(entry.specifier);
  const last = samples.get(entry.specifier)?.at(-1);
  if (last === undefined) throw new Error("no sample");
  const modules = countModules(entry.specifier, last, bootBuiltins);
  return {
    entry: entry.name,
    "import ms (median)": ms,
    "× zod": ms / base,
    "own modules": modules.own,
    "dependency modules": modules.dependencies,
    "built-ins loaded": modules.builtins.join(" ") || "-",
  };
});
console.log(`Import cost, fresh node ${process.version} process per sample, ${rounds} samples per entry (target: root ≤ 2× zod)`);
console.log(table(rows));
