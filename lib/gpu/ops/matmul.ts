/**
 * Matrix product on the GPU: `C[m, n] (+)= Σ_k op(A)[m, k]·op(B)[k, n]`, row-major, with either
 * operand transposed and an accumulate flag. The linear layers' three products are its forms:
 * forward `Y = X·Wᵀ` (transposeB), backward to the input `dX = dY·W`, and to the weights
 * `dW += dYᵀ·X` (transposeA, accumulate).
 *
 * @module
 */

import source from "../../../shaders/ops/matmul.wgsl" with { type: "text" };
import { type GpuContext, pipeline, type PreparedKernel } from "../context.ts";
import { prepareOp } from "./launch.ts";
import {
  checkOutputsApart,
  checkRegion,
  checkSizes,
  regionOffset,
  type TensorRegion,
} from "./region.ts";

/** Rows and columns of C one workgroup computes (shaders/ops/matmul.wgsl: 8 lanes × 8 each). */
const TILE = 64;

/** The sizes and form of a matrix product. */
export interface MatmulShape {
  /** Rows of C (and of op(A)). */
  readonly m: number;
  /** Columns of C (and of op(B)). */
  readonly n: number;
  /** The summed dimension. */
  readonly k: number;
  /** A is stored `[k, m]` and used transposed. */
  readonly transposeA?: boolean;
  /** B is stored `[n, k]` and used transposed. */
  readonly transposeB?: boolean;
  /** Add the product to C instead of overwriting it. */
  readonly accumulate?: boolean;
}

/** The operands of `matmul`; C needs a buffer of its own. */
export interface MatmulOperands {
  readonly a: TensorRegion;
  readonly b: TensorRegion;
  readonly c: TensorRegion;
}

/**
 * Prepares `C (+)= op(A)·op(B)`. Throws a RangeError naming the operand whose region is too
 * small for the shape, or a size that is not a positive integer.
 *
 * @example Weight gradient of a linear layer, `dW [rows, cols] += dYᵀ·X` over `count` vectors
 * ```ts
 * const kernel = await matmul(context, { a: dY, b: X, c: dW }, {
 *   m: rows, n: cols, k: count, transposeA: true, accumulate: true,
 * });
 * await runKernels(context, [kernel]);
 * ```
 */
export async function matmul(
  context: GpuContext,
  operands: MatmulOperands,
  shape: MatmulShape,
): Promise<PreparedKernel> {
  const { m, n, k } = shape;
  const op = "matmul";
  checkSizes(op, { m, n, k });
  const { a, b, c } = operands;
  checkRegion(op, "A", a, m * k, shape.transposeA ? [k, m] : [m, k]);
  checkRegion(op, "B", b, k * n, shape.transposeB ? [n, k] : [k, n]);
  checkRegion(op, "C", c, m * n, [m, n]);
  checkOutputsApart(op, { C: c }, { A: a, B: b });
  const computePipeline = await pipeline(context, op, source, {
    TRANSPOSE_A: shape.transposeA ? 1 : 0,
    TRANSPOSE_B: shape.transposeB ? 1 : 0,
    ACCUMULATE: shape.accumulate ? 1 : 0,
  });
  return prepareOp(
    context,
    computePipeline,
    [m, n, k, regionOffset(a), regionOffset(b), regionOffset(c)],
    [a, b, c],
    [Math.ceil(n / TILE), Math.ceil(m / TILE)],
  );
}
