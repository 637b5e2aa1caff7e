/**
 * Self time by function from a `node --cpu-prof` profile, largest first:
 * `npx tsx bench/support/profile-summary.ts FILE.cpuprofile [count]`.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file, countArg] = process.argv.slice(2);
if (file === undefined) throw new Error("usage: profile-summary FILE.cpuprofile [count]");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<string, number>();
let totalUs = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  totalUs += delta;
  const frame = byId.get(id)?.callFrame;
  if (frame === undefined) return;
  const key = `${frame.functionName || "(anonymous)"} ${frame.url.split("/").slice(-1).join("")}:${frame.lineNumber + 1}`;
  selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
});
for (const [key, us] of [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, Number(countArg ?? 25))) {
  console.log(`${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
}
