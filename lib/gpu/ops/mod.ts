/**
 * The GPU tensor ops: each validates its operands (regions of storage buffers) and returns a
 * `PreparedKernel` to record with others into one pass (`runKernels` in lib/gpu/context.ts).
 * Each is tested against its CPU twin in tests/gpu_ops_*_test.ts.
 *
 * @example
 * ```ts
 * import { matmul, sumRows } from "./mod.ts";
 * const kernels = [
 *   await matmul(context, { a: dY, b: X, c: dW }, { m: 400, n: 129, k: 352, transposeA: true, accumulate: true }),
 *   await sumRows(context, { input: dY, output: dBias }, { count: 352, width: 400, accumulate: true }),
 * ];
 * await runKernels(context, kernels);
 * ```
 *
 * @module
 */

export * from "./activation.ts";
export * from "./content.ts";
export * from "./cosine_similarity.ts";
export * from "./head_activations.ts";
export * from "./interpolate.ts";
export * from "./lstm_cell.ts";
export * from "./matmul.ts";
export * from "./memory_write.ts";
export type { TensorRegion } from "./region.ts";
export * from "./sharpen.ts";
export * from "./shift.ts";
export * from "./softmax.ts";
export * from "./sum.ts";
