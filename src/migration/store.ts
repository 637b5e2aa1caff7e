/**
 * Where the executor persists its state: every checkpoint is a save, and a restarted executor continues
 * from `load`. Implement {@link MigrationStateStore} over your database; {@link InMemoryMigrationStore}
 * keeps JSON copies in memory.
 *
 * @module
 */
import type { MigrationState } from "./types.js";

/**
 * Durable migration state. `save` must be atomic per record and durable when it resolves (the executor
 * acts on the assumption that what it saved survives its own crash).
 */
export interface MigrationStateStore {
  save(state: MigrationState): Promise<void>;
  load(migrationId: string): Promise<MigrationState | undefined>;
  /** Every stored migration, in id order. */
  list(): Promise<MigrationState[]>;
}

/** Stores JSON text, so what comes back has been through the same round trip as a real store. */
export class InMemoryMigrationStore implements MigrationStateStore {
  private readonly records = new Map<string, string>();

  async save(state: MigrationState): Promise<void> {
    this.records.set(state.id, JSON.stringify(state));
  }

  async load(migrationId: string): Promise<MigrationState | undefined> {
    const text = this.records.get(migrationId);
    return text === undefined ? undefined : (JSON.parse(text) as MigrationState);
  }

  async list(): Promise<MigrationState[]> {
    return [...this.records.keys()].sort().map((id) => JSON.parse(this.records.get(id) as string) as MigrationState);
  }
}
