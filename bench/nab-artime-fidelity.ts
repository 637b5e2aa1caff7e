/**
 * How closely streaming ARTime reproduces the original's look-ahead setting (the file's own range
 * and NAB's probation, `lookAhead` in nab-artime-cv.ts), file by file, on the NAB files and the
 * seeded stand-ins: evidence that rests on neither set's labels.
 *
 *   npx tsx bench/nab-artime-fidelity.ts [--seeds 1,2,3] [--files] [--cv N] [--speed N] [--min-score X] [--candidates a,b]
 *
 * A detection is a row with a score above 0 (and at least X) after NAB's probation. For each subject: the look-ahead
 * detections it reproduces within NAB's window length of the file (10 % of the rows over the
 * number of windows, 10 % with none), the detections it adds that no look-ahead detection is that
 * near, and `agreement` = reproduced / (look-ahead detections + added). Then its in-sample score on
 * the NAB files, and on them pooled with each seed's stand-ins under one threshold, and, with `--cv N`, the leave-one-family-out CV over NAB + stand-ins for seeds 1..N
 * (standard profile), as nab-artime.ts prints it. `--files` lists every file where a subject's
 * detections differ from the look-ahead's. `--speed N` times N passes of each subject over the NAB
 * files, taking turns, and prints samples per second and the ratio to the first subject per pass.
 */
import { join } from "node:path";
import { ArtimeDetector, ArtimeView, type ArtimeOptions } from "../src/monitoring/artime.js";
import { NAB_PROFILES, probationaryLength, scoreNab, type NabFileResult } from "../src/monitoring/nab-scorer.js";
import { standInCorpus } from "../src/monitoring/synthetic-families.js";
import { asSeries, lookAhead, scoreArtime, seededCv, spread, type ArtimeMaker } from "./nab-artime-cv.js";
import { loadNab, NAB_DIR, type LabelledSeries } from "./nab-files.js";

/** The look-ahead original's probation for a series: NAB's, even, at least the option's minimum. */
const nabProbation = (series: LabelledSeries): number => {
  const p = probationaryLength(series.values.length);
  return Math.max(64, p - (p % 2));
};

const options = (o: ArtimeOptions): ArtimeMaker => () => new ArtimeDetector(o);

/**
 * Detectors of the given probations side by side; from sample `from` on, a detector's score is
 * used, the last listed whose `from` has passed.
 */
const scheduled =
  (plan: ReadonlyArray<readonly [number, number]>, rangeMargin = 0.25): ArtimeMaker =>
  () => {
    const views = plan.map(([probation]) => new ArtimeView({ probation, rangeMargin }));
    let n = 0;
    return {
      update: (_t: number, v: number) => {
        n++;
        let out = 0;
        views.forEach((view, k) => {
          const s = view.update(v);
          if (s !== undefined && n >= (plan[k]?.[1] ?? 0)) out = s;
        });
        return out;
      },
    };
  };

/**
 * Subjects compared with the look-ahead original, by name (`--candidates`): settings, and the two
 * halves of the look-ahead (range alone, probation alone) that say which half the gap comes from.
 */
const CANDIDATES: Readonly<Record<string, ArtimeMaker>> = Object.freeze({
  default: options({}),
  "early-0.5": options({ earlyScoring: 0.5 }),
  "range-given": (series) => {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of series.values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return new ArtimeDetector({ range: { min, max }, earlyScoring: 0 });
  },
  "probation-given": (series) => new ArtimeDetector({ probation: nabProbation(series), earlyScoring: 0 }),
});

/**
 * A subject by name: one of {@link CANDIDATES}; `p<probation>m<margin>[e<earlyScoring>][w<windowsPerProbation>]`, a setting;
 * `c<probation>-<probation>…m<margin>`, detectors of growing probation, each sample scored by the
 * longest past its probation; `s<probation>@<from>-…`, detectors scoring from the given samples.
 */
function maker(name: string): ArtimeMaker | undefined {
  const named = CANDIDATES[name];
  if (named !== undefined) return named;
  const setting = /^p(\d+)m([\d.]+)(?:e([\d.]+))?(?:w(\d+))?$/.exec(name);
  if (setting !== null) {
    const [, probation, rangeMargin, earlyScoring, windowsPerProbation] = setting.map(Number);
    return options({ probation, rangeMargin, earlyScoring: earlyScoring || 0, windowsPerProbation: windowsPerProbation || 13 });
  }
  const schedule = /^s([\d@-]+)$/.exec(name);
  if (schedule !== null) return scheduled((schedule[1] ?? "").split("-").map((part) => part.split("@").map(Number) as [number, number]));
  const chain = /^c([\d-]+)m([\d.]+)$/.exec(name);
  if (chain !== null) return scheduled((chain[1] ?? "").split("-").map((p) => [Number(p), Number(p)] as const), Number(chain[2]));
  return undefined;
}

interface Agreement {
  reference: number;
  reproduced: number;
  added: number;
}

function detections(scores: ArrayLike<number>, from: number, minScore: number): number[] {
  const out: number[] = [];
  for (let i = from; i < scores.length; i++) if ((scores[i] as number) > 0 && (scores[i] as number) >= minScore) out.push(i);
  return out;
}

/** Reference detections matched within `tolerance` rows, and subject detections matched by none. */
function agree(reference: readonly number[], subject: readonly number[], tolerance: number): Agreement {
  const near = (xs: readonly number[], x: number) => xs.some((y) => Math.abs(x - y) <= tolerance);
  return {
    reference: reference.length,
    reproduced: reference.filter((r) => near(subject, r)).length,
    added: subject.filter((s) => !near(reference, s)).length,
  };
}

const sum = (xs: readonly Agreement[]): Agreement =>
  xs.reduce((a, b) => ({ reference: a.reference + b.reference, reproduced: a.reproduced + b.reproduced, added: a.added + b.added }), { reference: 0, reproduced: 0, added: 0 });

const show = (a: Agreement): string =>
  `${a.reproduced}/${a.reference} reproduced, ${a.added} added, agreement ${(a.reproduced / Math.max(1, a.reference + a.added)).toFixed(3)}`;

function parseArgs(argv: readonly string[]): { seeds: number[]; files: boolean; cv: number; speed: number; minScore: number; candidates: string[] } {
  let seeds = [1, 2, 3];
  let files = false;
  let cv = 0;
  let speed = 0;
  let minScore = 0;
  let candidates = Object.keys(CANDIDATES);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--seeds") seeds = (argv[++i] ?? "").split(",").map(Number);
    else if (arg === "--files") files = true;
    else if (arg === "--cv") cv = Number(argv[++i]);
    else if (arg === "--speed") speed = Number(argv[++i]);
    else if (arg === "--min-score") minScore = Number(argv[++i]);
    else if (arg === "--candidates") candidates = (argv[++i] ?? "").split(",");
    else throw new RangeError(`unknown argument ${String(arg)}: expected --seeds N,M, --files, --cv N --speed N, --min-score X or --candidates a,b`);
  }
  const bad = seeds.find((s) => !Number.isSafeInteger(s));
  if (bad !== undefined) throw new RangeError(`--seeds: ${bad} is not an integer seed`);
  if (!Number.isSafeInteger(cv) || cv < 0) throw new RangeError("--cv must be a non-negative integer");
  if (!Number.isSafeInteger(speed) || speed < 0) throw new RangeError("--speed must be a non-negative integer");
  const unknown = candidates.find((c) => maker(c) === undefined);
  if (unknown !== undefined) throw new RangeError(`--candidates: unknown ${unknown}; known: ${Object.keys(CANDIDATES).join(", ")}`);
  if (!(minScore >= 0 && minScore <= 1)) throw new RangeError("--min-score must be in [0, 1]");
  return { seeds, files, cv, speed, minScore, candidates };
}

/** Samples per second of one pass over `series` with fresh detectors. */
function throughput(series: readonly LabelledSeries[], make: ArtimeMaker): number {
  let samples = 0;
  const t0 = performance.now();
  for (const s of series) {
    const detector = make(s);
    for (let i = 0; i < s.values.length; i++) detector.update(s.timestamps[i] as number, s.values[i] as number);
    samples += s.values.length;
  }
  return samples / ((performance.now() - t0) / 1000);
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const loaded = loadNab(join(NAB_DIR, "data"), join(NAB_DIR, "labels"));
  const nab = loaded.map(asSeries);
  const corpora: Array<{ source: string; series: LabelledSeries[] }> = [
    { source: "NAB", series: nab },
    ...args.seeds.map((seed) => ({ source: `stand-ins seed ${seed}`, series: standInCorpus(seed).map((s) => ({ ...s, name: `${s.name}@${seed}` })) })),
  ];
  const subjects = args.candidates.map((name) => ({ name, make: maker(name) ?? options({}) }));
  const byFamily = new Map<string, Agreement[][]>();
  // Per corpus (NAB first, then each seed's stand-ins): the look-ahead's results and each subject's.
  const results: Array<{ reference: NabFileResult[]; scored: NabFileResult[][] }> = [];
  const perFile: string[] = [];
  for (const { source, series } of corpora) {
    const reference = scoreArtime(series, lookAhead);
    const scored = subjects.map((s) => scoreArtime(series, s.make));
    results.push({ reference, scored });
    series.forEach((s, f) => {
      const rows = s.values.length;
      const from = probationaryLength(rows);
      const tolerance = Math.floor((0.1 * rows) / Math.max(1, s.windows.length));
      const ref = detections((reference[f] as NabFileResult).anomalyScores, from, args.minScore);
      const family = source === "NAB" ? `NAB ${s.name.slice(0, s.name.indexOf("/"))}` : `stand-in ${s.name.replace(/_\d+@\d+$/, "").replace(/_.*$/, "")}`;
      const list = byFamily.get(family) ?? subjects.map(() => []);
      subjects.forEach((subject, c) => {
        const own = detections((scored[c]?.[f] as NabFileResult).anomalyScores, from, args.minScore);
        const a = agree(ref, own, tolerance);
        list[c]?.push(a);
        if (args.files && (a.reproduced < a.reference || a.added > 0)) perFile.push(`  ${subject.name.padEnd(12)} ${s.name.padEnd(52)} ${rows} rows: ${show(a)}; look-ahead [${ref.join(" ")}], own [${own.join(" ")}]`);
      });
      byFamily.set(family, list);
    });
  }
  console.log(`agreement with the look-ahead original (detections${args.minScore > 0 ? ` scoring at least ${args.minScore}` : ""} after NAB's probation; NAB files and stand-in seeds ${args.seeds.join(",")})`);
  subjects.forEach((subject, c) => {
    console.log(`${subject.name}:`);
    const nabAll = sum([...byFamily].filter(([k]) => k.startsWith("NAB")).flatMap(([, v]) => v[c] ?? []));
    const standAll = sum([...byFamily].filter(([k]) => !k.startsWith("NAB")).flatMap(([, v]) => v[c] ?? []));
    console.log(`  all NAB files        ${show(nabAll)}`);
    console.log(`  all stand-ins        ${show(standAll)}`);
    console.log(`  together             ${show(sum([nabAll, standAll]))}`);
    for (const [family, lists] of byFamily) console.log(`    ${family.padEnd(26)} ${show(sum(lists[c] ?? []))}`);
  });
  if (args.files) console.log(perFile.join("\n"));

  const standard = (files: readonly NabFileResult[]) => scoreNab(files).standard.normalizedScore.toFixed(1);
  const [own, ...standIns] = results;
  const pooled = (pick: (r: { reference: NabFileResult[]; scored: NabFileResult[][] }) => NabFileResult[] | undefined) =>
    standIns.map((r) => standard([...(own === undefined ? [] : (pick(own) ?? [])), ...(pick(r) ?? [])])).join(" / ");
  console.log(`\nstandard score, in-sample: NAB files; NAB + stand-ins under one threshold, seeds ${args.seeds.join(" / ")}`);
  console.log(`  ${"look-ahead".padEnd(20)} ${standard(own?.reference ?? []).padStart(5)}    ${pooled((r) => r.reference)}    (threshold on NAB ${scoreNab(own?.reference ?? []).standard.threshold.toFixed(3)})`);
  subjects.forEach((subject, c) => console.log(`  ${subject.name.padEnd(20)} ${standard(own?.scored[c] ?? []).padStart(5)}    ${pooled((r) => r.scored[c])}`));
  if (args.speed > 0) {
    const rates = subjects.map(() => [] as number[]);
    for (let r = 0; r < args.speed; r++) subjects.forEach((subject, c) => rates[c]?.push(throughput(nab, subject.make)));
    console.log(`samples/s over the NAB files, ${args.speed} passes in turn (min / median; ratio to ${subjects[0]?.name ?? ""} in the same pass, min / median)`);
    subjects.forEach((subject, c) => {
      const own = rates[c] ?? [];
      const ratios = own.map((x, r) => x / (rates[0]?.[r] ?? Number.NaN));
      console.log(`  ${subject.name.padEnd(20)} ${(Math.min(...own) / 1000).toFixed(0)}k / ${(median(own) / 1000).toFixed(0)}k    ${Math.min(...ratios).toFixed(2)} / ${median(ratios).toFixed(2)}`);
    });
  }
  if (args.cv > 0) {
    const seeds = Array.from({ length: args.cv }, (_, i) => i + 1);
    const cv = seededCv(loaded, subjects.map((s) => s.make), seeds, [], NAB_PROFILES.standard);
    console.log(`leave-one-family-out CV over NAB + stand-ins, seeds 1..${args.cv}: mean (min–max); NAB part; by seed`);
    subjects.forEach((subject, c) => {
      const runs = cv.alone[c] ?? [];
      console.log(`  ${subject.name.padEnd(20)} ${spread(runs.map((r) => r.score)).padStart(20)} ${spread(runs.map((r) => r.nab)).padStart(20)}   ${runs.map((r) => r.score.toFixed(1)).join(" ")}`);
    });
  }
}

main();
