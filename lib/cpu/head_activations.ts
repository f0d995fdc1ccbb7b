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
import { softmaxRows, softmaxRowsBackward } from "./softmax.ts";

/** Activates one head's raw output `raw [width]` into `act [width]`. */
export function activateHead(layout: HeadLayout, M: number, raw: Floats, act: Floats): void {
  for (let m = 0; m < M; m++) act[layout.key + m] = raw[layout.key + m];
  act[layout.beta] = softplus(raw[layout.beta]);
  act[layout.gate] = sigmoid(raw[layout.gate]);
  const s = layout.shift;
  softmaxRows(raw.subarray(s, s + 3), 1, 3, act.subarray(s, s + 3));
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
  softmaxRowsBackward(
    act.subarray(s, s + 3),
    dAct.subarray(s, s + 3),
    1,
    3,
    dRaw.subarray(s, s + 3),
  );
  dRaw[layout.gamma] = dAct[layout.gamma] * softplusGrad(raw[layout.gamma]);
  if (layout.erase >= 0) {
    for (let m = 0; m < M; m++) {
      const e = act[layout.erase + m];
      dRaw[layout.erase + m] = dAct[layout.erase + m] * e * (1 - e);
      dRaw[layout.add + m] = dAct[layout.add + m];
    }
  }
}
