/**
 * The training objective and the figure users watch, with PyTorch `BCELoss` semantics.
 *
 * @module
 */

import type { Floats } from "./floats.ts";

/** PyTorch clamps each log term of the binary cross-entropy at -100. */
const LOG_FLOOR = -100;
/** PyTorch's floor on `y·(1-y)` in the BCE gradient. */
const GRAD_EPS = 1e-12;

/** Binary cross-entropy averaged over every element of `outputs` against `targets`. */
export function bceLoss(outputs: Floats, targets: Floats): number {
  let total = 0;
  for (let i = 0; i < outputs.length; i++) {
    const y = outputs[i], target = targets[i];
    total += (target - 1) * Math.max(Math.log(1 - y), LOG_FLOOR) -
      target * Math.max(Math.log(y), LOG_FLOOR);
  }
  return total / outputs.length;
}

/** Gradient of `bceLoss` with respect to the outputs, written to `dOutputs`. */
export function bceLossBackward(outputs: Floats, targets: Floats, dOutputs: Floats): void {
  const scale = 1 / outputs.length;
  for (let i = 0; i < outputs.length; i++) {
    const y = outputs[i];
    dOutputs[i] = scale * (y - targets[i]) / Math.max((1 - y) * y, GRAD_EPS);
  }
}

/**
 * Bit errors per sequence: outputs thresholded at 0.5 (0.5 counts as 1), compared with the
 * targets, summed and divided by the batch size.
 */
export function bitCost(outputs: Floats, targets: Floats, batchSize: number): number {
  let errors = 0;
  for (let i = 0; i < outputs.length; i++) {
    errors += Math.abs((outputs[i] < 0.5 ? 0 : 1) - targets[i]);
  }
  return errors / batchSize;
}
