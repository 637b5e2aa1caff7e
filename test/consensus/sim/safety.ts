/** Raft's safety properties, checked as a simulation runs (Raft paper, figure 3). */
import type { RaftNode } from "../../../src/consensus/index.js";
import type { LogEntry } from "../../../src/storage/types.js";

export class SafetyMonitor {
  private readonly leaders = new Map<number, string>();
  /**
   * Per applied index: the entry, and the lowest term any member was in when it applied it. An entry is
   * committed no later than that term, which is all leader completeness may rely on.
   */
  private readonly applied = new Map<number, { term: number; data: string; committedBy: number }>();
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

  /**
   * Election safety: at most one leader per term. Leader completeness (§5.4): the leader of `term` holds
   * every entry committed in an earlier term. Only entries known to be committed before `term` count:
   * an entry applied later (committed by a leader of a later term) need not be in this leader's log.
   */
  leaderElected(node: RaftNode, term: number): void {
    const previous = this.leaders.get(term);
    if (previous !== undefined && previous !== node.id) this.fail(`election safety: ${previous} and ${node.id} both led term ${term}`);
    this.leaders.set(term, node.id);
    const status = node.status();
    // The highest entry committed before `term`; log matching covers everything below it.
    for (let index = this.maxApplied; index >= Math.max(1, status.firstIndex - 1); index--) {
      const known = this.applied.get(index);
      if (known === undefined || known.committedBy >= term) continue;
      const t = node.termAt(index);
      if (t !== known.term) this.fail(`leader completeness: ${node.id} leads term ${term} without entry ${index} committed by term ${known.committedBy} (term ${String(t)} vs ${known.term})`);
      return;
    }
  }

  /**
   * State machine safety: every member applies the same entry at an index; applies are in order.
   * `memberTerm` is the applying member's current term (the entry was committed in it or before).
   */
  entryApplied(nodeId: string, entry: LogEntry, memberTerm: number): void {
    const last = this.lastApplied.get(nodeId) ?? 0;
    if (entry.index !== last + 1) this.fail(`${nodeId} applied ${entry.index} after ${last}`);
    this.lastApplied.set(nodeId, entry.index);
    const known = this.applied.get(entry.index);
    if (known === undefined) {
      this.applied.set(entry.index, { term: entry.term, data: entry.data, committedBy: memberTerm });
      if (entry.index > this.maxApplied) this.maxApplied = entry.index;
    } else if (known.term !== entry.term || known.data !== entry.data) {
      this.fail(`state machine safety: ${nodeId} applied ${entry.term}/${entry.data} at ${entry.index}, another applied ${known.term}/${known.data}`);
    } else if (memberTerm < known.committedBy) {
      this.applied.set(entry.index, { ...known, committedBy: memberTerm });
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
