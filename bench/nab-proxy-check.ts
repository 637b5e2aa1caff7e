/**
 * How far the seeded stand-ins (synthetic-families.ts) can be trusted to stand for the NAB families
 * we hold no files of: each detector's score on the visible files, on the stand-ins alone and on the
 * two pooled under one threshold (as NAB scores its full corpus), per stand-in seed, beside what is
 * known of it on the real full corpus. Then, for stand-in seed 1, windows found and false-alarm rows
 * per stand-in family at each detector's pooled threshold.
 *
 *   npx tsx bench/nab-proxy-check.ts [--seeds 1,2,3] [--old PATH]
 *
 * `--old` adds the robust-likelihood detector as it stood when it was scored on the full corpus
 * (55.2 standard; 50.9 on the 34 files not held here): check out that version, e.g.
 * `git worktree add --detach /tmp/edgeflow-old 88d99a6 && ln -s "$PWD/node_modules" /tmp/edgeflow-old/`,
 * and pass `/tmp/edgeflow-old/src/monitoring/anomaly.ts`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RobustLikelihoodDetector, type AnomalyDetector } from "../src/monitoring/anomaly.js";
import { ArtimeDetector } from "../src/monitoring/artime.js";
import { scoreNab, type NabFileResult } from "../src/monitoring/nab-scorer.js";
import { standInCorpus } from "../src/monitoring/synthetic-families.js";
import { asSeries, lookAhead } from "./nab-artime-cv.js";
import { loadNab, NAB_DIR, scoreEach, type LabelledSeries } from "./nab-files.js";
import { reportStandIns } from "./nab-standins.js";

interface Subject {
  readonly name: string;
  readonly make: (series: LabelledSeries) => AnomalyDetector;
  /** What is known of it on NAB's full corpus. */
  readonly known: string;
}

async function subjects(oldPath: string | undefined): Promise<Subject[]> {
  const published = JSON.parse(readFileSync(join(NAB_DIR, "published_scoreboard.json"), "utf8")) as Record<string, { standard: number }>;
  const list: Subject[] = [
    { name: "ARTime (default)", make: () => new ArtimeDetector(), known: "-" },
    { name: "ARTime as published", make: lookAhead, known: `${published.ARTime?.standard.toFixed(1) ?? "?"} published` },
    { name: "robust likelihood", make: () => new RobustLikelihoodDetector(), known: "-" },
  ];
  if (oldPath !== undefined) {
    const old = (await import(oldPath)) as { RobustLikelihoodDetector: new () => AnomalyDetector };
    list.push({ name: "robust likelihood, old", make: () => new old.RobustLikelihoodDetector(), known: "55.2 measured (50.9 unseen files)" });
  }
  return list;
}

function parseArgs(argv: readonly string[]): { seeds: number[]; old: string | undefined } {
  let seeds = [1, 2, 3];
  let old: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--seeds") seeds = (argv[++i] ?? "").split(",").map(Number);
    else if (argv[i] === "--old") old = argv[++i];
    else throw new RangeError(`unknown argument ${String(argv[i])}: expected --seeds N,M or --old PATH`);
  }
  const bad = seeds.find((s) => !Number.isSafeInteger(s));
  if (bad !== undefined) throw new RangeError(`--seeds: ${bad} is not an integer seed`);
  return { seeds, old };
}

const args = parseArgs(process.argv.slice(2));
const nab = loadNab(join(NAB_DIR, "data"), join(NAB_DIR, "labels")).map(asSeries);
const standard = (results: readonly NabFileResult[]): string => scoreNab(results).standard.normalizedScore.toFixed(1);
const corpora = args.seeds.map((seed) => standInCorpus(seed));
console.log(`standard profile; per stand-in seed: stand-ins alone / pooled with the ${nab.length} visible files under one threshold`);
console.log(`${"detector".padEnd(26)}${"visible".padStart(8)}  ${args.seeds.map((s) => `seed ${s}`.padEnd(14)).join("")}full corpus`);
const bySubject: Array<{ subject: Subject; visible: NabFileResult[]; first: NabFileResult[] }> = [];
for (const subject of await subjects(args.old)) {
  const visible = scoreEach(nab, subject.make);
  const cells = corpora.map((corpus) => {
    const stand = scoreEach(corpus, subject.make);
    return `${standard(stand)} / ${standard([...visible, ...stand])}`.padEnd(14);
  });
  bySubject.push({ subject, visible, first: scoreEach(corpora[0] ?? [], subject.make) });
  console.log(`${subject.name.padEnd(26)}${standard(visible).padStart(8)}  ${cells.join("")}${subject.known}`);
}

const first = corpora[0] ?? [];
console.log(`\nstand-in seed ${String(args.seeds[0])} at each detector's pooled threshold: windows found / windows, false-alarm rows`);
for (const { subject, visible, first: stand } of bySubject) {
  const threshold = scoreNab([...visible, ...stand]).standard.threshold;
  const report = reportStandIns(first, stand, threshold);
  console.log(`${subject.name.padEnd(26)}${report.families.map((f) => `${f.family} ${f.found}/${f.windows}, ${f.falseAlarms}`).join(" | ")}`);
}
