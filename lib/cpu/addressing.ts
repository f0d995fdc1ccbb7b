/**
 * NTM addressing for one head and one batch row (paper section 3.3), each stage forward and
 * backward: content similarity, interpolation, shift and sharpening.
 *
 * Vectors over memory rows have length N; the memory is `[N, M]` row-major.
 * Backward functions add into gradient arrays (`+=`) unless they say they overwrite.
 *
 * @module
 */

import type { Floats } from "./floats.ts";
import { softmaxRows, softmaxRowsBackward } from "./softmax.ts";

/** The cosine's denominator floor, as in PyTorch's `cosine_similarity` (eps 1e-8). */
export const COSINE_EPS = 1e-8;
/** Added to memory and key before the cosine (reference: `memory + 1e-16`, `k + 1e-16`). */
export const COSINE_OFFSET = 1e-16;
/** Added to the sharpening denominator. */
const SHARPEN_EPS = 1e-16;

/**
 * Content addressing: `K_i = cos(Mem_i + 1e-16, k + 1e-16)` (denominator clamped at 1e-8),
 * then `wc = softmax(beta · K)`. Writes `similarity` (K), `rowNorms` (|Mem_i + 1e-16|) and `wc`.
 */
export function contentForward(
  memory: Floats,
  key: Floats,
  beta: number,
  N: number,
  M: number,
  similarity: Floats,
  rowNorms: Floats,
  wc: Floats,
): void {
  let keySquared = 0;
  for (let m = 0; m < M; m++) keySquared += (key[m] + COSINE_OFFSET) ** 2;
  const keyNorm = Math.sqrt(keySquared);
  for (let i = 0; i < N; i++) {
    let dot = 0, rowSquared = 0;
    for (let m = 0; m < M; m++) {
      const u = memory[i * M + m] + COSINE_OFFSET;
      dot += u * (key[m] + COSINE_OFFSET);
      rowSquared += u * u;
    }
    const rowNorm = Math.sqrt(rowSquared);
    rowNorms[i] = rowNorm;
    similarity[i] = dot / Math.max(rowNorm * keyNorm, COSINE_EPS);
  }
  // The logits beta·K go into wc, and the softmax runs in place.
  for (let i = 0; i < N; i++) wc[i] = beta * similarity[i];
  softmaxRows(wc, 1, N, wc);
}

/**
 * Backward of content addressing. From `dwc`, adds the gradients of the memory to `dMemory`
 * and of the key to `dKey`; returns the gradient of beta. Allocates N float64 values for the
 * logits' gradient (these plain kernels are the reference; `WasmKernels` is the fast path).
 */
export function contentBackward(
  memory: Floats,
  key: Floats,
  beta: number,
  N: number,
  M: number,
  similarity: Floats,
  rowNorms: Floats,
  wc: Floats,
  dwc: Floats,
  dMemory: Floats,
  dKey: Floats,
): number {
  let keySquared = 0;
  for (let m = 0; m < M; m++) keySquared += (key[m] + COSINE_OFFSET) ** 2;
  const keyNorm = Math.sqrt(keySquared);
  // The gradient of the logits beta·K, in float64 whatever the precision of the arrays.
  const dLogits = new Float64Array(N);
  softmaxRowsBackward(wc, dwc, 1, N, dLogits);
  let dBeta = 0;
  for (let i = 0; i < N; i++) {
    const dLogit = dLogits[i];
    dBeta += dLogit * similarity[i];
    const dSimilarity = dLogit * beta;
    if (dSimilarity === 0) continue;
    const product = rowNorms[i] * keyNorm;
    if (product > COSINE_EPS) {
      // d cos/du = v/(|u||v|) - cos·u/|u|², d cos/dv = u/(|u||v|) - cos·v/|v|²
      const cosine = similarity[i];
      const rowScale = cosine / (rowNorms[i] * rowNorms[i]);
      const keyScale = cosine / keySquared;
      for (let m = 0; m < M; m++) {
        const u = memory[i * M + m] + COSINE_OFFSET, v = key[m] + COSINE_OFFSET;
        dMemory[i * M + m] += dSimilarity * (v / product - rowScale * u);
        dKey[m] += dSimilarity * (u / product - keyScale * v);
      }
    } else {
      for (let m = 0; m < M; m++) {
        const u = memory[i * M + m] + COSINE_OFFSET, v = key[m] + COSINE_OFFSET;
        dMemory[i * M + m] += dSimilarity * v / COSINE_EPS;
        dKey[m] += dSimilarity * u / COSINE_EPS;
      }
    }
  }
  return dBeta;
}

/** Interpolation with the previous weighting: `wg = g·wc + (1-g)·w_prev`. */
export function interpolateForward(wc: Floats, wPrev: Floats, g: number, N: number, wg: Floats) {
  for (let i = 0; i < N; i++) wg[i] = g * wc[i] + (1 - g) * wPrev[i];
}

/** Backward of interpolation: adds to `dwc` and `dwPrev`; returns the gradient of g. */
export function interpolateBackward(
  wc: Floats,
  wPrev: Floats,
  g: number,
  N: number,
  dwg: Floats,
  dwc: Floats,
  dwPrev: Floats,
): number {
  let dGate = 0;
  for (let i = 0; i < N; i++) {
    dGate += dwg[i] * (wc[i] - wPrev[i]);
    dwc[i] += g * dwg[i];
    dwPrev[i] += (1 - g) * dwg[i];
  }
  return dGate;
}

/** Circular 3-tap shift: `ws_i = s0·wg_{i-1} + s1·wg_i + s2·wg_{i+1}` (indices mod N). */
export function shiftForward(wg: Floats, shift: Floats, N: number, ws: Floats): void {
  for (let i = 0; i < N; i++) {
    const above = wg[(i + N - 1) % N], below = wg[(i + 1) % N];
    ws[i] = shift[0] * above + shift[1] * wg[i] + shift[2] * below;
  }
}

/** Backward of the shift: adds to `dwg` and to the three shift weights' gradient `dShift`. */
export function shiftBackward(
  wg: Floats,
  shift: Floats,
  N: number,
  dws: Floats,
  dwg: Floats,
  dShift: Floats,
): void {
  for (let i = 0; i < N; i++) {
    const above = (i + N - 1) % N, below = (i + 1) % N;
    dShift[0] += dws[i] * wg[above];
    dShift[1] += dws[i] * wg[i];
    dShift[2] += dws[i] * wg[below];
    dwg[above] += shift[0] * dws[i];
    dwg[i] += shift[1] * dws[i];
    dwg[below] += shift[2] * dws[i];
  }
}

/** Sharpening: `w_i = ws_i^gamma / (Σ_j ws_j^gamma + 1e-16)`. */
export function sharpenForward(ws: Floats, gamma: number, N: number, w: Floats): void {
  let total = 0;
  for (let i = 0; i < N; i++) {
    w[i] = ws[i] ** gamma;
    total += w[i];
  }
  total += SHARPEN_EPS;
  for (let i = 0; i < N; i++) w[i] /= total;
}

/**
 * Backward of sharpening: adds to `dws`; returns the gradient of gamma. With
 * `w_i = ws_i^gamma / (Σ_j ws_j^gamma + 1e-16)` and `weighted = Σ_j dw_j · w_j`:
 * `∂L/∂ws_i = gamma · w_i / ws_i · (dw_i - weighted)` and
 * `∂L/∂gamma = Σ_i w_i · log(ws_i) · (dw_i - weighted)`.
 * A zero `ws_i` contributes nothing (PyTorch masks `0^gamma · log 0`).
 */
export function sharpenBackward(
  ws: Floats,
  gamma: number,
  N: number,
  w: Floats,
  dw: Floats,
  dws: Floats,
): number {
  let weighted = 0;
  for (let i = 0; i < N; i++) weighted += dw[i] * w[i];
  let dGamma = 0;
  for (let i = 0; i < N; i++) {
    if (ws[i] === 0) continue;
    const dLogPowered = (dw[i] - weighted) * w[i];
    dws[i] += dLogPowered * gamma / ws[i];
    dGamma += dLogPowered * Math.log(ws[i]);
  }
  return dGamma;
}
