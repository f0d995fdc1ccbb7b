/**
 * The NTM's circular 3-tap shift on the GPU, forward and backward:
 * `ws[b, i] = s0·wg[b, i-1] + s1·wg[b, i] + s2·wg[b, i+1]` (indices mod N). Twin:
 * `shiftForward` and `shiftBackward` in lib/cpu/addressing.ts.
 *
 * @module
 */

import addressing from "../../../shaders/common/addressing.wgsl" with { type: "text" };
import grid from "../../../shaders/common/grid.wgsl" with { type: "text" };
import reduce from "../../../shaders/common/reduce.wgsl" with { type: "text" };
import forwardKernel from "../../../shaders/ops/shift.wgsl" with { type: "text" };
import backwardKernel from "../../../shaders/ops/shift_backward.wgsl" with { type: "text" };
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
  checkShapes,
  checkSizes,
  regionOffset,
  type TensorRegion,
} from "./region.ts";

const forwardSource = linkShader(addressing, grid, forwardKernel);
const backwardSource = linkShader(reduce, addressing, grid, backwardKernel);
/** Invocations per workgroup in shaders/ops/shift.wgsl. */
const WORKGROUP = 64;

/** Sizes of a batch of weightings: `batch` rows of `n` weights. */
export interface WeightingShape {
  /** Batch rows B. */
  readonly batch: number;
  /** Weights per row (memory rows N). */
  readonly n: number;
}

/**
 * Prepares the shift of `weights [batch, n]` by `shift [batch, 3]` into `shifted [batch, n]`
 * (which needs a buffer of its own).
 *
 * @example
 * ```ts
 * const kernel = await shift(context, { weights: wg, shift: s, shifted: ws }, { batch: 16, n: 128 });
 * ```
 */
export async function shift(
  context: GpuContext,
  operands: {
    readonly weights: TensorRegion;
    readonly shift: TensorRegion;
    readonly shifted: TensorRegion;
  },
  shape: WeightingShape,
): Promise<PreparedKernel> {
  const op = "shift";
  const { batch, n } = shape;
  checkSizes(op, { batch, n });
  const { weights, shifted } = operands;
  const taps = operands.shift;
  checkShapes(op, {
    weights: [weights, [batch, n]],
    shift: [taps, [batch, 3]],
    shifted: [shifted, [batch, n]],
  });
  checkOutputsApart(op, { shifted }, { weights, shift: taps });
  const computePipeline = await pipeline(context, "shift", forwardSource);
  return prepareOp(
    context,
    computePipeline,
    [batch, n, regionOffset(weights), regionOffset(taps), regionOffset(shifted)],
    [weights, taps, shifted],
    flatGrid(Math.ceil(batch * n / WORKGROUP)),
  );
}

/**
 * Prepares the shift's backward: from `dShifted [batch, n]` it adds the gradient of the weights
 * to `dWeights [batch, n]` and of the shift to `dShift [batch, 3]` (one workgroup per batch
 * row). The two outputs need buffers of their own.
 *
 * @example
 * ```ts
 * const kernel = await shiftBackward(context, {
 *   weights: wg, shift: s, dShifted: dws, dWeights: dwg, dShift: ds,
 * }, { batch: 16, n: 128 });
 * ```
 */
export async function shiftBackward(
  context: GpuContext,
  operands: {
    readonly weights: TensorRegion;
    readonly shift: TensorRegion;
    readonly dShifted: TensorRegion;
    readonly dWeights: TensorRegion;
    readonly dShift: TensorRegion;
  },
  shape: WeightingShape,
): Promise<PreparedKernel> {
  const op = "shiftBackward";
  const { batch, n } = shape;
  checkSizes(op, { batch, n });
  const { weights, dShifted, dWeights, dShift } = operands;
  const taps = operands.shift;
  checkShapes(op, {
    weights: [weights, [batch, n]],
    shift: [taps, [batch, 3]],
    dShifted: [dShifted, [batch, n]],
    dWeights: [dWeights, [batch, n]],
    dShift: [dShift, [batch, 3]],
  });
  checkOutputsApart(op, { dWeights, dShift }, { weights, shift: taps, dShifted });
  const lanes = rowWorkgroupSize(n);
  // shaders/ops/shift_backward.wgsl: one pass over the row and a reduction.
  const loops = strided(n, lanes) + reductionLoopIterations(lanes);
  checkLoopIterations(context, op, loops, "use shorter rows (n)");
  const computePipeline = await pipeline(context, "shift backward", backwardSource, {
    WORKGROUP_SIZE: lanes,
  });
  return prepareOp(
    context,
    computePipeline,
    [
      batch,
      n,
      regionOffset(weights),
      regionOffset(taps),
      regionOffset(dShifted),
      regionOffset(dWeights),
      regionOffset(dShift),
    ],
    [weights, taps, dShifted, dWeights, dShift],
    flatGrid(batch),
  );
}
