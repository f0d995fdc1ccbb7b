/**
 * Every kernel the CPU model computes through, as one bundle: the linear products
 * (`linear_kernels.ts`), the memory-wide loops of the heads (`memory_kernels.ts`) and the
 * LSTM's pointwise step (`lstm.ts`). The plain TypeScript bundle is the reference in either
 * precision; `WasmKernels` (`wasm_kernels.ts`) is the fast float32 one.
 *
 * @module
 */

import { type LinearKernels, plainKernels } from "./linear_kernels.ts";
import { lstmCellForward, type LstmKernels } from "./lstm.ts";
import { type MemoryKernels, plainMemoryKernels } from "./memory_kernels.ts";

/** The kernels the CPU model needs. */
export interface CpuKernels extends LinearKernels, MemoryKernels, LstmKernels {}

/** The plain TypeScript kernels. */
export const plainCpuKernels: CpuKernels = {
  ...plainKernels,
  ...plainMemoryKernels,
  lstmCellForward,
};
