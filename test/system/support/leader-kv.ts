import { NotLeaderError, type ReplicatedKV, type VersionedLeaseKV } from "../../../src/index.js";

/**
 * The control plane as one key-value store for leases: every call goes to the member leading now.
 * With no leader (an election, a partition) it fails with {@link NotLeaderError}, which the
 * workflow's retry policy waits out.
 */
export class LeaderKV implements VersionedLeaseKV {
  constructor(private readonly members: readonly ReplicatedKV[]) {}

  get(key: string): Promise<string | null> {
    return this.leader().get(key);
  }

  compareAndSet(key: string, expected: string | null, value: string | null): Promise<boolean> {
    return this.leader().compareAndSet(key, expected, value);
  }

  read(key: string): Promise<{ value: string | null; revision: number }> {
    return this.leader().read(key);
  }

  compareAndSwap(key: string, expected: string | null, value: string | null): Promise<{ ok: boolean; previous: string | null; revision: number }> {
    return this.leader().compareAndSwap(key, expected, value);
  }

  keys(prefix: string): Promise<string[]> {
    return this.leader().keys(prefix);
  }

  private leader(): ReplicatedKV {
    const leader = this.members.find((kv) => kv.host.isLeader());
    if (leader === undefined) throw new NotLeaderError(null, "no control-plane member leads just now");
    return leader;
  }
}
