/**
 * Reading and writing the memory `[N, M]` of one batch row (paper sections 3.1 and 3.2),
 * forward and backward.
 *
 * @module
 */

import type { Floats } from "./floats.ts";

/** Read: `r = Σ_i w_i · Mem_i`. Overwrites `read [M]`. */
export function readForward(memory: Floats, w: Floats, N: number, M: number, read: Floats): void {
  read.fill(0, 0, M);
  for (let i = 0; i < N; i++) {
    const weight = w[i];
    for (let m = 0; m < M; m++) read[m] += weight * memory[i * M + m];
  }
}

/** Backward of the read: adds to `dw [N]` and `dMemory [N, M]`. */
export function readBackward(
  memory: Floats,
  w: Floats,
  N: number,
  M: number,
  dRead: Floats,
  dw: Floats,
  dMemory: Floats,
): void {
  for (let i = 0; i < N; i++) {
    let dot = 0;
    for (let m = 0; m < M; m++) {
      dot += dRead[m] * memory[i * M + m];
      dMemory[i * M + m] += w[i] * dRead[m];
    }
    dw[i] += dot;
  }
}

/** Write: `Mem'_i = Mem_i ∘ (1 - w_i·e) + w_i·a`, from `before` into `after`. */
export function writeForward(
  before: Floats,
  w: Floats,
  erase: Floats,
  add: Floats,
  N: number,
  M: number,
  after: Floats,
): void {
  for (let i = 0; i < N; i++) {
    const weight = w[i];
    for (let m = 0; m < M; m++) {
      after[i * M + m] = before[i * M + m] * (1 - weight * erase[m]) + weight * add[m];
    }
  }
}

/**
 * Backward of the write. `dMemory` holds the gradient of the memory after the write and is
 * replaced by the gradient of the memory before it; adds to `dw`, `dErase` and `dAdd`.
 */
export function writeBackward(
  before: Floats,
  w: Floats,
  erase: Floats,
  add: Floats,
  N: number,
  M: number,
  dMemory: Floats,
  dw: Floats,
  dErase: Floats,
  dAdd: Floats,
): void {
  for (let i = 0; i < N; i++) {
    const weight = w[i];
    let dWeight = 0;
    for (let m = 0; m < M; m++) {
      const dAfter = dMemory[i * M + m];
      const old = before[i * M + m];
      dWeight += dAfter * (add[m] - old * erase[m]);
      dErase[m] -= dAfter * old * weight;
      dAdd[m] += dAfter * weight;
      dMemory[i * M + m] = dAfter * (1 - weight * erase[m]);
    }
    dw[i] += dWeight;
  }
}
