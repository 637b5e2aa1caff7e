/** Raft's safety properties, checked as a simulation runs (Raft paper, figure 3). */
import type { RaftNode } from "../../../src/consensus/index.js";
import type { LogEntry } from "../../../src/storage/types.js";

export class SafetyMonitor {
  private readonly leaders = new Map<number, string>();
  private readonly applied = new Map<number, { term: number; data: string }>();
  private readonly lastApplied = new Map<string, number>();
  private readonly commits = new Map<string, number>();
  maxApplied = 0;

  /** Number of terms that had a leader (how much the nemesis stirred things). */
  get leaderTerms(): number {
    return this.leaders.size;
  }
  readonly violations: string[] = [];

  private fail(message: string): void {
    if (this.violations.length < 20) this.violations.push(message);
  }

  /** Election safety: at most one leader per term. Leader completeness: it holds every applied entry. */
  leaderElected(node: RaftNode, term: number): void {
    const previous = this.leaders.get(term);
    if (previous !== undefined && previous !== node.id) this.fail(`election safety: ${previous} and ${node.id} both led term ${term}`);
    this.leaders.set(term, node.id);
    const top = this.maxApplied;
    if (top === 0) return;
    const known = this.applied.get(top);
    const status = node.status();
    if (top < status.firstIndex - 1) return;
    const t = node.termAt(top);
    if (known !== undefined && t !== known.term) this.fail(`leader completeness: ${node.id} leads term ${term} without entry ${top} (term ${String(t)} vs ${known.term})`);
  }

  /** State machine safety: every member applies the same entry at an index; applies are in order. */
  entryApplied(nodeId: string, entry: LogEntry): void {
    const last = this.lastApplied.get(nodeId) ?? 0;
    if (entry.index !== last + 1) this.fail(`${nodeId} applied ${entry.index} after ${last}`);
    this.lastApplied.set(nodeId, entry.index);
    const known = this.applied.get(entry.index);
    if (known === undefined) {
      this.applied.set(entry.index, { term: entry.term, data: entry.data });
      if (entry.index > this.maxApplied) this.maxApplied = entry.index;
    } else if (known.term !== entry.term || known.data !== entry.data) {
      this.fail(`state machine safety: ${nodeId} applied ${entry.term}/${entry.data} at ${entry.index}, another applied ${known.term}/${known.data}`);
    }
  }

  /** A member restored a snapshot (or restarted): applying resumes after `index`. */
  appliedReset(nodeId: string, index: number): void {
    this.lastApplied.set(nodeId, index);
  }

  /** Monotonic commit: a member's durable commit index never goes back. */
  commitPersisted(nodeId: string, commit: number): void {
    const before = this.commits.get(nodeId) ?? 0;
    if (commit < before) this.fail(`monotonic commit: ${nodeId} persisted commit ${commit} after ${before}`);
    this.commits.set(nodeId, Math.max(before, commit));
  }

  /** Log matching: two logs with an entry of the same index and term are identical up to it. */
  checkLogMatching(nodes: readonly RaftNode[]): void {
    for (let a = 0; a < nodes.length; a++) {
      for (let b = a + 1; b < nodes.length; b++) {
        const x = nodes[a] as RaftNode;
        const y = nodes[b] as RaftNode;
        const sx = x.status();
        const sy = y.status();
        const lo = Math.max(sx.firstIndex, sy.firstIndex);
        let matched = false;
        for (let i = Math.min(sx.lastIndex, sy.lastIndex); i >= lo; i--) {
          const ex = x.entry(i);
          const ey = y.entry(i);
          if (ex === undefined || ey === undefined) continue;
          if (!matched && ex.term === ey.term) matched = true;
          if (matched && (ex.term !== ey.term || ex.data !== ey.data)) {
            this.fail(`log matching: ${x.id} and ${y.id} differ at ${i} below a matching entry`);
            break;
          }
        }
      }
    }
  }
}
