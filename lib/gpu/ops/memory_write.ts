/**
 * The NTM memory write on the GPU (paper section 3.2), forward and backward:
 * `Mem'[b, i, m] = Mem[b, i, m]·(1 - w[b, i]·e[b, m]) + w[b, i]·a[b, m]`. Twin: `writeForward`
 * and `writeBackward` in lib/cpu/memory.ts.
 *
 * @module
 */

import grid from "../../../shaders/common/grid.wgsl" with { type: "text" };
import memoryBlocks from "../../../shaders/common/memory.wgsl" with { type: "text" };
import forwardKernel from "../../../shaders/ops/memory_write.wgsl" with { type: "text" };
import backwardKernel from "../../../shaders/ops/memory_write_backward.wgsl" with {
  type: "text",
};
import {
  checkLoopIterations,
  type GpuContext,
  loopIterations as loop,
  pipeline,
  type PreparedKernel,
  stridedLoopIterations as strided,
} from "../context.ts";
import { linkShader } from "../shader.ts";
import type { MemoryShape } from "./cosine_similarity.ts";
import { flatGrid, prepareOp, rowWorkgroupSize } from "./launch.ts";
import {
  checkOutputsApart,
  checkShapes,
  checkSizes,
  regionOffset,
  type TensorRegion,
} from "./region.ts";

const forwardSource = linkShader(memoryBlocks, grid, forwardKernel);
const backwardSource = linkShader(memoryBlocks, grid, backwardKernel);
/** Invocations per workgroup in shaders/ops/memory_write.wgsl. */
const WORKGROUP = 64;

/**
 * Prepares the write of `before [batch, n, m]` by weights `[batch, n]`, erase and add vectors
 * `[batch, m]` into `after [batch, n, m]` (which needs a buffer of its own).
 *
 * @example
 * ```ts
 * const kernel = await memoryWrite(context, { before, weights, erase, add, after }, {
 *   batch: 16, n: 128, m: 20,
 * });
 * ```
 */
export async function memoryWrite(
  context: GpuContext,
  operands: {
    readonly before: TensorRegion;
    readonly weights: TensorRegion;
    readonly erase: TensorRegion;
    readonly add: TensorRegion;
    readonly after: TensorRegion;
  },
  shape: MemoryShape,
): Promise<PreparedKernel> {
  const op = "memoryWrite";
  const { batch, n, m } = shape;
  checkSizes(op, { batch, n, m });
  const { before, weights, erase, add, after } = operands;
  checkShapes(op, {
    before: [before, [batch, n, m]],
    weights: [weights, [batch, n]],
    erase: [erase, [batch, m]],
    add: [add, [batch, m]],
    after: [after, [batch, n, m]],
  });
  checkOutputsApart(op, { after }, { before, weights, erase, add });
  const computePipeline = await pipeline(context, "memory write", forwardSource);
  return prepareOp(
    context,
    computePipeline,
    [
      batch,
      n,
      m,
      regionOffset(before),
      regionOffset(weights),
      regionOffset(erase),
      regionOffset(add),
      regionOffset(after),
    ],
    [before, weights, erase, add, after],
    flatGrid(Math.ceil(batch * n * m / WORKGROUP)),
  );
}

/**
 * Prepares the write's backward: from `dAfter [batch, n, m]` (the gradient of the memory after
 * the write) writes `dBefore [batch, n, m]` and adds to `dWeights [batch, n]`, `dErase` and
 * `dAdd [batch, m]`. Outputs need buffers of their own.
 *
 * @example
 * ```ts
 * const kernel = await memoryWriteBackward(context, {
 *   before, weights, erase, add, dAfter, dBefore, dWeights, dErase, dAdd,
 * }, { batch: 16, n: 128, m: 20 });
 * ```
 */
export async function memoryWriteBackward(
  context: GpuContext,
  operands: {
    readonly before: TensorRegion;
    readonly weights: TensorRegion;
    readonly erase: TensorRegion;
    readonly add: TensorRegion;
    readonly dAfter: TensorRegion;
    readonly dBefore: TensorRegion;
    readonly dWeights: TensorRegion;
    readonly dErase: TensorRegion;
    readonly dAdd: TensorRegion;
  },
  shape: MemoryShape,
): Promise<PreparedKernel> {
  const op = "memoryWriteBackward";
  const { batch, n, m } = shape;
  checkSizes(op, { batch, n, m });
  const { before, weights, erase, add, dAfter, dBefore, dWeights, dErase, dAdd } = operands;
  checkShapes(op, {
    before: [before, [batch, n, m]],
    weights: [weights, [batch, n]],
    erase: [erase, [batch, m]],
    add: [add, [batch, m]],
    dAfter: [dAfter, [batch, n, m]],
    dBefore: [dBefore, [batch, n, m]],
    dWeights: [dWeights, [batch, n]],
    dErase: [dErase, [batch, m]],
    dAdd: [dAdd, [batch, m]],
  });
  checkOutputsApart(op, { dBefore, dWeights, dErase, dAdd }, {
    before,
    weights,
    erase,
    add,
    dAfter,
  });
  const lanes = rowWorkgroupSize(n);
  // shaders/ops/memory_write_backward.wgsl: the rows with a pass over m each, the columns with
  // a pass over n each.
  const loops = strided(n, lanes, loop(m)) + strided(m, lanes, loop(n));
  checkLoopIterations(context, op, loops, "use a smaller memory (n, m)");
  const computePipeline = await pipeline(context, "memory write backward", backwardSource, {
    WORKGROUP_SIZE: lanes,
  });
  return prepareOp(
    context,
    computePipeline,
    [
      batch,
      n,
      m,
      regionOffset(before),
      regionOffset(weights),
      regionOffset(erase),
      regionOffset(add),
      regionOffset(dAfter),
      regionOffset(dBefore),
      regionOffset(dWeights),
      regionOffset(dErase),
      regionOffset(dAdd),
    ],
    [before, weights, erase, add, dAfter, dBefore, dWeights, dErase, dAdd],
    flatGrid(batch),
  );
}
