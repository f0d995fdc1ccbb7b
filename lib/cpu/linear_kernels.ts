/**
 * The three products behind every linear layer, forward and backward. The NTM reference calls
 * them through this interface so a faster implementation (WebAssembly SIMD, see
 * `wasm_kernels.ts`) can stand in for the plain loops below without changing the model.
 *
 * Matrices are row-major: `W` is `[rows, cols]`, a batch of vectors `x` is `[count, cols]`.
 *
 * @module
 */

import type { Floats } from "./floats.ts";

/** The linear-algebra kernels the CPU model needs. */
export interface LinearKernels {
  /** Forward: `out[n, r] += Σ_c W[r, c] · x[n, c]` for n < count. */
  matVecAdd(out: Floats, W: Floats, x: Floats, rows: number, cols: number, count: number): void;
  /** Backward to the input: `dx[n, c] += Σ_r W[r, c] · dy[n, r]` for n < count. */
  matTVecAdd(dx: Floats, W: Floats, dy: Floats, rows: number, cols: number, count: number): void;
  /** Backward to the weights: `dW[r, c] += Σ_n dy[n, r] · x[n, c]` over n < count. */
  outerAdd(dW: Floats, dy: Floats, x: Floats, rows: number, cols: number, count: number): void;
}

/** The plain TypeScript kernels: the reference, in either precision. */
export const plainKernels: LinearKernels = {
  matVecAdd(out, W, x, rows, cols, count) {
    for (let n = 0; n < count; n++) {
      const xOffset = n * cols, outOffset = n * rows;
      for (let r = 0; r < rows; r++) {
        const wOffset = r * cols;
        let sum = 0;
        for (let c = 0; c < cols; c++) sum += W[wOffset + c] * x[xOffset + c];
        out[outOffset + r] += sum;
      }
    }
  },
  matTVecAdd(dx, W, dy, rows, cols, count) {
    for (let n = 0; n < count; n++) {
      const dxOffset = n * cols, dyOffset = n * rows;
      for (let r = 0; r < rows; r++) {
        const g = dy[dyOffset + r];
        if (g === 0) continue;
        const wOffset = r * cols;
        for (let c = 0; c < cols; c++) dx[dxOffset + c] += g * W[wOffset + c];
      }
    }
  },
  outerAdd(dW, dy, x, rows, cols, count) {
    for (let n = 0; n < count; n++) {
      const xOffset = n * cols, dyOffset = n * rows;
      for (let r = 0; r < rows; r++) {
        const g = dy[dyOffset + r];
        if (g === 0) continue;
        const wOffset = r * cols;
        for (let c = 0; c < cols; c++) dW[wOffset + c] += g * x[xOffset + c];
      }
    }
  },
};
