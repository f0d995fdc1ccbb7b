/**
 * A head's activations: its linear output, split per `headLayout`, becomes the addressing
 * parameters. The activated values keep the same layout as the raw ones.
 *
 * `beta = softplus`, `g = sigmoid`, `s = softmax` over 3, `gamma = 1 + softplus`,
 * `e = sigmoid`; `k` and `a` pass through.
 *
 * @module
 */

import type { HeadLayout } from "../config.ts";
import { sigmoid, softplus, softplusGrad } from "./activations.ts";
import type { Floats } from "./floats.ts";

/** Activates one head's raw output `raw [width]` into `act [width]`. */
export function activateHead(layout: HeadLayout, M: number, raw: Floats, act: Floats): void {
  for (let m = 0; m < M; m++) act[layout.key + m] = raw[layout.key + m];
  act[layout.beta] = softplus(raw[layout.beta]);
  act[layout.gate] = sigmoid(raw[layout.gate]);
  const s = layout.shift;
  const largest = Math.max(raw[s], raw[s + 1], raw[s + 2]);
  const e0 = Math.exp(raw[s] - largest);
  const e1 = Math.exp(raw[s + 1] - largest);
  const e2 = Math.exp(raw[s + 2] - largest);
  const total = e0 + e1 + e2;
  act[s] = e0 / total;
  act[s + 1] = e1 / total;
  act[s + 2] = e2 / total;
  act[layout.gamma] = 1 + softplus(raw[layout.gamma]);
  if (layout.erase >= 0) {
    for (let m = 0; m < M; m++) {
      act[layout.erase + m] = sigmoid(raw[layout.erase + m]);
      act[layout.add + m] = raw[layout.add + m];
    }
  }
}

/** Backward of `activateHead`: from `dAct` (gradients of the activated values) writes `dRaw`. */
export function activateHeadBackward(
  layout: HeadLayout,
  M: number,
  raw: Floats,
  act: Floats,
  dAct: Floats,
  dRaw: Floats,
): void {
  for (let m = 0; m < M; m++) dRaw[layout.key + m] = dAct[layout.key + m];
  dRaw[layout.beta] = dAct[layout.beta] * softplusGrad(raw[layout.beta]);
  const g = act[layout.gate];
  dRaw[layout.gate] = dAct[layout.gate] * g * (1 - g);
  const s = layout.shift;
  const weighted = dAct[s] * act[s] + dAct[s + 1] * act[s + 1] + dAct[s + 2] * act[s + 2];
  for (let j = 0; j < 3; j++) dRaw[s + j] = act[s + j] * (dAct[s + j] - weighted);
  dRaw[layout.gamma] = dAct[layout.gamma] * softplusGrad(raw[layout.gamma]);
  if (layout.erase >= 0) {
    for (let m = 0; m < M; m++) {
      const e = act[layout.erase + m];
      dRaw[layout.erase + m] = dAct[layout.erase + m] * e * (1 - e);
      dRaw[layout.add + m] = dAct[layout.add + m];
    }
  }
}
