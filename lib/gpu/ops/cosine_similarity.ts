/**
 * Row-wise cosine similarity on the GPU: each memory row of every batch row against that batch
 * row's key, with the NTM reference's 1e-16 offsets and 1e-8 denominator floor. Twin: the
 * similarity of `contentForward` in lib/cpu/addressing.ts.
 *
 * @module
 */

import addressing from "../../../shaders/common/addressing.wgsl" with { type: "text" };
import grid from "../../../shaders/common/grid.wgsl" with { type: "text" };
import kernel from "../../../shaders/ops/cosine_similarity.wgsl" with { type: "text" };
import {
  checkLoopIterations,
  type GpuContext,
  loopIterations as loop,
  pipeline,
  type PreparedKernel,
} from "../context.ts";
import { linkShader } from "../shader.ts";
import { flatGrid, prepareOp } from "./launch.ts";
import {
  checkOutputsApart,
  checkShapes,
  checkSizes,
  regionOffset,
  type TensorRegion,
} from "./region.ts";

const source = linkShader(addressing, grid, kernel);
/** Invocations per workgroup in shaders/ops/cosine_similarity.wgsl. */
const WORKGROUP = 64;

/** Sizes of a memory: `batch` rows of `n` memory rows of width `m`. */
export interface MemoryShape {
  /** Batch rows B, each with its own memory and key. */
  readonly batch: number;
  /** Memory rows N. */
  readonly n: number;
  /** Memory width M, the length of each row and of the key. */
  readonly m: number;
}

/**
 * Prepares `similarity[b, i] = cos(memory[b, i, :] + 1e-16, key[b, :] + 1e-16)` for memory
 * `[batch, n, m]`, key `[batch, m]` and similarity `[batch, n]` (which needs a buffer of its own).
 *
 * @example
 * ```ts
 * const kernel = await cosineSimilarity(context, { memory, key, similarity }, {
 *   batch: 16, n: 128, m: 20,
 * });
 * ```
 */
export async function cosineSimilarity(
  context: GpuContext,
  operands: {
    readonly memory: TensorRegion;
    readonly key: TensorRegion;
    readonly similarity: TensorRegion;
  },
  shape: MemoryShape,
): Promise<PreparedKernel> {
  const op = "cosineSimilarity";
  const { batch, n, m } = shape;
  checkSizes(op, { batch, n, m });
  const { memory, key, similarity } = operands;
  checkShapes(op, {
    memory: [memory, [batch, n, m]],
    key: [key, [batch, m]],
    similarity: [similarity, [batch, n]],
  });
  checkOutputsApart(op, { similarity }, { memory, key });
  // shaders/ops/cosine_similarity.wgsl: one pass over a row's m values.
  checkLoopIterations(context, op, loop(m), "use shorter memory rows (m)");
  const computePipeline = await pipeline(context, "cosine similarity", source);
  return prepareOp(
    context,
    computePipeline,
    [batch, n, m, regionOffset(memory), regionOffset(key), regionOffset(similarity)],
    [memory, key, similarity],
    flatGrid(Math.ceil(batch * n / WORKGROUP)),
  );
}
