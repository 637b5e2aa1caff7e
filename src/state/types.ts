/**
 * Value and record types of edge state objects, with their zod schemas.
 *
 * @module
 */
import { z } from "zod";

/** A JSON value: what a state object stores under a key. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Schema of {@link JsonValue}. */
export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number().finite(), z.boolean(), z.null(), z.array(jsonValueSchema), z.record(z.string(), jsonValueSchema)]),
);

/** Metadata of a state object. */
export interface StateMetadata {
  /** When the object was first created, on the clock. */
  readonly created: number;
  /** When its data last changed. */
  readonly lastModified: number;
  /** Reads and writes served since creation (persisted with each write). */
  readonly accessCount: number;
  /** Bumped by every change of data; 0 for a new object. */
  readonly version: number;
}

/** Schema of {@link StateMetadata}. */
export const stateMetadataSchema = z.object({
  created: z.number(),
  lastModified: z.number(),
  accessCount: z.number().int(),
  version: z.number().int(),
});

/** What a {@link StateStore} keeps per object. */
export interface StoredState {
  readonly data: Readonly<Record<string, JsonValue>>;
  readonly metadata: StateMetadata;
}

/** The object's lock, when held. */
export interface StateLock {
  readonly owner: string;
  readonly expiresAt: number;
}
