/**
 * Softmax over the last dimension of a `[rows, cols]` array, forward and backward: the one the
 * CPU model runs (content addressing's `softmax(beta·K)` in addressing.ts, the shift weights in
 * head_activations.ts) and the CPU twin of the GPU `softmax` op.
 *
 * @module
 */

import type { Floats } from "./floats.ts";

/** `y[r, i] = exp(x[r, i] - max_r) / Σ_j exp(x[r, j] - max_r)`; overwrites y, which may be x. */
export function softmaxRows(x: Floats, rows: number, cols: number, y: Floats): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    let largest = -Infinity;
    for (let i = 0; i < cols; i++) largest = Math.max(largest, x[start + i]);
    let total = 0;
    for (let i = 0; i < cols; i++) {
      y[start + i] = Math.exp(x[start + i] - largest);
      total += y[start + i];
    }
    for (let i = 0; i < cols; i++) y[start + i] /= total;
  }
}

/**
 * Backward from the output: `dx[r, i] = y[r, i]·(dy[r, i] - Σ_j dy[r, j]·y[r, j])`; overwrites
 * dx, which may be dy.
 */
export function softmaxRowsBackward(
  y: Floats,
  dy: Floats,
  rows: number,
  cols: number,
  dx: Floats,
): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    let weighted = 0;
    for (let i = 0; i < cols; i++) weighted += dy[start + i] * y[start + i];
    for (let i = 0; i < cols; i++) dx[start + i] = y[start + i] * (dy[start + i] - weighted);
  }
}
