/** Minimal timing helpers for benchmarks: median of repeated runs after warm-up. */
import { performance } from "node:perf_hooks";

export interface Timing {
  readonly medianMs: number;
  readonly minMs: number;
  readonly runs: number;
}

/** Runs `fn` `warmup` times, then `runs` times, and reports the median and minimum wall time. */
export async function time(fn: () => unknown, runs = 7, warmup = 2): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[Math.floor(samples.length / 2)] ?? Number.NaN, minMs: samples[0] ?? Number.NaN, runs };
}

/** Formats a table of rows as aligned text. */
export function table(rows: ReadonlyArray<Readonly<Record<string, string | number>>>): string {
  const first = rows[0];
  if (first === undefined) return "";
  const headers = Object.keys(first);
  const cell = (v: string | number | undefined): string => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : (v ?? ""));
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => cell(r[h]).length)));
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join("  ");
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map((r) => line(headers.map((h) => cell(r[h]))))].join("\n");
}
