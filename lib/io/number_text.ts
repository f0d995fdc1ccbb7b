/**
 * Numbers written as text (command-line options, `-p` params, checkpoint metadata), parsed
 * one way everywhere.
 *
 * @module
 */

/**
 * The integer `text` spells in decimal (an optional sign, then digits), when it lies in
 * `[min, max]`; otherwise undefined, for the caller to name what is valid.
 */
export function parseInteger(text: string, min: number, max: number): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/**
 * The number `text` spells as a decimal literal (an optional sign, digits with an optional
 * fraction, an optional exponent: `0.5`, `-1e-4`, `.25`), or undefined.
 */
export function parseDecimal(text: string): number | undefined {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : undefined;
}
