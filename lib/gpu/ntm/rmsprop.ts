/**
 * The optimizer settings as the GPU reads them: the `RmspropSettings` uniform of
 * shaders/ntm/rmsprop.wgsl, whose `rmsprop_update` (twin of lib/cpu/rmsprop.ts) the update
 * kernel applies to every gradient it finishes (lib/gpu/ntm/weight_gradients.ts).
 *
 * @module
 */

import type { RmspropSettings } from "../../cpu/rmsprop.ts";
import { MAX_LR_SWITCHES } from "../../train/lr_schedule.ts";

/**
 * The `RmspropSettings` uniform (96 bytes): float32 values, `1 - alpha` rounded once from the
 * double, then the schedule's switches (batches as u32: a switch past 2^32 − 1 never comes).
 */
export function rmspropUniform(settings: RmspropSettings): Float32Array {
  const schedule = settings.schedule ?? [];
  if (schedule.length > MAX_LR_SWITCHES) {
    throw new RangeError(
      `Cannot build the RMSprop uniform: the schedule has ${schedule.length} switches, at most ` +
        `${MAX_LR_SWITCHES} fit`,
    );
  }
  const uniform = new Float32Array(24);
  uniform.set([
    settings.lr,
    settings.alpha,
    1 - settings.alpha,
    settings.momentum,
    settings.eps,
    settings.clip,
  ]);
  const words = new Uint32Array(uniform.buffer);
  words[6] = schedule.length;
  schedule.forEach(({ after, lr }, index) => {
    words[8 + index] = Math.min(after, 0xffff_ffff);
    uniform[16 + index] = lr;
  });
  return uniform;
}
