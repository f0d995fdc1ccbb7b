/**
 * The LSTM cell's pointwise part on the GPU, forward and backward (PyTorch's gate order i, f,
 * g, o; the matrix products around it are `matmul`s). Twin: the pointwise loops of
 * `lstmForward` and `lstmBackward` in lib/cpu/lstm.ts.
 *
 * @module
 */

import activations from "../../../shaders/common/activations.wgsl" with { type: "text" };
import grid from "../../../shaders/common/grid.wgsl" with { type: "text" };
import lstm from "../../../shaders/common/lstm.wgsl" with { type: "text" };
import forwardKernel from "../../../shaders/ops/lstm_cell.wgsl" with { type: "text" };
import backwardKernel from "../../../shaders/ops/lstm_cell_backward.wgsl" with { type: "text" };
import { type GpuContext, pipeline, type PreparedKernel } from "../context.ts";
import { linkShader } from "../shader.ts";
import { flatGrid, prepareOp } from "./launch.ts";
import {
  checkOutputsApart,
  checkShapes,
  checkSizes,
  regionOffset,
  type TensorRegion,
} from "./region.ts";

const forwardSource = linkShader(activations, lstm, grid, forwardKernel);
const backwardSource = linkShader(activations, lstm, grid, backwardKernel);
/** Invocations per workgroup in shaders/ops/lstm_cell*.wgsl. */
const WORKGROUP = 64;

/** Sizes of an LSTM step: `batch` rows, `hidden` units (H). */
export interface LstmCellShape {
  /** Batch rows B. */
  readonly batch: number;
  /** Units H per layer; the gates hold 4H values per row. */
  readonly hidden: number;
}

/**
 * Prepares the cell: from `preActivations [batch, 4H]` (`W_ih·x + b_ih + W_hh·h_prev + b_hh`,
 * gates i, f, g, o) and `cPrev [batch, H]` writes the activated `gates [batch, 4H]` (kept for
 * the backward), `c = f·c_prev + i·g` and `h = o·tanh(c)`. Outputs need buffers of their own.
 *
 * @example
 * ```ts
 * const kernel = await lstmCell(context, { preActivations, cPrev, gates, c, h }, {
 *   batch: 16, hidden: 100,
 * });
 * ```
 */
export async function lstmCell(
  context: GpuContext,
  operands: {
    readonly preActivations: TensorRegion;
    readonly cPrev: TensorRegion;
    readonly gates: TensorRegion;
    readonly c: TensorRegion;
    readonly h: TensorRegion;
  },
  shape: LstmCellShape,
): Promise<PreparedKernel> {
  const op = "lstmCell";
  const { batch, hidden } = shape;
  checkSizes(op, { batch, hidden });
  const { preActivations, cPrev, gates, c, h } = operands;
  checkShapes(op, {
    preActivations: [preActivations, [batch, 4 * hidden]],
    cPrev: [cPrev, [batch, hidden]],
    gates: [gates, [batch, 4 * hidden]],
    c: [c, [batch, hidden]],
    h: [h, [batch, hidden]],
  });
  checkOutputsApart(op, { gates, c, h }, { preActivations, cPrev });
  const computePipeline = await pipeline(context, "lstm cell", forwardSource);
  return prepareOp(
    context,
    computePipeline,
    [
      batch,
      hidden,
      regionOffset(preActivations),
      regionOffset(cPrev),
      regionOffset(gates),
      regionOffset(c),
      regionOffset(h),
    ],
    [preActivations, cPrev, gates, c, h],
    flatGrid(Math.ceil(batch * hidden / WORKGROUP)),
  );
}

/**
 * Prepares the cell's backward: from the forward's `gates`, `cPrev` and `c`, the gradient `dh`
 * of h and `dc` of c (from the next step), writes the pre-activation gradients
 * `dPreActivations [batch, 4H]` and `dcPrev [batch, H]`. Outputs need buffers of their own.
 *
 * @example
 * ```ts
 * const kernel = await lstmCellBackward(context, {
 *   gates, cPrev, c, dh, dc, dPreActivations, dcPrev,
 * }, { batch: 16, hidden: 100 });
 * ```
 */
export async function lstmCellBackward(
  context: GpuContext,
  operands: {
    readonly gates: TensorRegion;
    readonly cPrev: TensorRegion;
    readonly c: TensorRegion;
    readonly dh: TensorRegion;
    readonly dc: TensorRegion;
    readonly dPreActivations: TensorRegion;
    readonly dcPrev: TensorRegion;
  },
  shape: LstmCellShape,
): Promise<PreparedKernel> {
  const op = "lstmCellBackward";
  const { batch, hidden } = shape;
  checkSizes(op, { batch, hidden });
  const { gates, cPrev, c, dh, dc, dPreActivations, dcPrev } = operands;
  checkShapes(op, {
    gates: [gates, [batch, 4 * hidden]],
    cPrev: [cPrev, [batch, hidden]],
    c: [c, [batch, hidden]],
    dh: [dh, [batch, hidden]],
    dc: [dc, [batch, hidden]],
    dPreActivations: [dPreActivations, [batch, 4 * hidden]],
    dcPrev: [dcPrev, [batch, hidden]],
  });
  checkOutputsApart(op, { dPreActivations, dcPrev }, { gates, cPrev, c, dh, dc });
  const computePipeline = await pipeline(context, "lstm cell backward", backwardSource);
  return prepareOp(
    context,
    computePipeline,
    [
      batch,
      hidden,
      regionOffset(gates),
      regionOffset(cPrev),
      regionOffset(c),
      regionOffset(dh),
      regionOffset(dc),
      regionOffset(dPreActivations),
      regionOffset(dcPrev),
    ],
    [gates, cPrev, c, dh, dc, dPreActivations, dcPrev],
    flatGrid(Math.ceil(batch * hidden / WORKGROUP)),
  );
}
