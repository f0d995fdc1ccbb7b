/**
 * The optimizer settings as the GPU reads them: the `RmspropSettings` uniform of
 * shaders/ntm/rmsprop.wgsl, whose `rmsprop_update` (twin of lib/cpu/rmsprop.ts) the update
 * kernel applies to every gradient it finishes (lib/gpu/ntm/weight_gradients.ts).
 *
 * @module
 */

import type { RmspropSettings } from "../../cpu/rmsprop.ts";

/** The `RmspropSettings` uniform: float32 values, `1 - alpha` rounded once from the double. */
export function rmspropUniform(settings: RmspropSettings): Float32Array {
  return new Float32Array([
    settings.lr,
    settings.alpha,
    1 - settings.alpha,
    settings.momentum,
    settings.eps,
    settings.clip,
  ]);
}
