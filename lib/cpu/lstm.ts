/**
 * One LSTM layer for one time step over a batch, forward and backward (PyTorch's gate order
 * i, f, g, o with two bias vectors).
 *
 * @module
 */

import { sigmoid } from "./activations.ts";
import type { Floats } from "./floats.ts";
import type { LinearKernels } from "./linear_kernels.ts";

/** One layer's weights: `W_ih [4H, in]`, `W_hh [4H, H]`, `b_ih [4H]`, `b_hh [4H]`. */
export interface LstmWeights {
  readonly weightIh: Floats;
  readonly weightHh: Floats;
  readonly biasIh: Floats;
  readonly biasHh: Floats;
}

/** Sizes of one layer's step: controller size H, layer input width and batch size. */
export interface LstmShape {
  readonly hidden: number;
  readonly inputs: number;
  readonly batch: number;
}

/** The LSTM's pointwise step, replaceable like the linear kernels (see `kernels.ts`). */
export interface LstmKernels {
  /** Gate activations and the cell and hidden updates of one step, for a whole batch. */
  lstmCellForward: typeof lstmCellForward;
}

/**
 * Forward: `gates = W_ih·x + b_ih + W_hh·h_prev + b_hh`, activated in place
 * (`i, f, o` sigmoid, `g` tanh); `c = f·c_prev + i·g`; `h = o·tanh(c)`.
 * Writes `gates [B,4H]`, `c`, `tanhC` and `h` (each `[B,H]`).
 */
export function lstmForward(
  kernels: LinearKernels & LstmKernels,
  weights: LstmWeights,
  shape: LstmShape,
  input: Floats,
  hPrev: Floats,
  cPrev: Floats,
  gates: Floats,
  c: Floats,
  tanhC: Floats,
  h: Floats,
): void {
  const { hidden: H, inputs, batch: B } = shape;
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < G; j++) gates[b * G + j] = weights.biasIh[j] + weights.biasHh[j];
  }
  kernels.matVecAdd(gates, weights.weightIh, input, G, inputs, B);
  kernels.matVecAdd(gates, weights.weightHh, hPrev, G, H, B);
  kernels.lstmCellForward(gates, cPrev, H, B, c, tanhC, h);
}

/**
 * The pointwise part of the forward step: activates the gate pre-activations `gates [B,4H]` in
 * place (`i, f, o` sigmoid, `g` tanh), then writes `c = f·c_prev + i·g`, `tanhC = tanh(c)` and
 * `h = o·tanhC` (each `[B,H]`).
 */
export function lstmCellForward(
  gates: Floats,
  cPrev: Floats,
  H: number,
  B: number,
  c: Floats,
  tanhC: Floats,
  h: Floats,
): void {
  for (let b = 0; b < B; b++) {
    const row = b * 4 * H;
    for (let j = 0; j < H; j++) {
      gates[row + j] = sigmoid(gates[row + j]);
      gates[row + H + j] = sigmoid(gates[row + H + j]);
      gates[row + 2 * H + j] = Math.tanh(gates[row + 2 * H + j]);
      gates[row + 3 * H + j] = sigmoid(gates[row + 3 * H + j]);
      c[b * H + j] = gates[row + H + j] * cPrev[b * H + j] +
        gates[row + j] * gates[row + 2 * H + j];
      tanhC[b * H + j] = Math.tanh(c[b * H + j]);
      h[b * H + j] = gates[row + 3 * H + j] * tanhC[b * H + j];
    }
  }
}

/**
 * Backward through one step. Takes `dh` (gradient of the layer's output) and `dc` (gradient
 * of its cell from the next step, replaced by the gradient of `c_prev`). Writes the
 * pre-activation gate gradients `dGates [B,4H]` and adds the gradients of the input to `dInput`
 * and of `h_prev` to `dhPrev`. Weight gradients are left to the caller (`outerAdd` over the
 * stored `dGates`, once per sequence).
 */
export function lstmBackward(
  kernels: LinearKernels,
  weights: LstmWeights,
  shape: LstmShape,
  gates: Floats,
  cPrev: Floats,
  tanhC: Floats,
  dh: Floats,
  dc: Floats,
  dGates: Floats,
  dInput: Floats,
  dhPrev: Floats,
): void {
  const { hidden: H, inputs, batch: B } = shape;
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const row = b * G;
    for (let j = 0; j < H; j++) {
      const i = gates[row + j], f = gates[row + H + j];
      const g = gates[row + 2 * H + j], o = gates[row + 3 * H + j];
      const squashed = tanhC[b * H + j];
      const dOut = dh[b * H + j];
      const dCell = dc[b * H + j] + dOut * o * (1 - squashed * squashed);
      dGates[row + j] = dCell * g * i * (1 - i);
      dGates[row + H + j] = dCell * cPrev[b * H + j] * f * (1 - f);
      dGates[row + 2 * H + j] = dCell * i * (1 - g * g);
      dGates[row + 3 * H + j] = dOut * squashed * o * (1 - o);
      dc[b * H + j] = dCell * f;
    }
  }
  kernels.matTVecAdd(dInput, weights.weightIh, dGates, G, inputs, B);
  kernels.matTVecAdd(dhPrev, weights.weightHh, dGates, G, H, B);
}
