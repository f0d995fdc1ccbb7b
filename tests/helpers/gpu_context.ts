/**
 * The WebGPU context for a GPU test file: created once per file, or null where WebGPU has no
 * adapter (the file's tests are then reported as ignored, not passed).
 *
 * @module
 */

import {
  createGpuContext,
  type GpuContext,
  type PreparedKernel,
  readFloats,
  requestAdapter,
  runKernels,
} from "../../lib/gpu/context.ts";

/**
 * A context on the default adapter, or null when there is none. Its device is destroyed when
 * the test file ends. (That does not prevent the heap corruption Deno's WebGPU sometimes causes
 * at exit on llvmpipe; see README's Development section.)
 */
export async function createTestContext(): Promise<GpuContext | null> {
  if (!(await requestAdapter())) return null;
  const context = await createGpuContext();
  globalThis.addEventListener("unload", () => context.device.destroy());
  return context;
}

/** Runs `kernels` in one pass, then reads `count` floats of `buffer` from element `first`. */
export async function runAndRead(
  context: GpuContext,
  kernels: readonly PreparedKernel[],
  buffer: GPUBuffer,
  first = 0,
  count = buffer.size / 4 - first,
): Promise<Float32Array> {
  await runKernels(context, kernels);
  return await readFloats(context, buffer, first, count);
}
