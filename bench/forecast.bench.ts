/**
 * Forecast accuracy on NAB demand series by rolling-origin backtest: MASE per series and horizon
 * (1 h, 6 h, 24 h) for every forecaster and the automatic choice, beside seasonal-naive (MASE 1.0 by
 * construction), plus fit + predict time per series.
 *
 * Settings were chosen on the first half of each series (`--split validation`); the figures reported
 * are from origins in the second half (`--split test`, the default), which no setting was tuned on.
 *
 *   npx tsx bench/forecast.bench.ts [--split test|validation] [--origins N] [--arima]
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { AutoForecaster, HoltWintersForecaster, LinearTrendForecaster, NaiveForecaster, SeasonalNaiveForecaster, EnsembleForecaster, mase, type Forecaster } from "../src/forecast/index.js";
import { table } from "./support/timing.js";

const datasets = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared", "datasets");
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const split = flag("split") ?? "test";
const originsPerRun = Number(flag("origins") ?? "6");
const withArima = args.includes("--arima");

interface SeriesSpec {
  readonly name: string;
  readonly file: string;
  /** Minutes per step. */
  readonly stepMinutes: number;
}

const SERIES: readonly SeriesSpec[] = [
  { name: "nyc_taxi", file: "nab/data/realKnownCause/nyc_taxi.csv", stepMinutes: 30 },
  { name: "elb_request_count", file: "nab/data/realAWSCloudwatch/elb_request_count_8c0756.csv", stepMinutes: 5 },
  { name: "ec2_cpu_utilization", file: "nab/data/realAWSCloudwatch/ec2_cpu_utilization_5f5533.csv", stepMinutes: 5 },
  { name: "rds_cpu_utilization", file: "nab/data/realAWSCloudwatch/rds_cpu_utilization_cc0c53.csv", stepMinutes: 5 },
];

function load(file: string): number[] {
  return readFileSync(join(datasets, file), "utf8").trim().split("\n").slice(1).map((line) => Number(line.split(",")[1]));
}

async function makeArima(): Promise<(() => Forecaster) | undefined> {
  if (!withArima) return undefined;
  const { ArimaForecaster } = await import("../src/forecast/arima.js");
  return () => new ArimaForecaster();
}

async function main(): Promise<void> {
  if (!existsSync(datasets)) {
    console.log(`skipping: ${datasets} not found`);
    return;
  }
  const arima = await makeArima();
  const models: Record<string, () => Forecaster> = {
    seasonal_naive: () => new SeasonalNaiveForecaster(),
    naive: () => new NaiveForecaster(),
    linear_trend: () => new LinearTrendForecaster({ window: 1000 }),
    holt_winters: () => new HoltWintersForecaster(),
    holt_winters_damped: () => new HoltWintersForecaster({ damped: true }),
    ensemble: () => new EnsembleForecaster([new SeasonalNaiveForecaster(), new HoltWintersForecaster({ damped: true })]),
    ...(arima === undefined ? {} : { arima }),
    auto: () => new AutoForecaster(flag("combine") === undefined ? {} : { combine: Number(flag("combine")) }),
  };
  const rows: Record<string, string | number>[] = [];
  const timings: Record<string, string | number>[] = [];
  const autoMase: number[] = [];
  for (const spec of SERIES) {
    const values = load(spec.file);
    const stepsPerHour = 60 / spec.stepMinutes;
    const period = 24 * stepsPerHour;
    const half = Math.floor(values.length / 2);
    // Validation: origins inside the first half; test: origins inside the second half.
    const [from, to] = split === "validation" ? [Math.floor(half / 2), half] : [half, values.length];
    const time: Record<string, number> = {};
    for (const hours of [1, 6, 24]) {
      const horizon = hours * stepsPerHour;
      const row: Record<string, string | number> = { series: spec.name, horizon: `${hours}h` };
      const last = to - horizon;
      const stride = Math.max(1, Math.floor((last - from) / originsPerRun));
      for (const [name, make] of Object.entries(models)) {
        let sum = 0;
        let n = 0;
        for (let k = 0; k < originsPerRun; k++) {
          const origin = from + k * stride;
          if (origin + horizon > to) break;
          const history = values.slice(Math.max(0, origin - 4000), origin);
          const model = make();
          const start = performance.now();
          await model.fit(history, { period, maxHorizon: horizon });
          const forecast = model.predict(horizon);
          time[name] = (time[name] ?? 0) + performance.now() - start;
          const closable = model as Forecaster & { close?: () => Promise<void> };
          await closable.close?.();
          const score = mase(values.slice(origin, origin + horizon), forecast.mean, history, period);
          if (Number.isFinite(score)) {
            sum += score;
            n++;
          }
        }
        // Relative to seasonal-naive on the same origins: the ratio of mean MASEs.
        row[name] = n === 0 ? Number.NaN : sum / n;
      }
      const base = Number(row.seasonal_naive);
      for (const name of Object.keys(models)) row[name] = Number(row[name]) / base;
      autoMase.push(Number(row.auto));
      rows.push(row);
    }
    timings.push({ series: spec.name, ...Object.fromEntries(Object.entries(time).map(([k, v]) => [k, `${(v / (3 * originsPerRun)).toFixed(1)} ms`])) });
  }
  console.log(`MASE relative to seasonal-naive (seasonal-naive = 1.00), ${split} split, ${originsPerRun} origins per series and horizon`);
  console.log(table(rows));
  console.log(`\nauto choice, mean over series and horizons: ${(autoMase.reduce((a, b) => a + b, 0) / autoMase.length).toFixed(3)} (target <= 0.9)`);
  console.log("\nfit + predict time per fit (mean)");
  console.log(table(timings));
}

await main();
