/**
 * The demo's workload: request arrivals from the Azure LLM inference trace in `../shared/datasets`
 * (one real hour of a production service), or a seeded synthetic hour of the same shape when that
 * folder is absent. Each request is given to one of the services by the seed, so different seeds
 * spread the same real arrivals differently.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Arrival, Random } from "../../src/index.js";
import type { FleetService } from "./fleet-spec.js";

/** One request of the demo's trace. */
export interface FleetRequest extends Arrival {
  readonly service: string;
}

/** The trace, where it came from, and its per-minute shape. */
export interface FleetTrace {
  readonly source: "azure-llm-trace" | "synthetic";
  readonly description: string;
  readonly requests: readonly FleetRequest[];
  readonly durationMs: number;
}

export const MINUTE_MS = 60_000;
const TRACE_FILE = join("azure-llm-trace", "AzureLLMInferenceTrace_code.csv");

/** Service time of an LLM request from its token counts (prefill and decode), as the scaling bench models it. */
function llmServiceMs(contextTokens: number, generatedTokens: number): number {
  return 100 + 0.1 * contextTokens + 30 * generatedTokens;
}

function azureArrivals(path: string): Arrival[] {
  const rows = readFileSync(path, "utf8").trim().split("\n").slice(1);
  const parsed = rows.map((line) => {
    const [ts = "", context = "0", generated = "0"] = line.split(",");
    return { at: Date.parse(`${ts.replace(" ", "T").slice(0, 23)}Z`), serviceMs: llmServiceMs(Number(context), Number(generated)) };
  });
  const start = parsed.reduce((min, a) => Math.min(min, a.at), Number.POSITIVE_INFINITY);
  return parsed.map((a) => ({ at: a.at - start, serviceMs: a.serviceMs })).sort((a, b) => a.at - b.at);
}

/**
 * An hour of bursty arrivals: a Poisson process whose per-minute rate switches between quiet spells and
 * bursts, with log-normal service times, so warming and autoscaling face the same problem as on the real trace.
 */
function syntheticArrivals(random: Random): Arrival[] {
  const arrivals: Arrival[] = [];
  for (let minute = 0; minute < 60; minute++) {
    const perMinute = random.bool(0.35) ? random.uniform(250, 550) : random.uniform(10, 160);
    for (let t = random.exponential(perMinute / MINUTE_MS); t < MINUTE_MS; t += random.exponential(perMinute / MINUTE_MS)) {
      arrivals.push({ at: minute * MINUTE_MS + Math.floor(t), serviceMs: Math.round(Math.exp(random.normal(7, 0.6))) });
    }
  }
  return arrivals;
}

/** Loads the trace from `datasetsDir` (or synthesises one) and gives each request to a service by the seed. */
export function loadFleetTrace(datasetsDir: string, services: readonly FleetService[], random: Random): FleetTrace {
  const path = join(datasetsDir, TRACE_FILE);
  const real = existsSync(path);
  const arrivals = real ? azureArrivals(path) : syntheticArrivals(random.fork("synthetic-trace"));
  const total = services.reduce((sum, s) => sum + s.trafficShare, 0);
  const pick = random.fork("request-to-service");
  const requests = arrivals.map((arrival) => {
    let draw = pick.float() * total;
    const chosen = services.find((s) => (draw -= s.trafficShare) < 0) ?? services[services.length - 1];
    return { ...arrival, service: chosen?.id ?? "" };
  });
  const last = arrivals[arrivals.length - 1];
  const durationMs = Math.ceil(((last?.at ?? 0) + 1) / MINUTE_MS) * MINUTE_MS;
  const description = real
    ? `Azure LLM inference trace (code service, ${arrivals.length} real requests over ${durationMs / MINUTE_MS} min)`
    : `synthetic bursty trace (${arrivals.length} requests over ${durationMs / MINUTE_MS} min; ${path} not found)`;
  return { source: real ? "azure-llm-trace" : "synthetic", description, requests, durationMs };
}

/** Per-minute load of one service: requests and mean busy instances (Little's law: Σ service time / minute). */
export interface MinuteLoad {
  readonly requests: number;
  readonly busy: number;
}

/** Buckets the trace per service and minute. */
export function minuteLoads(trace: FleetTrace): ReadonlyMap<string, MinuteLoad[]> {
  const minutes = trace.durationMs / MINUTE_MS;
  const out = new Map<string, MinuteLoad[]>();
  for (const request of trace.requests) {
    let series = out.get(request.service);
    if (series === undefined) {
      series = Array.from({ length: minutes }, () => ({ requests: 0, busy: 0 }));
      out.set(request.service, series);
    }
    const minute = Math.min(minutes - 1, Math.floor(request.at / MINUTE_MS));
    const bucket = series[minute];
    if (bucket !== undefined) series[minute] = { requests: bucket.requests + 1, busy: bucket.busy + request.serviceMs / MINUTE_MS };
  }
  return out;
}
