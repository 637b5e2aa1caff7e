/**
 * Number formatting for the arithmetic in explanations: enough digits to redo the sum by hand.
 *
 * @module
 */

/** A money amount: cents for amounts of a dollar or more, four significant digits below. */
export function money(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const sign = x < 0 ? "-" : "";
  const a = Math.abs(x);
  return `${sign}$${a >= 1 ? a.toFixed(2) : a === 0 ? "0" : a.toPrecision(4)}`;
}

/** A plain number: integers as they are, others to six significant digits. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6)));
}

/** A fraction as a percentage with one decimal. */
export function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}
