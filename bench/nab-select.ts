/**
 * Compares detector configurations on everything at once: the visible NAB files (in sample and
 * leave-one-family-out cross-validated), the seeded stand-in corpus (pooled threshold, by family)
 * and, pooling both, a leave-one-family-out choice among the configurations given.
 *
 *   npx tsx bench/nab-select.ts '<json config>' '<json config>' ...
 */
import { join } from "node:path";
import type { RobustLikelihoodConfig } from "../src/monitoring/anomaly.js";
import { NAB_PROFILES, scoreNab, type NabFileResult } from "../src/monitoring/nab-scorer.js";
import { syntheticCorpus } from "../src/monitoring/synthetic-anomalies.js";
import { standInCorpus } from "../src/monitoring/synthetic-families.js";
import { crossValidate, nabFamily } from "./nab-cv.js";
import { loadNab, NAB_DIR, scoreAll } from "./nab-files.js";
import { scoreStandIns } from "./nab-standins.js";

const configs = process.argv.slice(2).map((a) => JSON.parse(a) as RobustLikelihoodConfig);
if (configs.length === 0) configs.push({});
const files = loadNab(join(NAB_DIR, "data"), join(NAB_DIR, "labels"));
const families = files.map((f) => nabFamily(f.key));
const standIns = standInCorpus(Number(process.env.SEED ?? 1));
const synthetic = syntheticCorpus(1);
const grid: NabFileResult[][] = [];
const standGrid: NabFileResult[][] = [];
for (const [c, config] of configs.entries()) {
  const nab = scoreAll(files, config);
  const stand = scoreAll(standIns, config);
  grid.push(nab);
  standGrid.push(stand);
  const inSample = scoreNab(nab);
  const cv = crossValidate(families, [nab], NAB_PROFILES.standard);
  const cvLow = crossValidate(families, [nab], NAB_PROFILES.reward_low_FP_rate);
  const worst = cv.folds.reduce((a, b) => (b.heldOut < a.heldOut ? b : a));
  const rep = scoreStandIns(standIns, config);
  const repAt = scoreStandIns(standIns, config, inSample.standard.threshold);
  const syn = scoreNab(scoreAll(synthetic, config));
  const fam = rep.families.map((f) => `${f.family.slice(0, 7)} ${Number.isNaN(f.score) ? "" : f.score.toFixed(1)} ${f.found}/${f.windows} fa${f.falseAlarms}`).join(" | ");
  console.log(
    `#${c} nab in ${inSample.standard.normalizedScore.toFixed(1)}/${inSample.reward_low_FP_rate.normalizedScore.toFixed(1)} cv ${cv.score.toFixed(1)} (th ${cv.folds.map((f) => f.threshold.toFixed(2)).join(',')})/${cvLow.score.toFixed(1)} worst ${worst.heldOut.toFixed(1)} rogue ${cv.folds.find((f) => f.family.includes("rogue"))?.heldOut.toFixed(1)} | stand th ${rep.threshold.toFixed(3)} ${rep.pooled.toFixed(1)} at nab th ${repAt.pooled.toFixed(1)}/${rep.pooledLowFp.toFixed(1)} | syn ${syn.standard.normalizedScore.toFixed(1)} || ${fam}  ${JSON.stringify(config)}`,
  );
}
if (configs.length > 1) {
  const allFamilies = [...families, ...standIns.map((s) => `standin/${s.family}`)];
  const pooled = grid.map((nab, c) => [...nab, ...(standGrid[c] ?? [])]);
  const cv = crossValidate(allFamilies, pooled, NAB_PROFILES.standard);
  console.log(`pooled LOFO over ${configs.length} configs: ${cv.score.toFixed(1)}; folds ${cv.folds.map((f) => `${f.family.split("/")[1]}:#${f.chosen}:${f.heldOut.toFixed(0)}`).join(" ")}`);
}
