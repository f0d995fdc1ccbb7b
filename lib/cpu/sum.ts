/**
 * Sum reductions: the CPU model's bias gradients (the sum over rows of the output gradient) and
 * the CPU twins of the GPU `sumRows` and `sumAll` ops.
 *
 * @module
 */

import type { Floats } from "./floats.ts";

/** `out[c] += Σ_r rows[r, c]` over a `[count, width]` array. */
export function sumRows(out: Floats, rows: Floats, count: number, width: number): void {
  for (let r = 0; r < count; r++) {
    for (let c = 0; c < width; c++) out[c] += rows[r * width + c];
  }
}

/** Σ of the first `count` values. */
export function sumAll(values: Floats, count = values.length): number {
  let total = 0;
  for (let i = 0; i < count; i++) total += values[i];
  return total;
}
