/**
 * Link behaviour of the simulated network: how long a message takes, and how often it is lost,
 * duplicated or reordered. Configs are validated with zod; sampling only draws from the injected
 * {@link Random}, and only for the faults that are switched on, so a fault-free link costs no draws.
 *
 * @module
 */
import { z } from "zod";
import type { Random } from "../core/random.js";

const ms = z.number().finite().min(0);
const probability = z.number().min(0).max(1);

/** A latency distribution, in milliseconds. */
export const latencySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("fixed"), ms }).strict(),
  z
    .object({ kind: z.literal("uniform"), minMs: ms, maxMs: ms })
    .strict()
    .refine((v) => v.maxMs >= v.minMs, { message: "maxMs must be >= minMs", path: ["maxMs"] }),
  z.object({ kind: z.literal("normal"), meanMs: ms, stddevMs: ms, minMs: ms.default(0) }).strict(),
]);

/** A latency distribution: fixed, uniform in `[minMs, maxMs)`, or normal clipped below at `minMs`. */
export type Latency = z.input<typeof latencySchema>;

/** The schema of a {@link LinkConfig}; every field has a default. */
export const linkConfigSchema = z
  .object({
    /** Transit time of a message. Default: 0 ms (delivered on the next timer tick). */
    latency: latencySchema.default({ kind: "fixed", ms: 0 }),
    /** Probability a message is lost. */
    loss: probability.default(0),
    /** Probability a message is delivered twice (the copy gets its own latency). */
    duplicate: probability.default(0),
    /**
     * Probability a message leaves the link's FIFO order: it is held back an extra `reorderDelay`,
     * so messages sent after it overtake it. Messages not picked keep FIFO order on their link.
     */
    reorder: probability.default(0),
    /** Extra delay of a reordered message. Default: uniform 1–10 ms. */
    reorderDelay: latencySchema.default({ kind: "uniform", minMs: 1, maxMs: 10 }),
  })
  .strict();

/** How a directed link behaves; omitted fields take defaults (see {@link linkConfigSchema}). */
export type LinkConfig = z.input<typeof linkConfigSchema>;

/** A validated link config with every field present. */
export type ResolvedLink = z.output<typeof linkConfigSchema>;
type ResolvedLatency = z.output<typeof latencySchema>;

/** One draw from a latency distribution. */
export function sampleLatency(random: Random, latency: ResolvedLatency): number {
  switch (latency.kind) {
    case "fixed":
      return latency.ms;
    case "uniform":
      return latency.maxMs === latency.minMs ? latency.minMs : random.uniform(latency.minMs, latency.maxMs);
    case "normal":
      return Math.max(latency.minMs, latency.stddevMs === 0 ? latency.meanMs : random.normal(latency.meanMs, latency.stddevMs));
  }
}

/** Whether the latency is a constant (no draw needed). */
export function isConstantLatency(latency: ResolvedLatency): boolean {
  return latency.kind === "fixed" || (latency.kind === "uniform" && latency.minMs === latency.maxMs);
}
