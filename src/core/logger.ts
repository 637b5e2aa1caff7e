/**
 * A minimal structured logger interface, so users plug in pino, winston or their own.
 *
 * @module
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

class NoopLogger implements Logger {
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
  child(): Logger {
    return this;
  }
}

/** Discards everything. The default. */
export const noopLogger: Logger = new NoopLogger();

/** Writes one JSON line per record to stderr (or a sink you pass), at or above `level`. */
export function createConsoleLogger(
  level: LogLevel = "info",
  sink: (line: string) => void = (line) => process.stderr.write(line + "\n"),
  base: LogFields = {},
): Logger {
  const log =
    (at: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (order[at] < order[level]) return;
      sink(JSON.stringify({ level: at, message, ...base, ...fields }));
    };
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (fields) => createConsoleLogger(level, sink, { ...base, ...fields }),
  };
}
