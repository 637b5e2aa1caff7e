import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkLinearizable, keyValueModel, parseJepsenKvHistory, parseJepsenRegisterLog, registerModel } from "../../src/testing/index.js";
import { datasetPath } from "../support/datasets.js";

describe("Jepsen history parsers", () => {
  it("pairs register log lines, drops :fail and leaves :info and unfinished calls open", () => {
    const log = [
      "INFO  jepsen.util - 0\t:invoke\t:write\t4",
      "INFO  jepsen.util - 1\t:invoke\t:cas\t[4 2]",
      "INFO  jepsen.util - 0\t:ok\t:write\t4",
      "INFO  jepsen.util - 1\t:fail\t:cas\t[4 2]",
      "INFO  jepsen.util - 2\t:invoke\t:write\t1",
      "INFO  jepsen.util - 2\t:info\t:write\t:timed-out",
      "INFO  jepsen.nemesis - something else entirely",
      "INFO  jepsen.util - 3\t:invoke\t:read\tnil",
      "INFO  jepsen.util - 3\t:ok\t:read\t4",
      "INFO  jepsen.util - 4\t:invoke\t:cas\t[1 3]",
    ].join("\n");
    expect(parseJepsenRegisterLog(log)).toEqual([
      { clientId: 0, input: { kind: "write", value: 4 }, output: {}, call: 0, return: 2 },
      { clientId: 2, input: { kind: "write", value: 1 }, output: undefined, call: 4, return: undefined },
      { clientId: 3, input: { kind: "read" }, output: { value: 4 }, call: 6, return: 7 },
      { clientId: 4, input: { kind: "cas", expected: 1, value: 3 }, output: undefined, call: 8, return: undefined },
    ]);
    expect(() => parseJepsenRegisterLog("INFO  jepsen.util - 0\t:ok\t:read\t1")).toThrow(/line 1.*without an :invoke/);
  });

  it("parses kv EDN maps", () => {
    const edn = [
      '{:process 0, :type :invoke, :f :put, :key "k", :value "a \\"b\\""}',
      '{:process 1, :type :invoke, :f :get, :key "k", :value nil}',
      '{:process 0, :type :ok, :f :put, :key "k", :value "a \\"b\\""}',
      '{:process :nemesis, :type :info, :f :start, :key "k", :value nil}',
      '{:process 1, :type :ok, :f :get, :key "k", :value "a \\"b\\""}',
    ].join("\n");
    expect(parseJepsenKvHistory(edn)).toEqual([
      { clientId: 0, input: { kind: "put", key: "k", value: 'a "b"' }, output: {}, call: 0, return: 2 },
      { clientId: 1, input: { kind: "get", key: "k" }, output: { value: 'a "b"' }, call: 1, return: 3 },
    ]);
    expect(() => parseJepsenKvHistory('{:process 0, :type :invoke, :f :put, :key "k"')).toThrow(/line 1/);
  });
});

describe("Jepsen histories with known verdicts", () => {
  const dir = datasetPath("jepsen-histories");
  it.skipIf(dir === undefined)("reproduces every verdict in expected.json", () => {
    const root = dir as string;
    const expected = JSON.parse(readFileSync(join(root, "expected.json"), "utf8")) as Record<string, boolean>;
    const rows: string[] = [];
    const mismatches: string[] = [];
    for (const [file, linearizable] of Object.entries(expected)) {
      const text = readFileSync(join(root, file), "utf8");
      const started = performance.now();
      const result = file.startsWith("etcd/")
        ? checkLinearizable(parseJepsenRegisterLog(text), registerModel(), { timeoutMs: 10_000 })
        : checkLinearizable(parseJepsenKvHistory(text), keyValueModel({ absent: "" }), { timeoutMs: 10_000 });
      const ms = performance.now() - started;
      rows.push(`${file.padEnd(20)} expected ${String(linearizable).padEnd(5)} got ${result.verdict.padEnd(7)} ${String(result.steps).padStart(8)} steps ${ms.toFixed(1).padStart(8)} ms`);
      if (result.verdict !== (linearizable ? "ok" : "illegal")) mismatches.push(file);
    }
    console.log(rows.join("\n"));
    expect(Object.keys(expected).length).toBeGreaterThan(50);
    expect(mismatches).toEqual([]);
  });
});
