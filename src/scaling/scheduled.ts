/**
 * {@link ScheduledScaler}: capacity floors on a cron-like calendar ("9:00 on weekdays, 40 instances
 * for 8 hours"). Cron expressions have five fields — minute, hour, day of month, month, day of week
 * (0 = Sunday) — each `*`, a number, a range `a-b`, a list `a,b`, or a step `*\/n` / `a-b/n`, read in
 * UTC shifted by `utcOffsetMinutes`.
 *
 * @module
 */
import { z } from "zod";
import { ValidationError, type ValidationIssue } from "../core/errors.js";
import { parseWith } from "../core/validation.js";

/** Schema of one schedule. */
export const capacityScheduleSchema = z.object({
  name: z.string().min(1),
  cron: z.string().min(9),
  /** How long the floor holds after each start. */
  durationMs: z.number().int().positive().max(7 * 86_400_000),
  minInstances: z.number().int().min(0),
  /** Optional ceiling while active. */
  maxInstances: z.number().int().min(0).optional(),
  utcOffsetMinutes: z.number().int().min(-840).max(840).default(0),
});
/** What a caller may pass as a schedule. */
export type CapacityScheduleInput = z.input<typeof capacityScheduleSchema>;

const FIELDS: readonly { name: string; min: number; max: number }[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 6 },
];

/** Parses one cron field into the set of values it allows. */
function parseField(text: string, field: { name: string; min: number; max: number }): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    let lo: number;
    let hi: number;
    if (range === "*") [lo, hi] = [field.min, field.max];
    else if (range.includes("-")) [lo, hi] = range.split("-").map(Number) as [number, number];
    else [lo, hi] = [Number(range), stepText === undefined ? Number(range) : field.max];
    if (![lo, hi, step].every(Number.isInteger) || step < 1 || lo < field.min || hi > field.max || lo > hi) {
      throw new Error(`bad ${field.name} "${part}" (allowed ${field.min}-${field.max})`);
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

interface CompiledSchedule {
  readonly name: string;
  readonly fields: readonly Set<number>[];
  readonly durationMs: number;
  readonly minInstances: number;
  readonly maxInstances: number | undefined;
  readonly offsetMs: number;
}

/** The floor (and ceiling) schedules impose at a time. */
export interface ScheduledBounds {
  readonly minInstances: number;
  readonly maxInstances: number | undefined;
  /** Names of the schedules in force. */
  readonly active: readonly string[];
}

/**
 * @example
 * ```ts
 * const scheduled = new ScheduledScaler([{ name: "office hours", cron: "0 9 * * 1-5", durationMs: 8 * 3_600_000, minInstances: 40 }]);
 * scheduled.boundsAt(clock.now()).minInstances; // 40 on weekdays 9:00-17:00 UTC, else 0
 * ```
 */
export class ScheduledScaler {
  private readonly schedules: CompiledSchedule[];

  constructor(schedules: readonly CapacityScheduleInput[]) {
    const parsed = parseWith(z.array(capacityScheduleSchema), schedules, "schedules");
    const issues: ValidationIssue[] = [];
    this.schedules = [];
    parsed.forEach((s, i) => {
      const parts = s.cron.trim().split(/\s+/);
      if (parts.length !== 5) {
        issues.push({ path: `schedules[${i}].cron`, message: `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}` });
        return;
      }
      try {
        const fields = parts.map((p, k) => parseField(p, FIELDS[k] ?? { name: "?", min: 0, max: 0 }));
        this.schedules.push({ name: s.name, fields, durationMs: s.durationMs, minInstances: s.minInstances, maxInstances: s.maxInstances, offsetMs: s.utcOffsetMinutes * 60_000 });
      } catch (error) {
        issues.push({ path: `schedules[${i}].cron`, message: error instanceof Error ? error.message : String(error) });
      }
    });
    if (issues.length > 0) throw new ValidationError(issues);
  }

  /** Whether the cron of `schedule` fires at the minute starting at `minuteStart` (ms, UTC). */
  private fires(schedule: CompiledSchedule, minuteStart: number): boolean {
    const d = new Date(minuteStart + schedule.offsetMs);
    const values = [d.getUTCMinutes(), d.getUTCHours(), d.getUTCDate(), d.getUTCMonth() + 1, d.getUTCDay()];
    return values.every((v, k) => schedule.fields[k]?.has(v) ?? false);
  }

  /** Bounds in force at `time`: the highest floor and the lowest ceiling of the active schedules. */
  boundsAt(time: number): ScheduledBounds {
    if (!Number.isFinite(time)) throw ValidationError.of("time", "time must be finite");
    let min = 0;
    let max: number | undefined;
    const active: string[] = [];
    for (const s of this.schedules) {
      const latest = Math.floor(time / 60_000) * 60_000;
      for (let m = latest; m > time - s.durationMs; m -= 60_000) {
        if (!this.fires(s, m)) continue;
        active.push(s.name);
        min = Math.max(min, s.minInstances);
        if (s.maxInstances !== undefined) max = max === undefined ? s.maxInstances : Math.min(max, s.maxInstances);
        break;
      }
    }
    return { minInstances: min, maxInstances: max, active };
  }
}
