/**
 * Short descriptions of arbitrary values for error messages and logs. An error message must never
 * echo a megabyte of user input: everything here is bounded, whatever it is given.
 *
 * @module
 */

/** Default bound of {@link describeValue}, in characters. */
export const DESCRIBE_MAX_CHARS = 200;

/**
 * `text` cut to at most `maxChars` characters (plus a note of how much was cut).
 *
 * @example
 * ```ts
 * truncateText("x".repeat(1_000_000), 10); // 'xxxxxxxxxx… (999990 more characters)'
 * ```
 */
export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}… (${text.length - maxChars} more characters)`;
}

/**
 * A bounded, human-readable rendering of any value: strings quoted, objects as JSON, and whatever
 * JSON cannot render (cycles, bigints, functions, symbols) described by its kind.
 *
 * @example
 * ```ts
 * describeValue("edge-1"); // '"edge-1"'
 * describeValue({ port: "x".repeat(10_000) }, 20); // '{"port":"xxxxxxxxxxx… (10011 more characters)'
 * describeValue(Number.NaN); // 'NaN'
 * ```
 */
export function describeValue(value: unknown, maxChars = DESCRIBE_MAX_CHARS): string {
  return truncateText(render(value), maxChars);
}

function render(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
    case "boolean":
    case "undefined":
      return String(value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return value.toString();
    case "function":
      return `[function ${value.name || "anonymous"}]`;
    default:
      break;
  }
  if (value === null) return "null";
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    // Cycles and bigints inside objects: say what it is rather than fail while reporting a failure.
    return Object.prototype.toString.call(value);
  }
}
