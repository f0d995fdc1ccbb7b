/**
 * The optimizer step on the GPU: gradient clamping and RMSprop over the trainable range of the
 * padded store, in one dispatch (shaders/ntm/rmsprop.wgsl), twin of lib/cpu/rmsprop.ts.
 *
 * @module
 */

import type { RmspropSettings } from "../../cpu/rmsprop.ts";
import { type GpuContext, pipeline, prepareDispatch, type PreparedKernel } from "../context.ts";
import { RMSPROP_SOURCE } from "./sources.ts";

/** Lanes per workgroup of the optimizer kernel. */
const WORKGROUP_SIZE = 64;

/** The buffers one RMSprop step reads and updates. */
export interface RmspropBuffers {
  /** Parameters; the first `count` floats are updated in place. */
  readonly params: GPUBuffer;
  readonly grads: GPUBuffer;
  /** Running mean of squared gradients `[count]`, then the momentum buffer `[count]`. */
  readonly state: GPUBuffer;
  /** The `RmspropSettings` uniform (`rmspropUniform`). */
  readonly settings: GPUBuffer;
}

/**
 * The `RmspropSettings` uniform for the first `count` floats: settings as float32, `1 - alpha`
 * rounded from the double, as u32 words.
 */
export function rmspropUniform(settings: RmspropSettings, count: number): Uint32Array {
  const data = new ArrayBuffer(32);
  new Float32Array(data, 0, 6).set([
    settings.lr,
    settings.alpha,
    1 - settings.alpha,
    settings.momentum,
    settings.eps,
    settings.clip,
  ]);
  new Uint32Array(data, 24, 1)[0] = count;
  return new Uint32Array(data);
}

/** Prepares one optimizer step over the first `count` floats of `buffers.params`. */
export async function prepareRmsprop(
  context: GpuContext,
  count: number,
  buffers: RmspropBuffers,
): Promise<PreparedKernel> {
  const computePipeline = await pipeline(context, "ntm rmsprop", RMSPROP_SOURCE, {
    WORKGROUP_SIZE,
  });
  const groups = Math.min(
    Math.ceil(count / WORKGROUP_SIZE),
    context.device.limits.maxComputeWorkgroupsPerDimension,
  );
  return prepareDispatch(
    context,
    computePipeline,
    [buffers.params, buffers.grads, buffers.state, buffers.settings],
    [groups],
  );
}
