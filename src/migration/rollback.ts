/**
 * Rollback: the source becomes authoritative again, traffic returns to it, the partial target is removed.
 * Every step is idempotent and each workload's completion is checkpointed, so a rollback interrupted
 * by a crash is continued by the next executor from where it stopped.
 *
 * @module
 */
import type { SnapshotPage } from "./adapter.js";
import type { MigrationRun } from "./run.js";

/** Copies the target's whole state back onto the source, deleting what the target no longer has. */
async function resyncBack(run: MigrationRun, workloadId: string): Promise<void> {
  for (const edge of [run.target, run.source]) {
    let cursor: string | null = null;
    do {
      run.throwIfAborted();
      const at: string | null = cursor;
      const page: SnapshotPage = await run.call("snapshot", () => run.deps.adapter.snapshot(run.ref(workloadId, edge), at, run.options.batchKeys));
      // Reading from the target yields `null` for keys it lacks, which deletes them on the source.
      if (page.keys.length > 0) await run.copyKeys(workloadId, run.target, run.source, page.keys, false);
      cursor = page.next;
    } while (cursor !== null);
  }
}

/** Rolls every workload back; throws (leaving the phase `rolling_back`) if a step keeps failing. */
export async function rollBack(run: MigrationRun): Promise<void> {
  const ids = run.state.plan.request.workloads.map((w) => w.id).reverse();
  await run.acquireLocks();
  const sourceUp = await run.call("healthy", () => run.deps.adapter.healthy(run.source));
  const targetUp = await run.call("healthy", () => run.deps.adapter.healthy(run.target));
  for (const workloadId of ids) {
    const p = run.progressOf(workloadId);
    if (p.rolledBack) continue;
    const source = run.ref(workloadId, run.source);
    const target = run.ref(workloadId, run.target);
    if (p.stage === "switched" || p.stage === "validated") {
      // Traffic is on the target, which holds writes the source never saw: pause it and copy them back.
      await run.outageBegins();
      if (targetUp && sourceUp) {
        await run.call("drain", () => run.deps.adapter.drain(target));
        await resyncBack(run, workloadId);
      } else if (sourceUp) {
        run.warn(`target "${run.target}" is down: writes "${workloadId}" took after cutover are lost`);
      }
      await run.fence(workloadId);
      await run.call("switchTraffic", () => run.deps.adapter.switchTraffic(workloadId, run.source));
    }
    if (sourceUp) {
      await run.call("start", () => run.deps.adapter.start(source));
      await run.call("undrain", () => run.deps.adapter.undrain(source));
      await run.call("untrackChanges", () => run.deps.adapter.untrackChanges(source));
    } else if (p.copyFrom === run.source) {
      run.warn(`source "${run.source}" is down: "${workloadId}" is not served until it returns`);
    }
    if (targetUp) {
      await run.fence(workloadId);
      await run.call("stop", () => run.deps.adapter.stop(target));
      await run.call("delete", () => run.deps.adapter.delete(target));
    } else {
      run.warn(`target "${run.target}" is down: remove its partial copy of "${workloadId}" when it returns`);
    }
    run.setProgress(workloadId, { rolledBack: true });
    await run.checkpoint();
  }
  run.outageEnds();
  await run.releaseLocks();
  run.state.finishedAt = run.now();
}
