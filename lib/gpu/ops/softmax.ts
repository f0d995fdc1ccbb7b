/**
 * Softmax over the last dimension on the GPU, forward and backward, one workgroup per row.
 * Twin: lib/cpu/softmax.ts.
 *
 * @module
 */

import grid from "../../../shaders/common/grid.wgsl" with { type: "text" };
import reduce from "../../../shaders/common/reduce.wgsl" with { type: "text" };
import softmaxBlocks from "../../../shaders/common/softmax.wgsl" with { type: "text" };
import kernel from "../../../shaders/ops/softmax.wgsl" with { type: "text" };
import {
  checkLoopIterations,
  type GpuContext,
  pipeline,
  type PreparedKernel,
  reductionLoopIterations,
  stridedLoopIterations as strided,
} from "../context.ts";
import { linkShader } from "../shader.ts";
import { flatGrid, prepareOp, rowWorkgroupSize } from "./launch.ts";
import {
  checkOutputsApart,
  checkRegion,
  checkSizes,
  regionOffset,
  type TensorRegion,
} from "./region.ts";

const source = linkShader(reduce, softmaxBlocks, grid, kernel);

/** The shape of a softmax: `rows` independent rows of `cols` values. */
export interface SoftmaxShape {
  /** Independent rows, one workgroup each. */
  readonly rows: number;
  /** Values per row, the softmax's extent. */
  readonly cols: number;
}

/**
 * Prepares `y = softmax(x)` over each row of `[rows, cols]`; y needs a buffer of its own.
 *
 * @example
 * ```ts
 * const kernel = await softmax(context, { x: logits, y: weights }, { rows: 16, cols: 128 });
 * ```
 */
export async function softmax(
  context: GpuContext,
  operands: { readonly x: TensorRegion; readonly y: TensorRegion },
  shape: SoftmaxShape,
): Promise<PreparedKernel> {
  const op = "softmax";
  const { rows, cols } = shape;
  checkSizes(op, { rows, cols });
  const { x, y } = operands;
  checkRegion(op, "x", x, rows * cols, [rows, cols]);
  checkRegion(op, "y", y, rows * cols, [rows, cols]);
  checkOutputsApart(op, { y }, { x });
  const lanes = rowWorkgroupSize(cols);
  // shaders/ops/softmax.wgsl `forward`: three passes over the row, two reductions.
  const loops = 3 * strided(cols, lanes) + 2 * reductionLoopIterations(lanes);
  checkLoopIterations(context, op, loops, "use shorter rows (cols)");
  const computePipeline = await pipeline(context, "softmax forward", source, {
    WORKGROUP_SIZE: lanes,
  }, "forward");
  return prepareOp(
    context,
    computePipeline,
    [rows, cols, regionOffset(x), regionOffset(y), 0],
    [x, y],
    flatGrid(rows),
  );
}

/**
 * Prepares the gradient `dx = y·(dy - Σ_row dy·y)` from the forward's output y (overwriting dx);
 * dx needs a buffer of its own.
 *
 * @example
 * ```ts
 * const kernel = await softmaxBackward(context, { y, dy, dx }, { rows: 16, cols: 128 });
 * ```
 */
export async function softmaxBackward(
  context: GpuContext,
  operands: { readonly y: TensorRegion; readonly dy: TensorRegion; readonly dx: TensorRegion },
  shape: SoftmaxShape,
): Promise<PreparedKernel> {
  const op = "softmaxBackward";
  const { rows, cols } = shape;
  checkSizes(op, { rows, cols });
  const { y, dy, dx } = operands;
  checkRegion(op, "y", y, rows * cols, [rows, cols]);
  checkRegion(op, "dy", dy, rows * cols, [rows, cols]);
  checkRegion(op, "dx", dx, rows * cols, [rows, cols]);
  checkOutputsApart(op, { dx }, { y, dy });
  const lanes = rowWorkgroupSize(cols);
  // shaders/ops/softmax.wgsl `backward`: two passes over the row, a reduction.
  const loops = 2 * strided(cols, lanes) + reductionLoopIterations(lanes);
  checkLoopIterations(context, op, loops, "use shorter rows (cols)");
  const computePipeline = await pipeline(context, "softmax backward", source, {
    WORKGROUP_SIZE: lanes,
  }, "backward");
  return prepareOp(
    context,
    computePipeline,
    [rows, cols, regionOffset(y), regionOffset(dx), regionOffset(dy)],
    [y, dx, dy],
    flatGrid(rows),
  );
}
