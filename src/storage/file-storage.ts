/**
 * {@link FileStorage}: Raft's durable state in a directory — an append-only write-ahead log of
 * checksummed records in size-bounded segments, plus a snapshot file.
 *
 * @module
 */
import { open, mkdir, truncate, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { freeze } from "immer";
import { CancelledError, ClosedError, ConflictError, ValidationError, errorMessage } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { StorageError, StorageFailedError } from "./errors.js";
import { encodeFrame } from "./frame.js";
import type { LogState } from "./log-state.js";
import { recover } from "./recovery.js";
import {
  fileStorageOptionsSchema,
  snapshotSchema,
  storageWriteSchema,
  type FileStorageOptions,
  type ResolvedFileStorageOptions,
  type WalRecord,
} from "./schemas.js";
import { lockDirectory } from "./lock.js";
import { listTempFiles, segmentName, syncDirectory, type SegmentInfo } from "./segments.js";
import { writeSnapshotFile } from "./snapshot-file.js";
import { SyncMarker } from "./sync-marker.js";
import type { HardState, PersistedState, RaftStorage, Snapshot, StorageWrite } from "./types.js";

/** Counters, for tests and benchmarks (group commit shows as `records` well above `syncs`). */
export interface FileStorageStats {
  /** fsync/fdatasync calls on WAL segments. */
  readonly syncs: number;
  /** WAL records written (one per non-empty `save`, one per snapshot). */
  readonly records: number;
  /** Bytes appended to the WAL. */
  readonly bytesWritten: number;
  /** Segment files now on disk. */
  readonly segments: number;
  /** Snapshot files written. */
  readonly snapshots: number;
}

/** One queued durable write; `frame` is `null` for a barrier that only waits for earlier writes. */
interface Job {
  readonly frame: Buffer | null;
  readonly maxIndex: number;
  /** The log's last index once this job is applied. */
  readonly lastIndex: number;
  readonly hardState?: HardState;
  /** Written to the snapshot file before `frame` is appended. */
  readonly snapshot?: Snapshot;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A {@link RaftStorage} on the local file system.
 *
 * Every `save` is one record `[length u32][crc32 u32][JSON payload]` appended to the current segment;
 * its promise resolves only after the data is fsynced. Saves issued while a sync is in flight are
 * batched into one write and one sync (group commit) and resolve in call order. `compact` writes the
 * snapshot durably (temp file, fsync, rename, fsync of the directory) and deletes segments it covers.
 *
 * Every segment starts with a header (its sequence number and the log index before it), and a small
 * sync marker file records how far the log is durable; it is updated beside the next write, so it
 * costs no latency and trails the log by at most one group commit. On open, damage past the marker
 * in the last segment is a torn write and is cut off; damage below it, a missing, duplicated or
 * reordered segment, or a snapshot the log contradicts throws `StorageCorruptionError`, leaving the
 * files untouched. Opening reads each byte once, whatever junk a crash left at the tail.
 *
 * @example
 * ```ts
 * const storage = await FileStorage.open("/var/lib/edgeflow/raft-1", { segmentBytes: 16 * 1024 * 1024 });
 * const { hardState, snapshot, entries } = await storage.load();
 * await storage.save({ hardState: { term: 2, vote: "n1", commit: 0 }, entries: [{ term: 2, index: 1, type: "normal", data: "x" }] });
 * await storage.close();
 * ```
 */
export class FileStorage implements RaftStorage {
  private readonly queue: Job[] = [];
  private inFlight: Job[] = [];
  private flushing = false;
  private failure: StorageFailedError | undefined;
  private closed = false;
  private durableHardState: HardState;
  private durableLastIndex: number;
  /** The sync marker's latest update, running beside the next WAL write; awaited before the one after. */
  private markerWrite: Promise<void> = Promise.resolve();
  private counters = { syncs: 0, records: 0, bytesWritten: 0, snapshots: 0 };

  private constructor(
    /** The storage directory. */
    readonly dir: string,
    private readonly options: ResolvedFileStorageOptions,
    private readonly state: LogState,
    private snapshot: Snapshot | null,
    private readonly segments: SegmentInfo[],
    private handle: FileHandle,
    private readonly marker: SyncMarker,
    private readonly unlock: () => Promise<void>,
  ) {
    this.durableHardState = state.hardState;
    this.durableLastIndex = state.lastIndex;
  }

  /**
   * Opens (creating if needed) the storage in `dir` and recovers it.
   *
   * @throws `ValidationError` for bad arguments; `StorageError` naming the path when the
   * directory cannot be created, read or locked (a file in the way, no permission, no descriptors);
   * `StorageCorruptionError` for damaged files; `ConflictError` when another live FileStorage holds
   * the directory; `CancelledError` when `control.signal` is aborted before recovery starts.
   */
  static async open(dir: string, options: FileStorageOptions = {}, control: { readonly signal?: AbortSignal } = {}): Promise<FileStorage> {
    if (typeof dir !== "string" || dir === "") throw ValidationError.of("dir", "must be a non-empty path");
    if (dir.includes("\0")) throw ValidationError.of("dir", "must not contain a NUL character");
    const resolved = parseWith(fileStorageOptionsSchema, options, "options");
    const signal = control.signal;
    const checkAborted = (): void => {
      if (signal?.aborted === true) throw new CancelledError(`opening storage in ${dir} was cancelled`, { cause: signal.reason });
    };
    checkAborted();
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw StorageError.wrap(error, dir, "create the storage directory");
    }
    let unlock: () => Promise<void>;
    try {
      unlock = await lockDirectory(dir);
    } catch (error) {
      throw StorageError.wrap(error, dir, "lock the storage directory");
    }
    try {
      // Recovery reads the whole log: the last point where giving up changes nothing on disk.
      checkAborted();
      return await FileStorage.recoverAndOpen(dir, resolved, unlock);
    } catch (error) {
      await unlock().catch(() => undefined);
      throw StorageError.wrap(error, dir, "open the write-ahead log in");
    }
  }

  private static async recoverAndOpen(dir: string, resolved: ResolvedFileStorageOptions, unlock: () => Promise<void>): Promise<FileStorage> {
    const recovered = await recover(dir, resolved.maxRecordBytes);
    // Only now, with everything verified, may the disk change.
    let dirty = false;
    if (recovered.torn !== undefined) {
      await truncate(recovered.torn.path, recovered.torn.validLength);
      const torn = await open(recovered.torn.path, "r+");
      try {
        await torn.sync();
      } finally {
        await torn.close();
      }
    }
    for (const temp of await listTempFiles(dir)) {
      await unlink(temp);
      dirty = true;
    }
    const segments = recovered.segments;
    // A new directory gets its marker before its first segment, so a segment never exists without one.
    const initial = { seq: recovered.marker?.position.seq ?? 1, length: 0 };
    const marker = await SyncMarker.open(dir, initial, recovered.marker?.counter ?? null, resolved.sync);
    try {
      if (recovered.marker === null) dirty = true;
      if (segments.length === 0) {
        const path = join(dir, segmentName(initial.seq));
        await (await open(path, "wx")).close();
        segments.push({ seq: initial.seq, path, size: 0, maxIndex: 0 });
        dirty = true;
      }
      if (dirty) await syncDirectory(dir);
      const active = segments[segments.length - 1] as SegmentInfo;
      const handle = await open(active.path, "r+");
      for (const entry of recovered.state.entries) freeze(entry, true);
      freeze(recovered.state.hardState, true);
      freeze(recovered.state.snapshot, true);
      const storage = new FileStorage(dir, resolved, recovered.state, recovered.snapshot === null ? null : freeze(recovered.snapshot, true), segments, handle, marker, unlock);
      const reconciliation = recovered.reconciliation;
      if (reconciliation !== undefined) {
        // What recovery reconciled must be what the next recovery replays, whatever is appended later.
        try {
          await storage.enqueue(encodeFrame(Buffer.from(JSON.stringify(reconciliation), "utf8")), 0, reconciliation.h, undefined);
        } catch (error) {
          // The caller releases the lock; only the files are closed here.
          storage.closed = true;
          await storage.handle.close().catch(() => undefined);
          await storage.marker.close().catch(() => undefined);
          throw error;
        }
      }
      return storage;
    } catch (error) {
      await marker.close();
      throw error;
    }
  }

  /** The stored state as of this call, returned once every save issued before it is durable. */
  async load(): Promise<PersistedState> {
    const captured: PersistedState = Object.freeze({
      hardState: this.state.hardState,
      snapshot: this.snapshot,
      entries: Object.freeze(this.state.entries.slice()),
    });
    await this.barrier();
    return captured;
  }

  /** Appends `write` as one record; resolves once it is fsynced. See {@link RaftStorage.save}. */
  save(write: StorageWrite): Promise<void> {
    try {
      this.assertUsable();
      const parsed = freeze(parseWith(storageWriteSchema, write, "write"), true);
      const record: { -readonly [K in keyof WalRecord]: WalRecord[K] } = {};
      const state = this.state;
      let snapshotIndex = state.snapshot.index;
      let lastIndex = state.lastIndex;
      if (parsed.snapshot !== undefined) {
        const metadata = parsed.snapshot.metadata;
        if (metadata.index <= state.snapshot.index) {
          throw new ConflictError(`snapshot at index ${metadata.index} is not newer than the stored one at ${state.snapshot.index}`);
        }
        const keep = state.matches(metadata);
        record.s = { m: metadata, k: keep };
        snapshotIndex = metadata.index;
        lastIndex = keep ? state.lastIndex : metadata.index;
      }
      const entries = parsed.entries ?? [];
      const first = entries[0];
      if (first !== undefined) {
        if (first.index <= snapshotIndex) throw ValidationError.of("write.entries[0].index", `must be above the snapshot index ${snapshotIndex}, got ${first.index}`);
        if (first.index > lastIndex + 1) throw ValidationError.of("write.entries[0].index", `would leave a gap: the last stored index is ${lastIndex}, got ${first.index}`);
        record.e = entries;
      }
      if (parsed.hardState !== undefined) record.h = parsed.hardState;
      // A snapshot holds committed entries only: the commit index cannot be below it.
      const hardState = record.h ?? state.hardState;
      if (hardState.commit < snapshotIndex) record.h = freeze({ ...hardState, commit: snapshotIndex });
      if (record.s === undefined && record.e === undefined && record.h === undefined) return this.barrier();
      const payload = Buffer.from(JSON.stringify(record), "utf8");
      if (payload.length > this.options.maxRecordBytes) {
        throw ValidationError.of("write", `encodes to ${payload.length} bytes, above maxRecordBytes ${this.options.maxRecordBytes}`);
      }
      // Validated in full: now apply to the logical state, in the same order replay will.
      if (record.s !== undefined) state.applySnapshot(record.s.m, record.s.k);
      if (record.e !== undefined) state.append(record.e);
      if (record.h !== undefined) state.hardState = record.h;
      if (parsed.snapshot !== undefined) this.snapshot = parsed.snapshot;
      const last = entries[entries.length - 1];
      return this.enqueue(encodeFrame(payload), last?.index ?? 0, record.h, parsed.snapshot);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Makes `snapshot` the stored snapshot and discards the log through its index; segments it wholly
   * covers are deleted. A snapshot no newer than the stored one changes nothing.
   */
  compact(snapshot: Snapshot): Promise<void> {
    try {
      this.assertUsable();
      const parsed = freeze(parseWith(snapshotSchema, snapshot, "snapshot"), true);
      const metadata = parsed.metadata;
      const state = this.state;
      // Like MemoryStorage: a snapshot no newer than the stored one changes nothing.
      if (metadata.index <= state.snapshot.index) return this.barrier();
      if (metadata.index > state.lastIndex) throw ValidationError.of("snapshot.metadata.index", `is beyond the last stored index ${state.lastIndex}`);
      if (state.termAt(metadata.index) !== metadata.term) {
        throw ValidationError.of("snapshot.metadata.term", `is ${metadata.term} but the entry at index ${metadata.index} has term ${String(state.termAt(metadata.index))}`);
      }
      // A snapshot holds committed entries only: the commit index is at least its index, live and after recovery.
      const hardState = state.hardState.commit < metadata.index ? freeze({ ...state.hardState, commit: metadata.index }) : undefined;
      const record: WalRecord = hardState === undefined ? { s: { m: metadata, k: true } } : { s: { m: metadata, k: true }, h: hardState };
      state.applySnapshot(metadata, true);
      if (hardState !== undefined) state.hardState = hardState;
      this.snapshot = parsed;
      return this.enqueue(encodeFrame(Buffer.from(JSON.stringify(record), "utf8")), 0, hardState, parsed);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Waits for queued writes and releases the file handle. Later calls throw `ClosedError`. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      // After a failure there is nothing left to flush: just release the handle.
      if (this.failure === undefined) await this.barrier();
    } finally {
      this.closed = true;
      try {
        await this.markerWrite.catch(() => undefined);
        await this.handle.close();
        await this.marker.close();
      } finally {
        await this.unlock();
      }
    }
  }

  /** Same as {@link FileStorage.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Counters since open. */
  stats(): FileStorageStats {
    return { ...this.counters, segments: this.segments.length };
  }

  private assertUsable(): void {
    if (this.closed) throw new ClosedError("FileStorage");
    if (this.failure !== undefined) throw this.failure;
  }

  /** Resolves when everything queued before it is durable. */
  private barrier(): Promise<void> {
    try {
      this.assertUsable();
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.queue.length === 0 && this.inFlight.length === 0) return Promise.resolve();
    return this.enqueue(null, 0, undefined, undefined);
  }

  private enqueue(frame: Buffer | null, maxIndex: number, hardState: HardState | undefined, snapshot: Snapshot | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const job: Job = { frame, maxIndex, lastIndex: this.state.lastIndex, resolve, reject, ...(hardState === undefined ? {} : { hardState }), ...(snapshot === undefined ? {} : { snapshot }) };
      this.queue.push(job);
      if (!this.flushing) {
        this.flushing = true;
        // Deferred by a microtask so a synchronous burst of saves lands in the first batch.
        queueMicrotask(() => void this.flushLoop());
      }
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0] as Job;
        if (head.snapshot !== undefined) {
          this.inFlight = this.queue.splice(0, 1);
          await writeSnapshotFile(this.dir, head.snapshot, this.options.sync);
          this.counters.snapshots++;
          await this.append(this.inFlight);
          await this.deleteCoveredSegments(head.snapshot.metadata.index);
        } else {
          const end = this.queue.findIndex((job) => job.snapshot !== undefined);
          this.inFlight = this.queue.splice(0, end === -1 ? this.queue.length : end);
          await this.append(this.inFlight);
        }
        const done = this.inFlight;
        this.inFlight = [];
        for (const job of done) job.resolve();
      }
    } catch (error) {
      // After a failed write or fsync nothing in memory can be trusted to match the disk.
      this.failure = new StorageFailedError(`write-ahead log write failed: ${errorMessage(error)}`, { cause: error });
      const failed = [...this.inFlight, ...this.queue.splice(0)];
      this.inFlight = [];
      for (const job of failed) job.reject(this.failure);
    } finally {
      this.flushing = false;
    }
  }

  /** One write and one sync for the frames of `jobs`, rolling to a new segment first if the active one is full. */
  private async append(jobs: readonly Job[]): Promise<void> {
    const frames: Buffer[] = [];
    for (const job of jobs) if (job.frame !== null) frames.push(job.frame);
    if (frames.length === 0) return;
    let active = this.segments[this.segments.length - 1] as SegmentInfo;
    if (active.size >= this.options.segmentBytes) active = await this.roll(active);
    // Every segment starts with its header, which also restates the hard state so older segments can
    // be deleted after a snapshot. Checked on emptiness, not on rolling: a crash can tear a fresh
    // segment's first write.
    if (active.size === 0) {
      const header: WalRecord = { g: { q: active.seq, i: this.durableLastIndex }, h: this.durableHardState };
      frames.unshift(encodeFrame(Buffer.from(JSON.stringify(header), "utf8")));
    }
    const buffer = frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames);
    let written = 0;
    while (written < buffer.length) {
      const { bytesWritten } = await this.handle.write(buffer, written, buffer.length - written, active.size + written);
      written += bytesWritten;
    }
    if (this.options.sync === "fsync") await this.handle.sync();
    else await this.handle.datasync();
    this.counters.syncs++;
    this.counters.records += frames.length;
    this.counters.bytesWritten += buffer.length;
    active.size += buffer.length;
    for (const job of jobs) {
      active.maxIndex = Math.max(active.maxIndex, job.maxIndex);
      this.durableLastIndex = job.lastIndex;
      if (job.hardState !== undefined) this.durableHardState = job.hardState;
    }
    // The previous marker update ran beside this write; a failed one fails this batch too.
    await this.markerWrite;
    const position = { seq: active.seq, length: active.size };
    this.markerWrite = this.marker.record(position);
    // Observed by the next batch, a covering deletion or close; never left unhandled meanwhile.
    this.markerWrite.catch(() => undefined);
  }

  private async roll(sealed: SegmentInfo): Promise<SegmentInfo> {
    const seq = sealed.seq + 1;
    const path = join(this.dir, segmentName(seq));
    const handle = await open(path, "wx+");
    await syncDirectory(this.dir);
    await this.handle.close();
    this.handle = handle;
    const segment: SegmentInfo = { seq, path, size: 0, maxIndex: 0 };
    this.segments.push(segment);
    return segment;
  }

  /** Deletes the oldest sealed segments while every entry they hold is covered by the snapshot. */
  private async deleteCoveredSegments(snapshotIndex: number): Promise<void> {
    // The marker must have moved past a segment before that segment may go.
    await this.markerWrite;
    let deleted = false;
    while (this.segments.length > 1 && (this.segments[0] as SegmentInfo).maxIndex <= snapshotIndex) {
      await unlink((this.segments[0] as SegmentInfo).path);
      this.segments.shift();
      deleted = true;
    }
    if (deleted) await syncDirectory(this.dir);
  }
}
