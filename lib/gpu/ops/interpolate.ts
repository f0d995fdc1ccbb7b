/**
 * The NTM's interpolation with the previous weighting on the GPU, forward and backward:
 * `wg[b, i] = g_b·wc[b, i] + (1 - g_b)·w_prev[b, i]`. Twin: `interpolateForward` and
 * `interpolateBackward` in lib/cpu/addressing.ts.
 *
 * @module
 */

import addressing from "../../../shaders/common/addressing.wgsl" with { type: "text" };
import grid from "../../../shaders/common/grid.wgsl" with { type: "text" };
import reduce from "../../../shaders/common/reduce.wgsl" with { type: "text" };
import forwardKernel from "../../../shaders/ops/interpolate.wgsl" with { type: "text" };
import backwardKernel from "../../../shaders/ops/interpolate_backward.wgsl" with {
  type: "text",
};
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

const forwardSource = linkShader(addressing, grid, forwardKernel);
const backwardSource = linkShader(reduce, addressing, grid, backwardKernel);
/** Invocations per workgroup in shaders/ops/interpolate.wgsl. */
const WORKGROUP = 64;

/**
 * Prepares the interpolation of `content [batch, n]` and `previous [batch, n]` by
 * `gate [batch]` into `interpolated [batch, n]` (which needs a buffer of its own).
 *
 * @example
 * ```ts
 * const kernel = await interpolate(context, { content: wc, previous: wPrev, gate, interpolated: wg }, {
 *   batch: 16, n: 128,
 * });
 * ```
 */
export async function interpolate(
  context: GpuContext,
  operands: {
    readonly content: TensorRegion;
    readonly previous: TensorRegion;
    readonly gate: TensorRegion;
    readonly interpolated: TensorRegion;
  },
  shape: WeightingShape,
): Promise<PreparedKernel> {
  const op = "interpolate";
  const { batch, n } = shape;
  checkSizes(op, { batch, n });
  const { content, previous, gate, interpolated } = operands;
  checkShapes(op, {
    content: [content, [batch, n]],
    previous: [previous, [batch, n]],
    gate: [gate, [batch]],
    interpolated: [interpolated, [batch, n]],
  });
  checkOutputsApart(op, { interpolated }, { content, previous, gate });
  const computePipeline = await pipeline(context, "interpolate", forwardSource);
  return prepareOp(
    context,
    computePipeline,
    [
      batch,
      n,
      regionOffset(content),
      regionOffset(previous),
      regionOffset(gate),
      regionOffset(interpolated),
    ],
    [content, previous, gate, interpolated],
    flatGrid(Math.ceil(batch * n / WORKGROUP)),
  );
}

/**
 * Prepares the interpolation's backward: from `dInterpolated [batch, n]` adds to `dContent`,
 * `dPrevious [batch, n]` and `dGate [batch]`. Outputs need buffers of their own.
 *
 * @example
 * ```ts
 * const kernel = await interpolateBackward(context, {
 *   content: wc, previous: wPrev, gate, dInterpolated: dwg, dContent: dwc, dPrevious: dwPrev, dGate,
 * }, { batch: 16, n: 128 });
 * ```
 */
export async function interpolateBackward(
  context: GpuContext,
  operands: {
    readonly content: TensorRegion;
    readonly previous: TensorRegion;
    readonly gate: TensorRegion;
    readonly dInterpolated: TensorRegion;
    readonly dContent: TensorRegion;
    readonly dPrevious: TensorRegion;
    readonly dGate: TensorRegion;
  },
  shape: WeightingShape,
): Promise<PreparedKernel> {
  const op = "interpolateBackward";
  const { batch, n } = shape;
  checkSizes(op, { batch, n });
  const { content, previous, gate, dInterpolated, dContent, dPrevious, dGate } = operands;
  checkShapes(op, {
    content: [content, [batch, n]],
    previous: [previous, [batch, n]],
    gate: [gate, [batch]],
    dInterpolated: [dInterpolated, [batch, n]],
    dContent: [dContent, [batch, n]],
    dPrevious: [dPrevious, [batch, n]],
    dGate: [dGate, [batch]],
  });
  checkOutputsApart(op, { dContent, dPrevious, dGate }, {
    content,
    previous,
    gate,
    dInterpolated,
  });
  const lanes = rowWorkgroupSize(n);
  // shaders/ops/interpolate_backward.wgsl: one pass over the row and a reduction.
  const loops = strided(n, lanes) + reductionLoopIterations(lanes);
  checkLoopIterations(context, op, loops, "use shorter rows (n)");
  const computePipeline = await pipeline(context, "interpolate backward", backwardSource, {
    WORKGROUP_SIZE: lanes,
  });
  return prepareOp(
    context,
    computePipeline,
    [
      batch,
      n,
      regionOffset(content),
      regionOffset(previous),
      regionOffset(gate),
      regionOffset(dInterpolated),
      regionOffset(dContent),
      regionOffset(dPrevious),
      regionOffset(dGate),
    ],
    [content, previous, gate, dInterpolated, dContent, dPrevious, dGate],
    flatGrid(batch),
  );
}
