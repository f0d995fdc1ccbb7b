/**
 * The dispatch every tensor op prepares: a uniform with its sizes and operand offsets at
 * binding 0, then the operands' buffers at bindings 1, 2, … in order.
 *
 * @module
 */

import {
  checked,
  type GpuContext,
  prepareDispatch,
  type PreparedKernel,
  uniformBuffer,
} from "../context.ts";
import type { TensorRegion } from "./region.ts";

/** The most workgroups WebGPU guarantees along one grid dimension. */
const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/**
 * Prepares a dispatch of `computePipeline`: `uniforms` (u32 values: sizes and element offsets)
 * go to binding 0, the operands' buffers to bindings 1, 2, …. A binding WebGPU rejects raises a
 * GpuKernelError naming the op.
 */
export function prepareOp(
  context: GpuContext,
  computePipeline: GPUComputePipeline,
  uniforms: readonly number[],
  operands: readonly TensorRegion[],
  workgroups: readonly [number, number?, number?],
): Promise<PreparedKernel> {
  return checked(context, computePipeline.label, () => {
    const shape = uniformBuffer(
      context,
      `${computePipeline.label} shape`,
      new Uint32Array(uniforms),
    );
    return prepareDispatch(
      context,
      computePipeline,
      [shape, ...operands.map((operand) => operand.buffer)],
      workgroups,
    );
  });
}

/**
 * A grid of at least `count` workgroups for a flat index (`shaders/common/grid.wgsl`): x up to
 * 65535, y as many rows of those as needed.
 */
export function flatGrid(count: number): [number, number] {
  const x = Math.min(count, MAX_WORKGROUPS_PER_DIMENSION);
  return [x, Math.ceil(count / x)];
}

/** Lanes for one workgroup per row of `length` values: a power of two up to 64, no more than needed. */
export function rowWorkgroupSize(length: number): number {
  return Math.min(64, 2 ** Math.ceil(Math.log2(length)));
}
