/**
 * The loops over a whole memory `[N, M]` that every head runs each step, forward and backward:
 * content addressing, reading and writing. The NTM reference calls them through `CpuKernels`
 * (`kernels.ts`) so a faster implementation (WebAssembly SIMD, see `wasm_kernels.ts`) can stand
 * in for the plain functions of `addressing.ts` and `memory.ts`, which define what each computes.
 *
 * @module
 */

import { contentBackward, contentForward } from "./addressing.ts";
import { readBackward, readForward, writeBackward, writeForward } from "./memory.ts";

/** The memory-wide kernels the CPU model needs, with the signatures of the plain functions. */
export interface MemoryKernels {
  /** Content addressing: cosine similarities and their softmax. */
  contentForward: typeof contentForward;
  /** Its backward: gradients of the memory, the key and beta. */
  contentBackward: typeof contentBackward;
  /** Reading: the weighted sum of the memory rows. */
  readForward: typeof readForward;
  /** Its backward: gradients of the weighting and the memory. */
  readBackward: typeof readBackward;
  /** Writing: erase then add, row by row. */
  writeForward: typeof writeForward;
  /** Its backward: gradients of the memory before, the weighting, erase and add. */
  writeBackward: typeof writeBackward;
}

/** The plain TypeScript functions: the reference, in either precision. */
export const plainMemoryKernels: MemoryKernels = {
  contentForward,
  contentBackward,
  readForward,
  readBackward,
  writeForward,
  writeBackward,
};
