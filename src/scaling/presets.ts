/**
 * Presets: one word that sets how eagerly the scaler buys capacity ahead of demand.
 *
 * - `aggressive`: sizes on the forecast's upper bound with a 25 % buffer, acts on forecasts down to
 *   confidence 0.3, keeps capacity a minute after load falls, approves larger steps automatically.
 * - `balanced`: upper bound, 10 % buffer, confidence 0.5.
 * - `conservative`: sizes on the forecast mean without buffer, acts only above confidence 0.7, asks
 *   for approval of any change over 3 instances.
 *
 * @module
 */
import type { ScalingPreset } from "./schemas.js";

/** What a preset sets. */
export interface PresetSettings {
  readonly buffer: number;
  readonly bound: "mean" | "upper";
  readonly level: number;
  readonly confidenceThreshold: number;
  /** Changes larger than this need approval. */
  readonly approvalStep: number;
  /** KPA: share of the per-instance target aimed at. */
  readonly targetUtilization: number;
  /** KPA: scale-down delay, ms. */
  readonly scaleDownDelayMs: number;
}

/** The presets. */
export const SCALING_PRESETS: Readonly<Record<ScalingPreset, PresetSettings>> = Object.freeze({
  aggressive: { buffer: 0.25, bound: "upper", level: 0.9, confidenceThreshold: 0.3, approvalStep: 50, targetUtilization: 0.6, scaleDownDelayMs: 60_000 },
  balanced: { buffer: 0.1, bound: "upper", level: 0.8, confidenceThreshold: 0.5, approvalStep: 10, targetUtilization: 0.7, scaleDownDelayMs: 0 },
  conservative: { buffer: 0, bound: "mean", level: 0.8, confidenceThreshold: 0.7, approvalStep: 3, targetUtilization: 0.8, scaleDownDelayMs: 0 },
});
