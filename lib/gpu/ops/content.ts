/**
 * Content addressing on the GPU (paper section 3.3.1), forward and backward, one workgroup per
 * batch row: `K_i = cos(Mem_i + 1e-16, k + 1e-16)` (denominator clamped at 1e-8) and
 * `wc = softmax(beta·K)`. Twin: `contentForward` and `contentBackward` in lib/cpu/addressing.ts.
 *
 * @module
 */

import addressing from "../../../shaders/common/addressing.wgsl" with { type: "text" };
import grid from "../../../shaders/common/grid.wgsl" with { type: "text" };
import reduce from "../../../shaders/common/reduce.wgsl" with { type: "text" };
import softmaxBlocks from "../../../shaders/common/softmax.wgsl" with { type: "text" };
import forwardKernel from "../../../shaders/ops/content.wgsl" with { type: "text" };
import backwardKernel from "../../../shaders/ops/content_backward.wgsl" with { type: "text" };
import {
  checkLoopIterations,
  type GpuContext,
  loopIterations as loop,
  pipeline,
  type PreparedKernel,
  reductionLoopIterations,
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

const forwardSource = linkShader(reduce, softmaxBlocks, addressing, grid, forwardKernel);
const backwardSource = linkShader(reduce, softmaxBlocks, addressing, grid, backwardKernel);

/**
 * Prepares content addressing of memory `[batch, n, m]` by key `[batch, m]` and strength
 * `beta [batch]`: writes `similarity [batch, n]` (kept for the backward) and the weighting
 * `weights [batch, n]`. Outputs need buffers of their own.
 *
 * @example
 * ```ts
 * const kernel = await contentAddressing(context, { memory, key, beta, similarity, weights }, {
 *   batch: 16, n: 128, m: 20,
 * });
 * ```
 */
export async function contentAddressing(
  context: GpuContext,
  operands: {
    readonly memory: TensorRegion;
    readonly key: TensorRegion;
    readonly beta: TensorRegion;
    readonly similarity: TensorRegion;
    readonly weights: TensorRegion;
  },
  shape: MemoryShape,
): Promise<PreparedKernel> {
  const op = "contentAddressing";
  const { batch, n, m } = shape;
  checkSizes(op, { batch, n, m });
  const { memory, key, beta, similarity, weights } = operands;
  checkShapes(op, {
    memory: [memory, [batch, n, m]],
    key: [key, [batch, m]],
    beta: [beta, [batch]],
    similarity: [similarity, [batch, n]],
    weights: [weights, [batch, n]],
  });
  checkOutputsApart(op, { similarity, weights }, { memory, key, beta });
  const lanes = rowWorkgroupSize(n);
  // shaders/ops/content.wgsl: |k|², the rows with a pass over m each, two more passes over the
  // rows, two reductions.
  const loops = loop(m) + strided(n, lanes, loop(m)) + 2 * strided(n, lanes) +
    2 * reductionLoopIterations(lanes);
  checkLoopIterations(context, op, loops, "use a smaller memory (n, m)");
  const computePipeline = await pipeline(context, "content addressing", forwardSource, {
    WORKGROUP_SIZE: lanes,
  });
  return prepareOp(
    context,
    computePipeline,
    [
      batch,
      n,
      m,
      regionOffset(memory),
      regionOffset(key),
      regionOffset(beta),
      regionOffset(similarity),
      regionOffset(weights),
    ],
    [memory, key, beta, similarity, weights],
    flatGrid(batch),
  );
}

/**
 * Prepares the backward of content addressing: from `dWeights [batch, n]` and the forward's
 * operands and outputs, adds the gradients of the memory to `dMemory [batch, n, m]`, of the key
 * to `dKey [batch, m]` and of beta to `dBeta [batch]`. Outputs need buffers of their own.
 *
 * @example
 * ```ts
 * const kernel = await contentAddressingBackward(context, {
 *   memory, key, beta, similarity, weights, dWeights, dMemory, dKey, dBeta,
 * }, { batch: 16, n: 128, m: 20 });
 * ```
 */
export async function contentAddressingBackward(
  context: GpuContext,
  operands: {
    readonly memory: TensorRegion;
    readonly key: TensorRegion;
    readonly beta: TensorRegion;
    readonly similarity: TensorRegion;
    readonly weights: TensorRegion;
    readonly dWeights: TensorRegion;
    readonly dMemory: TensorRegion;
    readonly dKey: TensorRegion;
    readonly dBeta: TensorRegion;
  },
  shape: MemoryShape,
): Promise<PreparedKernel> {
  const op = "contentAddressingBackward";
  const { batch, n, m } = shape;
  checkSizes(op, { batch, n, m });
  const { memory, key, beta, similarity, weights, dWeights, dMemory, dKey, dBeta } = operands;
  checkShapes(op, {
    memory: [memory, [batch, n, m]],
    key: [key, [batch, m]],
    beta: [beta, [batch]],
    similarity: [similarity, [batch, n]],
    weights: [weights, [batch, n]],
    dWeights: [dWeights, [batch, n]],
    dMemory: [dMemory, [batch, n, m]],
    dKey: [dKey, [batch, m]],
    dBeta: [dBeta, [batch]],
  });
  checkOutputsApart(op, { dMemory, dKey, dBeta }, {
    memory,
    key,
    beta,
    similarity,
    weights,
    dWeights,
  });
  const lanes = rowWorkgroupSize(n);
  // shaders/ops/content_backward.wgsl: |k|², a pass over the rows, the rows with two passes
  // over m each, two reductions, the key's columns with a pass over n each.
  const loops = loop(m) + strided(n, lanes) + strided(n, lanes, 2 * loop(m)) +
    2 * reductionLoopIterations(lanes) + strided(m, lanes, loop(n));
  checkLoopIterations(context, op, loops, "use a smaller memory (n, m)");
  const computePipeline = await pipeline(context, "content addressing backward", backwardSource, {
    WORKGROUP_SIZE: lanes,
    ROWS: n,
  });
  return prepareOp(
    context,
    computePipeline,
    [
      batch,
      n,
      m,
      regionOffset(memory),
      regionOffset(key),
      regionOffset(beta),
      regionOffset(similarity),
      regionOffset(weights),
      regionOffset(dWeights),
      regionOffset(dMemory),
      regionOffset(dKey),
      regionOffset(dBeta),
    ],
    [memory, key, beta, similarity, weights, dWeights, dMemory, dKey, dBeta],
    flatGrid(batch),
  );
}
