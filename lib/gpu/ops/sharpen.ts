/**
 * The NTM's sharpening on the GPU, forward and backward, one workgroup per batch row:
 * `w[b, i] = ws[b, i]^gamma_b / (Σ_j ws[b, j]^gamma_b + 1e-16)`. Twin: `sharpenForward` and
 * `sharpenBackward` in lib/cpu/addressing.ts.
 *
 * @module
 */

import addressing from "../../../shaders/common/addressing.wgsl" with { type: "text" };
import grid from "../../../shaders/common/grid.wgsl" with { type: "text" };
import reduce from "../../../shaders/common/reduce.wgsl" with { type: "text" };
import forwardKernel from "../../../shaders/ops/sharpen.wgsl" with { type: "text" };
import backwardKernel from "../../../shaders/ops/sharpen_backward.wgsl" with { type: "text" };
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
import type { WeightingShape } from "./shift.ts";

const forwardSource = linkShader(reduce, addressing, grid, forwardKernel);
const backwardSource = linkShader(reduce, addressing, grid, backwardKernel);

/**
 * Prepares the sharpening of `shifted [batch, n]` (values ≥ 0) by `gamma [batch]` (values ≥ 1)
 * into `sharpened [batch, n]`, which needs a buffer of its own.
 *
 * @example
 * ```ts
 * const kernel = await sharpen(context, { shifted: ws, gamma, sharpened: w }, { batch: 16, n: 128 });
 * ```
 */
export async function sharpen(
  context: GpuContext,
  operands: {
    readonly shifted: TensorRegion;
    readonly gamma: TensorRegion;
    readonly sharpened: TensorRegion;
  },
  shape: WeightingShape,
): Promise<PreparedKernel> {
  const op = "sharpen";
  const { batch, n } = shape;
  checkSizes(op, { batch, n });
  const { shifted, gamma, sharpened } = operands;
  checkShapes(op, {
    shifted: [shifted, [batch, n]],
    gamma: [gamma, [batch]],
    sharpened: [sharpened, [batch, n]],
  });
  checkOutputsApart(op, { sharpened }, { shifted, gamma });
  const lanes = rowWorkgroupSize(n);
  // shaders/ops/sharpen.wgsl: two passes over the row and a reduction.
  const loops = 2 * strided(n, lanes) + reductionLoopIterations(lanes);
  checkLoopIterations(context, op, loops, "use shorter rows (n)");
  const computePipeline = await pipeline(context, "sharpen", forwardSource, {
    WORKGROUP_SIZE: lanes,
  });
  return prepareOp(
    context,
    computePipeline,
    [batch, n, regionOffset(shifted), regionOffset(gamma), regionOffset(sharpened)],
    [shifted, gamma, sharpened],
    flatGrid(batch),
  );
}

/**
 * Prepares sharpening's backward: from `dSharpened [batch, n]` (and the forward's input and
 * output) it adds the gradient of the shifted weights to `dShifted [batch, n]` and of gamma to
 * `dGamma [batch]`. A zero shifted weight contributes nothing. The two outputs need buffers of
 * their own.
 *
 * @example
 * ```ts
 * const kernel = await sharpenBackward(context, {
 *   shifted: ws, gamma, sharpened: w, dSharpened: dw, dShifted: dws, dGamma,
 * }, { batch: 16, n: 128 });
 * ```
 */
export async function sharpenBackward(
  context: GpuContext,
  operands: {
    readonly shifted: TensorRegion;
    readonly gamma: TensorRegion;
    readonly sharpened: TensorRegion;
    readonly dSharpened: TensorRegion;
    readonly dShifted: TensorRegion;
    readonly dGamma: TensorRegion;
  },
  shape: WeightingShape,
): Promise<PreparedKernel> {
  const op = "sharpenBackward";
  const { batch, n } = shape;
  checkSizes(op, { batch, n });
  const { shifted, gamma, sharpened, dSharpened, dShifted, dGamma } = operands;
  checkShapes(op, {
    shifted: [shifted, [batch, n]],
    gamma: [gamma, [batch]],
    sharpened: [sharpened, [batch, n]],
    dSharpened: [dSharpened, [batch, n]],
    dShifted: [dShifted, [batch, n]],
    dGamma: [dGamma, [batch]],
  });
  checkOutputsApart(op, { dShifted, dGamma }, { shifted, gamma, sharpened, dSharpened });
  const lanes = rowWorkgroupSize(n);
  // shaders/ops/sharpen_backward.wgsl: two passes over the row, each with a reduction.
  const loops = 2 * (strided(n, lanes) + reductionLoopIterations(lanes));
  checkLoopIterations(context, op, loops, "use shorter rows (n)");
  const computePipeline = await pipeline(context, "sharpen backward", backwardSource, {
    WORKGROUP_SIZE: lanes,
  });
  return prepareOp(
    context,
    computePipeline,
    [
      batch,
      n,
      regionOffset(shifted),
      regionOffset(gamma),
      regionOffset(sharpened),
      regionOffset(dSharpened),
      regionOffset(dShifted),
      regionOffset(dGamma),
    ],
    [shifted, gamma, sharpened, dSharpened, dShifted, dGamma],
    flatGrid(batch),
  );
}
