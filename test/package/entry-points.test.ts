import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, projectRoot } from "./built.js";

/** Loading any of these means a heavy part leaked into the root entry point. */
const heavyBuiltins = ["net", "tls", "zlib", "v8", "worker_threads", "http", "https", "fs/promises"];
const heavyPackages = ["prom-client", "@opentelemetry", "arima", "msgpackr", "ioredis", "etcd3", "@grpc"];

interface Loaded {
  readonly builtins: readonly string[];
  readonly files: readonly string[];
  readonly exports: readonly string[];
}

/** What a fresh Node process loads for `code` (run as CommonJS or ESM), seen from inside it. */
function loadIn(kind: "commonjs" | "module", load: string): Loaded {
  // The lists are copied before printing: writing to a pipe loads node:net by itself.
  const report = `const builtins = process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice(13));
const files = Object.keys(require("node:module").createRequire(process.cwd() + "/").cache);
console.log(JSON.stringify({ builtins, files, exports: Object.keys(loaded) }));`;
  const code = kind === "commonjs" ? `const loaded = ${load};\n${report}` : `const loaded = await ${load};\nconst require = (await import("node:module")).createRequire(import.meta.url);\n${report}`;
  const child = spawnSync(process.execPath, [`--input-type=${kind}`, "-e", code], { cwd: projectRoot, encoding: "utf8" });
  expect(child.stderr).toBe("");
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout) as Loaded;
}

const leaks = (loaded: Loaded): string[] => [
  ...heavyBuiltins.filter((b) => loaded.builtins.includes(b)),
  ...heavyPackages.filter((p) => loaded.files.some((f) => f.includes(`/node_modules/${p}/`))),
];

describe("built package entry points", () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('require("edgeflow") works from CommonJS (require of ESM, Node 20.19+), without warnings', () => {
    const loaded = loadIn("commonjs", 'require("edgeflow")');
    expect(loaded.exports).toEqual(expect.arrayContaining(["LocalRuntime", "WorkflowBuilder", "createNodeRegistry", "defineNode", "ValidationError"]));
    expect(loadIn("commonjs", 'require("edgeflow/testing")').exports).toContain("checkLinearizable");
  });

  it("importing the root loads neither TCP/TLS, the disk, compression, Prometheus nor OpenTelemetry", () => {
    const loaded = loadIn("module", 'import("edgeflow")');
    expect(loaded.exports).toContain("LocalRuntime");
    expect(loaded.exports).not.toContain("TcpTransport");
    expect(loaded.exports).not.toContain("FileStorage");
    expect(leaks(loaded)).toEqual([]);
  });

  it("the subpath entry points load their heavy parts (so the check above can see them)", () => {
    const tcp = loadIn("module", 'import("edgeflow/tcp")');
    expect(tcp.exports).toEqual(expect.arrayContaining(["TcpTransport", "encodeMessage", "decodeMessage"]));
    expect(leaks(tcp)).toEqual(expect.arrayContaining(["net", "tls"]));
    const storage = loadIn("commonjs", 'require("edgeflow/file-storage")');
    expect(storage.exports).toEqual(["FileStorage"]);
    expect(leaks(storage)).toEqual(expect.arrayContaining(["zlib", "fs/promises"]));
    const prometheus = loadIn("module", 'import("edgeflow/prometheus")');
    expect(prometheus.exports).toEqual(["prometheusExposition"]);
    expect(leaks(prometheus)).toEqual(expect.arrayContaining(["prom-client", "@opentelemetry"]));
    const arima = loadIn("module", 'import("edgeflow/arima")');
    expect(arima.exports).toContain("ArimaForecaster");
    expect(leaks(arima)).toEqual(expect.arrayContaining(["worker_threads"]));
  });

  it("no module reachable from src/index.ts imports a heavy part statically", () => {
    // Source-level twin of the run-time check: it names the import that leaks.
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gm)) {
        const specifier = match[1] ?? "";
        if (match[0].startsWith("import type") || match[0].startsWith("export type")) continue;
        if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")));
        else if (heavyBuiltins.some((b) => specifier === b || specifier === `node:${b}`) || heavyPackages.some((p) => specifier.startsWith(p))) {
          offenders.push(`${file.slice(projectRoot.length)} imports ${specifier}`);
        }
      }
    };
    visit(join(projectRoot, "src", "index.ts"));
    expect(seen.size).toBeGreaterThan(50);
    expect(offenders).toEqual([]);
  });
});
