/**
 * Gradient clamping and RMSprop with PyTorch's semantics (momentum, non-centred).
 *
 * @module
 */

import { learningRateAt, type LrSwitch } from "../train/lr_schedule.ts";
import type { Floats } from "./floats.ts";

/** RMSprop settings; the reference trains with alpha 0.95, momentum 0.9, eps 1e-8, clamp 10. */
export interface RmspropSettings {
  /** Learning rate: the step is `lr·buf` (until the schedule's first switch). */
  readonly lr: number;
  /**
   * Learning-rate switches by batch (lib/train/lr_schedule.ts); none when absent. A step takes
   * `settingsAt`'s rate; `rmspropStep` itself uses `lr`.
   */
  readonly schedule?: readonly LrSwitch[];
  /** Decay of the running mean square `v`, in [0, 1). */
  readonly alpha: number;
  /** Decay of the momentum buffer `buf`. */
  readonly momentum: number;
  /** Added to `sqrt(v)` in the denominator, against division by zero. */
  readonly eps: number;
  /** Gradients are clamped element-wise to [-clip, clip] before the update. */
  readonly clip: number;
}

/** The settings of batch `batch` (1-based): `lr` as the schedule sets it there. */
export function settingsAt(settings: RmspropSettings, batch: number): RmspropSettings {
  const lr = learningRateAt(settings.lr, settings.schedule ?? [], batch);
  return lr === settings.lr ? settings : { ...settings, lr };
}

/** The reference's settings at a given learning rate. */
export function referenceRmsprop(lr: number): RmspropSettings {
  return { lr, alpha: 0.95, momentum: 0.9, eps: 1e-8, clip: 10 };
}

/** The optimizer's per-parameter state: running mean square and momentum buffer. */
export interface RmspropState {
  /** Running mean of squared clamped gradients `v`, one per parameter; starts at 0. */
  readonly squareAverage: Floats;
  /** Momentum buffer `buf`, one per parameter; starts at 0. */
  readonly momentumBuffer: Floats;
}

/**
 * One update of the first `count` parameters, in place:
 * `g = clamp(grad)`, `v = alpha·v + (1-alpha)·g²`, `buf = momentum·buf + g/(sqrt(v)+eps)`,
 * `p -= lr·buf`.
 */
export function rmspropStep(
  settings: RmspropSettings,
  params: Floats,
  grads: Floats,
  state: RmspropState,
  count: number,
): void {
  const { lr, alpha, momentum, eps, clip } = settings;
  const { squareAverage, momentumBuffer } = state;
  for (let i = 0; i < count; i++) {
    const g = Math.min(Math.max(grads[i], -clip), clip);
    squareAverage[i] = alpha * squareAverage[i] + (1 - alpha) * g * g;
    momentumBuffer[i] = momentum * momentumBuffer[i] + g / (Math.sqrt(squareAverage[i]) + eps);
    params[i] -= lr * momentumBuffer[i];
  }
}
