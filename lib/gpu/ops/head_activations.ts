/**
 * A head's activations on the GPU, forward and backward, over its linear output `[batch, width]`
 * in the reference's split order (`k, beta, g, s, gamma [, e, a]`; see `headLayout` in
 * lib/config.ts): `beta = softplus`, `g = sigmoid`, `s = softmax` over 3, `gamma = 1 + softplus`,
 * `e = sigmoid`, `k` and `a` raw. Twin: lib/cpu/head_activations.ts.
 *
 * @module
 */

import activations from "../../../shaders/common/activations.wgsl" with { type: "text" };
import grid from "../../../shaders/common/grid.wgsl" with { type: "text" };
import head from "../../../shaders/common/head.wgsl" with { type: "text" };
import softmaxBlocks from "../../../shaders/common/softmax.wgsl" with { type: "text" };
import kernel from "../../../shaders/ops/head_activations.wgsl" with { type: "text" };
import { type HeadKind, headLayout } from "../../config.ts";
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

const source = linkShader(activations, softmaxBlocks, head, grid, kernel);
/** Invocations per workgroup in shaders/ops/head_activations.wgsl. */
const WORKGROUP = 64;

/** The heads of one kind over a batch: `batch` rows of a head with memory width `m`. */
export interface HeadShape {
  /** Read (width M + 6) or write (width 3M + 6). */
  readonly kind: HeadKind;
  /** Batch rows B. */
  readonly batch: number;
  /** Memory width M, the length of `k` (and of `e` and `a` for writes). */
  readonly m: number;
}

/** The head's width, after checking the shape. */
function checkHead(op: string, shape: HeadShape): number {
  checkSizes(op, { batch: shape.batch, m: shape.m });
  if (shape.kind !== "read" && shape.kind !== "write") {
    throw new RangeError(
      `Cannot prepare ${op}: kind must be "read" or "write", got "${shape.kind}"`,
    );
  }
  return headLayout(shape.kind, shape.m).width;
}

/**
 * Prepares `act = activate(raw)` for `raw [batch, width]` (width M + 6 for a read head, 3M + 6
 * for a write head); act needs a buffer of its own.
 *
 * @example
 * ```ts
 * const kernel = await headActivations(context, { raw, act }, { kind: "write", batch: 16, m: 20 });
 * ```
 */
export async function headActivations(
  context: GpuContext,
  operands: { readonly raw: TensorRegion; readonly act: TensorRegion },
  shape: HeadShape,
): Promise<PreparedKernel> {
  const op = "headActivations";
  const width = checkHead(op, shape);
  const { batch, m } = shape;
  const { raw, act } = operands;
  checkShapes(op, { raw: [raw, [batch, width]], act: [act, [batch, width]] });
  checkOutputsApart(op, { act }, { raw });
  const computePipeline = await pipeline(
    context,
    "head activations forward",
    source,
    {},
    "forward",
  );
  return prepareOp(
    context,
    computePipeline,
    [batch, m, width, regionOffset(raw), regionOffset(act), 0, 0],
    [raw, act],
    flatGrid(Math.ceil(batch * width / WORKGROUP)),
  );
}

/**
 * Prepares the backward: from `dAct [batch, width]` and the forward's `raw` and `act`, writes
 * `dRaw [batch, width]` (which needs a buffer of its own).
 *
 * @example
 * ```ts
 * const kernel = await headActivationsBackward(context, { raw, act, dAct, dRaw }, {
 *   kind: "write", batch: 16, m: 20,
 * });
 * ```
 */
export async function headActivationsBackward(
  context: GpuContext,
  operands: {
    readonly raw: TensorRegion;
    readonly act: TensorRegion;
    readonly dAct: TensorRegion;
    readonly dRaw: TensorRegion;
  },
  shape: HeadShape,
): Promise<PreparedKernel> {
  const op = "headActivationsBackward";
  const width = checkHead(op, shape);
  const { batch, m } = shape;
  const { raw, act, dAct, dRaw } = operands;
  checkShapes(op, {
    raw: [raw, [batch, width]],
    act: [act, [batch, width]],
    dAct: [dAct, [batch, width]],
    dRaw: [dRaw, [batch, width]],
  });
  checkOutputsApart(op, { dRaw }, { raw, act, dAct });
  const computePipeline = await pipeline(
    context,
    "head activations backward",
    source,
    {},
    "backward",
  );
  return prepareOp(
    context,
    computePipeline,
    [batch, m, width, regionOffset(raw), regionOffset(dRaw), regionOffset(act), regionOffset(dAct)],
    [raw, dRaw, act, dAct],
    flatGrid(Math.ceil(batch * width / WORKGROUP)),
  );
}
