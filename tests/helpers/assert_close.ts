/**
 * Float comparison for tests: `|actual - expected| ≤ atol + rtol·|expected|` element-wise, with a
 * failure message that shows the first mismatches.
 *
 * @module
 */

import { AssertionError } from "node:assert";

/** Tolerances of `assertClose`. */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** Asserts that `actual` matches `expected` within `atol + rtol·|expected|` at every element. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: Tolerance,
  label: string,
): void {
  if (actual.length !== expected.length) {
    throw new AssertionError({
      message: `${label}: ${actual.length} values, expected ${expected.length}`,
    });
  }
  const mismatches: string[] = [];
  let count = 0;
  for (let i = 0; i < expected.length; i++) {
    const bound = tolerance.atol + tolerance.rtol * Math.abs(expected[i]);
    const error = Math.abs(actual[i] - expected[i]);
    if (!(error <= bound)) {
      count++;
      if (mismatches.length < 5) {
        mismatches.push(
          `[${i}] got ${actual[i]}, expected ${expected[i]} (error ${error.toExponential(2)} > ${
            bound.toExponential(2)
          })`,
        );
      }
    }
  }
  if (count > 0) {
    throw new AssertionError({
      message:
        `${label}: ${count} of ${expected.length} values differ beyond atol ${tolerance.atol}` +
        ` + rtol ${tolerance.rtol}·|expected|; first: ${mismatches.join("; ")}`,
    });
  }
}
