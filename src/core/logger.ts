/**
 * The logger edgeflow writes to, in pino's calling convention: `logger.info(fields, message)`, or
 * `logger.info(message)` without fields. So a pino logger plugs in unchanged, fields kept; so does
 * `console` (it prints the fields object beside the message), and so does anything with the same
 * four methods. `child` is optional: without it, {@link childLogger} adds the fields itself.
 *
 * @example
 * ```ts
 * import pino from "pino";
 * const runtime = new LocalRuntime({ logger: pino() });            // pino: JSON lines with every field
 * const quiet = new LocalRuntime({ logger: console });             // console: works as is
 * const json = new LocalRuntime({ logger: createConsoleLogger("debug") });
 * ```
 *
 * @module
 */

/** Severity of a log record. */
export type LogLevel = "debug" | "info" | "warn" | "error";
/** Structured data attached to a log record. */
export type LogFields = Readonly<Record<string, unknown>>;

/** One log method: fields first, then the message (pino's order); or the message alone. */
export interface LogMethod {
  (fields: LogFields, message?: string): void;
  (message: string): void;
}

/** A structured logger: pino, `console`, or your own with these methods. */
export interface Logger {
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;
  /** A logger that adds `fields` to every record. Optional: see {@link childLogger}. */
  child?(fields: LogFields): Logger;
}

const levels: readonly LogLevel[] = ["debug", "info", "warn", "error"];
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * `logger` with `fields` added to every record: its own `child` when it has one (pino), otherwise a
 * wrapper that merges the fields into each call (console, minimal loggers).
 */
export function childLogger(logger: Logger, fields: LogFields): Logger {
  if (typeof logger.child === "function") return logger.child(fields);
  const bind =
    (level: LogLevel): LogMethod =>
    (first: LogFields | string, message?: string): void => {
      if (typeof first === "string") logger[level]({ ...fields }, first);
      else logger[level]({ ...fields, ...first }, message);
    };
  return { debug: bind("debug"), info: bind("info"), warn: bind("warn"), error: bind("error"), child: (more) => childLogger(logger, { ...fields, ...more }) };
}

const ignore = (): void => undefined;

/** Discards everything. The default. */
export const noopLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore, child: () => noopLogger };

/**
 * Writes one JSON line per record (`{ level, message, ...fields }`) to stderr, or to a sink you pass,
 * at or above `level`.
 *
 * @example
 * ```ts
 * const logger = createConsoleLogger("info", undefined, { service: "edge-west" });
 * childLogger(logger, { nodeId: "place" }).warn({ ms: 120 }, "slow placement");
 * // {"level":"warn","message":"slow placement","service":"edge-west","nodeId":"place","ms":120}
 * ```
 */
export function createConsoleLogger(
  level: LogLevel = "info",
  sink: (line: string) => void = (line) => process.stderr.write(line + "\n"),
  base: LogFields = {},
): Logger {
  const at =
    (recordLevel: LogLevel): LogMethod =>
    (first: LogFields | string, message?: string): void => {
      if (order[recordLevel] < order[level]) return;
      const [fields, text] = typeof first === "string" ? [{}, first] : [first, message];
      sink(JSON.stringify({ level: recordLevel, ...(text === undefined ? {} : { message: text }), ...base, ...fields }));
    };
  const logger = Object.fromEntries(levels.map((l) => [l, at(l)])) as Record<LogLevel, LogMethod>;
  return { ...logger, child: (fields) => createConsoleLogger(level, sink, { ...base, ...fields }) };
}
