/**
 * Splits one `Ready`'s storage write into writes that each fit the storage's record limit. Entries
 * each fit a record (the proposal door guarantees it); many proposals batched in one `Ready` may not.
 *
 * @module
 */
import type { LogEntry, StorageWrite } from "../storage/types.js";
import { entryBytes } from "./sizes.js";

/**
 * Cuts `write` into consecutive writes whose entries total at most `budget` bytes each (an entry
 * larger than the budget still goes, alone). The hard state's term and vote go in the first write,
 * so nothing is said before they are durable; its commit index is held back to the entries already
 * written until the last write, so a crash between writes never leaves a commit beyond the log.
 */
export function splitWrite(write: StorageWrite, budget: number): StorageWrite[] {
  const entries = write.entries ?? [];
  let total = 0;
  for (const e of entries) total += entryBytes(e);
  if (total <= budget) return [write];
  const chunks: LogEntry[][] = [];
  let chunk: LogEntry[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = entryBytes(e);
    if (chunk.length > 0 && bytes + size > budget) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(e);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks.map((part, i): StorageWrite => {
    const last = i === chunks.length - 1;
    const lastIndex = (part[part.length - 1] as LogEntry).index;
    const hs = write.hardState;
    return {
      entries: part,
      ...(i === 0 && write.snapshot !== undefined ? { snapshot: write.snapshot } : {}),
      ...(hs === undefined ? {} : last ? { hardState: hs } : { hardState: { ...hs, commit: Math.min(hs.commit, lastIndex) } }),
    };
  });
}
