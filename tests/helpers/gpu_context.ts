/**
 * The WebGPU context for a GPU test file: created once per file, or null where WebGPU has no
 * adapter (the file's tests are then reported as ignored, not passed).
 *
 * @module
 */

import { createGpuContext, type GpuContext, requestAdapter } from "../../lib/gpu/context.ts";

/** A context on the default adapter, or null when there is none. */
export async function createTestContext(): Promise<GpuContext | null> {
  if (!(await requestAdapter())) return null;
  return await createGpuContext();
}
