/**
 * The forward phases of a migration, per strategy. Each function does one phase's work for the current
 * wave and sends the event that moves on. Work is resumable: per-workload progress (stage, scan cursor,
 * round) is in the persisted state and every adapter step is idempotent, so a phase entered again after
 * a pause or a crash continues where its last checkpoint left off.
 *
 * @module
 */
import type { StateEntry } from "./adapter.js";
import { ChecksumMismatchError, SourceUnavailableError, ValidationFailedError } from "./errors.js";
import { shouldStopAndCopy } from "./precopy.js";
import type { MigrationRun } from "./run.js";
import type { MigrationStrategy } from "./types.js";

const PRECOPY: ReadonlySet<MigrationStrategy> = new Set<MigrationStrategy>(["live", "staged", "incremental"]);

/** Workloads of the current wave (every workload except for `staged`). */
export function waveWorkloads(run: MigrationRun): string[] {
  const ids = run.state.plan.request.workloads.map((w) => w.id);
  if (run.state.plan.request.strategy !== "staged") return ids;
  const size = run.options.waveSize;
  return ids.slice(run.state.wave * size, (run.state.wave + 1) * size);
}

function waveCount(run: MigrationRun): number {
  const n = run.state.plan.request.workloads.length;
  return run.state.plan.request.strategy === "staged" ? Math.ceil(n / run.options.waveSize) : 1;
}

/** Performs the current phase and moves the machine on. */
export async function runPhase(run: MigrationRun): Promise<void> {
  switch (run.machine.phase) {
    case "planning":
      return planning(run);
    case "pre_sync":
      return preSync(run);
    case "sync":
      return sync(run);
    case "cutover":
      return cutover(run);
    case "validation":
      return validation(run);
    case "cleanup":
      return cleanup(run);
    default:
      throw new Error(`phase "${run.machine.phase}" is not a forward phase`);
  }
}

async function planning(run: MigrationRun): Promise<void> {
  await run.acquireLocks();
  if (run.state.plan.request.strategy === "emergency") {
    const sourceUp = await run.call("healthy", () => run.deps.adapter.healthy(run.source));
    let lossWindow = 0;
    for (const workloadId of waveWorkloads(run)) {
      if (sourceUp) continue;
      const replicas = await run.call("replicas", () => run.deps.adapter.replicas(workloadId));
      const freshest = replicas.find((r) => r.edgeId !== run.source);
      if (freshest === undefined) throw new SourceUnavailableError(`source "${run.source}" is down and workload "${workloadId}" has no replica`);
      run.setProgress(workloadId, { copyFrom: freshest.edgeId });
      lossWindow = Math.max(lossWindow, run.now() - freshest.asOf);
    }
    run.state.dataLossWindowMs = lossWindow;
  }
  await run.transition("NEXT");
}

async function preSync(run: MigrationRun): Promise<void> {
  const strategy = run.state.plan.request.strategy;
  for (const workloadId of waveWorkloads(run)) {
    const p = run.progressOf(workloadId);
    const source = run.ref(workloadId, run.source);
    if (PRECOPY.has(strategy)) {
      if (p.stage === "pending" || (p.stage === "copying" && !(await run.call("isTracking", () => run.deps.adapter.isTracking(source))))) {
        // Tracking starts before the scan: whatever the scan misses, a round catches.
        await run.call("trackChanges", () => run.deps.adapter.trackChanges(source));
        run.setProgress(workloadId, { stage: "copying", cursor: null });
      }
      if (run.progressOf(workloadId).stage === "copying") await scanCopy(run, workloadId, run.source);
    } else if (p.stage === "pending") {
      // bulk stops the workload for the whole copy; emergency copies from a source that is already down,
      // or stops it first when it still answers.
      await run.outageBegins();
      if (p.copyFrom === run.source) {
        await run.call("drain", () => run.deps.adapter.drain(source));
        await run.call("stop", () => run.deps.adapter.stop(source));
      }
      run.setProgress(workloadId, { stage: "copying", cursor: null });
    }
  }
  await run.transition("NEXT");
}

/** Copies a workload's whole state page by page from `from` to the target, resuming at the saved cursor. */
async function scanCopy(run: MigrationRun, workloadId: string, from: string): Promise<void> {
  const startedAt = run.now();
  let bytes = 0;
  for (;;) {
    run.checkPause();
    const p = run.progressOf(workloadId);
    const page = await run.call("snapshot", () => run.deps.adapter.snapshot(run.ref(workloadId, from), p.cursor, run.options.batchKeys));
    if (page.keys.length > 0) bytes += await run.copyKeys(workloadId, from, run.target, page.keys, false);
    run.setProgress(workloadId, { cursor: page.next, keysCopied: p.keysCopied + page.keys.length });
    if (page.next === null) break;
    await run.tick();
  }
  run.state.rounds = [...run.state.rounds, { workloadId, round: 1, keys: run.progressOf(workloadId).keysCopied, bytes, stopAndCopy: false, startedAt, endedAt: run.now() }];
  run.setProgress(workloadId, { stage: "syncing", round: 1 });
}

async function sync(run: MigrationRun): Promise<void> {
  const strategy = run.state.plan.request.strategy;
  if (!PRECOPY.has(strategy)) {
    for (const workloadId of waveWorkloads(run)) {
      const p = run.progressOf(workloadId);
      if (p.stage === "copying") await scanCopy(run, workloadId, p.copyFrom);
    }
    await run.transition("NEXT");
    return;
  }
  for (;;) {
    run.checkPause();
    const wave = waveWorkloads(run).filter((id) => run.progressOf(id).stage === "syncing");
    const pending = new Map<string, StateEntry[]>();
    let bytes = 0;
    for (const workloadId of wave) {
      const source = run.ref(workloadId, run.source);
      const keys = await run.call("changes", () => run.deps.adapter.changes(source));
      const entries = keys.length === 0 ? [] : await run.call("read", () => run.deps.adapter.read(source, keys));
      for (const e of entries) bytes += e.key.length + (e.value?.length ?? 0);
      pending.set(workloadId, entries);
    }
    const roundsDone = Math.min(...wave.map((id) => run.progressOf(id).round), Number.POSITIVE_INFINITY);
    if (strategy !== "incremental" && shouldStopAndCopy(bytes, roundsDone, run.options)) break;
    const startedAt = run.now();
    for (const [workloadId, entries] of pending) {
      let copied = 0;
      for (let i = 0; i < entries.length; i += run.options.batchKeys) {
        copied += await run.copyEntries(workloadId, run.source, run.target, entries.slice(i, i + run.options.batchKeys), true);
      }
      const round = run.progressOf(workloadId).round + 1;
      run.setProgress(workloadId, { round });
      run.state.rounds = [...run.state.rounds, { workloadId, round, keys: entries.length, bytes: copied, stopAndCopy: false, startedAt, endedAt: run.now() }];
    }
    await run.tick();
    if (strategy === "incremental") {
      if (run.state.cutoverRequested) break;
      await run.sleep(run.options.deltaIntervalMs);
    }
  }
  await run.transition("NEXT");
}

async function verify(run: MigrationRun, workloadId: string, from: string): Promise<void> {
  const expected = await run.call("checksum", () => run.deps.adapter.checksum(run.ref(workloadId, from)));
  const actual = await run.call("checksum", () => run.deps.adapter.checksum(run.ref(workloadId, run.target)));
  if (expected !== actual) throw new ChecksumMismatchError(`final checksum of workload "${workloadId}"`, expected, actual, run.id);
}

async function cutover(run: MigrationRun): Promise<void> {
  const wave = waveWorkloads(run);
  const precopy = PRECOPY.has(run.state.plan.request.strategy);
  await run.outageBegins();
  for (const workloadId of wave) {
    if (precopy && run.progressOf(workloadId).stage === "syncing") {
      await run.call("drain", () => run.deps.adapter.drain(run.ref(workloadId, run.source)));
    }
  }
  for (const workloadId of wave) {
    const p = run.progressOf(workloadId);
    if (p.stage !== "syncing") continue;
    if (precopy) {
      // Stop-and-copy: writes are paused, so what is still dirty is the last difference.
      const startedAt = run.now();
      const keys = await run.call("changes", () => run.deps.adapter.changes(run.ref(workloadId, run.source)));
      const bytes = await run.copyKeys(workloadId, run.source, run.target, keys, true);
      run.state.rounds = [...run.state.rounds, { workloadId, round: p.round + 1, keys: keys.length, bytes, stopAndCopy: true, startedAt, endedAt: run.now() }];
    }
    await verify(run, workloadId, p.copyFrom);
    run.setProgress(workloadId, { stage: "verified" });
    await run.checkpoint();
  }
  for (const workloadId of wave) {
    if (run.progressOf(workloadId).stage !== "verified") continue;
    const target = run.ref(workloadId, run.target);
    await run.call("start", () => run.deps.adapter.start(target));
    await run.fence(workloadId);
    await run.call("switchTraffic", () => run.deps.adapter.switchTraffic(workloadId, run.target));
    run.setProgress(workloadId, { stage: "switched" });
    await run.checkpoint();
  }
  run.outageEnds();
  await run.transition("NEXT");
}

async function validation(run: MigrationRun): Promise<void> {
  for (const workloadId of waveWorkloads(run)) {
    if (run.progressOf(workloadId).stage !== "switched") continue;
    const healthy = await run.call("healthy", () => run.deps.adapter.healthy(run.target));
    if (!healthy) throw new ValidationFailedError(workloadId, `target "${run.target}" is unhealthy`, run.id);
    const gate = run.deps.validate;
    if (gate !== undefined && !(await gate({ migrationId: run.id, workloadId, target: run.target }))) {
      throw new ValidationFailedError(workloadId, "the validation gate refused it", run.id);
    }
    run.setProgress(workloadId, { stage: "validated" });
  }
  if (run.state.wave + 1 < waveCount(run)) {
    run.state.wave += 1;
    await run.transition("NEXT_WAVE");
  } else {
    await run.transition("NEXT");
  }
}

async function cleanup(run: MigrationRun): Promise<void> {
  const sourceUp = await run.call("healthy", () => run.deps.adapter.healthy(run.source));
  for (const workloadId of run.state.plan.request.workloads.map((w) => w.id)) {
    if (run.progressOf(workloadId).stage !== "validated") continue;
    const source = run.ref(workloadId, run.source);
    if (sourceUp) {
      await run.fence(workloadId);
      await run.call("untrackChanges", () => run.deps.adapter.untrackChanges(source));
      await run.call("stop", () => run.deps.adapter.stop(source));
      await run.call("delete", () => run.deps.adapter.delete(source));
    } else {
      run.warn(`source "${run.source}" was down at cleanup: remove its copy of "${workloadId}" when it returns`);
    }
    run.setProgress(workloadId, { stage: "cleaned" });
    await run.checkpoint();
  }
  await run.releaseLocks();
  run.state.finishedAt = run.now();
  await run.transition("NEXT");
}
