/**
 * {@link FileStorage}: Raft's durable state in a directory — an append-only write-ahead log of
 * checksummed records in size-bounded segments, plus a snapshot file.
 *
 * @module
 */
import { open, mkdir, truncate, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { freeze } from "immer";
import { ClosedError, ConflictError, ValidationError, errorMessage } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { StorageFailedError } from "./errors.js";
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
 * On open, a torn final record is cut off; any other damage throws `StorageCorruptionError`, leaving
 * the files untouched.
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
  private counters = { syncs: 0, records: 0, bytesWritten: 0, snapshots: 0 };

  private constructor(
    /** The storage directory. */
    readonly dir: string,
    private readonly options: ResolvedFileStorageOptions,
    private readonly state: LogState,
    private snapshot: Snapshot | null,
    private readonly segments: SegmentInfo[],
    private handle: FileHandle,
    private readonly unlock: () => Promise<void>,
  ) {
    this.durableHardState = state.hardState;
  }

  /**
   * Opens (creating if needed) the storage in `dir` and recovers it.
   *
   * @throws `ValidationError` for bad options; `StorageCorruptionError` for damaged files;
   * `ConflictError` when another live FileStorage holds the directory.
   */
  static async open(dir: string, options: FileStorageOptions = {}): Promise<FileStorage> {
    if (typeof dir !== "string" || dir === "") throw ValidationError.of("dir", "must be a non-empty path");
    const resolved = parseWith(fileStorageOptionsSchema, options, "options");
    await mkdir(dir, { recursive: true });
    const unlock = await lockDirectory(dir);
    try {
      return await FileStorage.recoverAndOpen(dir, resolved, unlock);
    } catch (error) {
      await unlock();
      throw error;
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
    if (segments.length === 0) {
      const path = join(dir, segmentName(1));
      await (await open(path, "wx")).close();
      segments.push({ seq: 1, path, size: 0, maxIndex: 0 });
      dirty = true;
    }
    if (dirty) await syncDirectory(dir);
    const active = segments[segments.length - 1] as SegmentInfo;
    const handle = await open(active.path, "r+");
    for (const entry of recovered.state.entries) freeze(entry, true);
    freeze(recovered.state.hardState, true);
    freeze(recovered.state.snapshot, true);
    return new FileStorage(dir, resolved, recovered.state, recovered.snapshot === null ? null : freeze(recovered.snapshot, true), segments, handle, unlock);
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
      // An installed snapshot holds committed entries only: the commit index cannot be below it.
      const installed = parsed.snapshot?.metadata.index ?? 0;
      const hardState = record.h ?? state.hardState;
      if (hardState.commit < installed) record.h = freeze({ ...hardState, commit: installed });
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
      const record: WalRecord = { s: { m: metadata, k: true } };
      state.applySnapshot(metadata, true);
      this.snapshot = parsed;
      return this.enqueue(encodeFrame(Buffer.from(JSON.stringify(record), "utf8")), 0, undefined, parsed);
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
        await this.handle.close();
      } finally {
        await this.unlock();
      }
    }
  }

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
      const job: Job = { frame, maxIndex, resolve, reject, ...(hardState === undefined ? {} : { hardState }), ...(snapshot === undefined ? {} : { snapshot }) };
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
    // Every segment after the first starts by restating the hard state, so older segments can be
    // deleted after a snapshot. Checked on emptiness, not on rolling: a crash can tear a fresh
    // segment's first write.
    if (active.size === 0 && active.seq > 1) frames.unshift(encodeFrame(Buffer.from(JSON.stringify({ h: this.durableHardState } satisfies WalRecord), "utf8")));
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
      if (job.hardState !== undefined) this.durableHardState = job.hardState;
    }
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
    let deleted = false;
    while (this.segments.length > 1 && (this.segments[0] as SegmentInfo).maxIndex <= snapshotIndex) {
      await unlink((this.segments[0] as SegmentInfo).path);
      this.segments.shift();
      deleted = true;
    }
    if (deleted) await syncDirectory(this.dir);
  }
}
