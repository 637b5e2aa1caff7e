/**
 * Deep simulation runs outside vitest, with progress on stdout:
 * `npx tsx test/consensus/sim/deep-run.ts direct|direct3|direct5|host RUNS [FIRST_RUN]` (FIRST_RUN
 * resumes a run; `direct3`/`direct5` run one cluster size, so two processes can share the work).
 * Uses the same seeds, cluster sizes and checks as the simulation tests with `SIM_RUNS=RUNS`
 * (direct: 3 members from seed 1, then 5 members from seed 100001; host: from seed 200001, every
 * fourth run with 5 members). Exits non-zero on the first violation; undecided histories are
 * counted apart.
 */
import { assertRun } from "./check-run.js";
import { runDirectSim } from "./direct-sim.js";
import { runHostSim } from "./host-sim.js";
import { nemesisFor } from "./nemesis.js";

const OPS = 2000;
const [kind = "direct", runsText = "2000", firstText = "0"] = process.argv.slice(2);
const runs = Number(runsText);
const first = Number(firstText);
const started = performance.now();
let undecided = 0;

function progress(label: string, done: number, total: number): void {
  if (done % 50 === 0 || done === total) {
    const s = ((performance.now() - started) / 1000).toFixed(0);
    console.log(`${label}: ${done}/${total} runs, ${undecided} undecided, ${s} s`);
  }
}

async function main(): Promise<void> {
  if (kind.startsWith("direct")) {
    const sizes = ([[3, 1], [5, 100_001]] as const).filter(([nodes]) => kind === "direct" || kind === `direct${nodes}`);
    for (const [nodes, base] of sizes) {
      for (let i = first; i < runs; i++) {
        const seed = base + i;
        try {
          const result = runDirectSim({ seed, nodes, clients: 6, ops: OPS, keys: 5, nemesis: nemesisFor(seed, nodes), snapshotEvery: 200 });
          if (assertRun(result, OPS) === "unknown") undecided++;
        } catch (error) {
          console.log(`FAILED direct ${nodes} members seed ${seed}: ${error instanceof Error ? error.message : String(error)}`);
          process.exitCode = 1;
          return;
        }
        progress(`direct ${nodes} members`, i + 1, runs);
      }
    }
  } else {
    for (let i = first; i < runs; i++) {
      const seed = 200_001 + i;
      const nodes = i % 4 === 3 ? 5 : 3;
      try {
        const result = await runHostSim({ seed, nodes, clients: 6, ops: OPS, keys: 5, nemesis: nemesisFor(seed, nodes) });
        if (assertRun(result, OPS) === "unknown") undecided++;
      } catch (error) {
        console.log(`FAILED host seed ${seed} (${nodes} members): ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
        return;
      }
      progress("host", i + 1, runs);
    }
  }
  console.log(`done: ${kind} ${runs} runs per size, ${undecided} undecided, ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
