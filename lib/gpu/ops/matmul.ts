/**
 * Matrix product on the GPU: `C[m, n] (+)= Σ_k op(A)[m, k]·op(B)[k, n]`, row-major, with either
 * operand transposed and an accumulate flag. The linear layers' three products are its forms:
 * forward `Y = X·Wᵀ` (transposeB), backward to the input `dX = dY·W`, and to the weights
 * `dW += dYᵀ·X` (transposeA, accumulate).
 *
 * @module
 */

import source from "../../../shaders/ops/matmul.wgsl" with { type: "text" };
import {
  checkLoopIterations,
  type GpuContext,
  loopIterations as loop,
  pipeline,
  type PreparedKernel,
} from "../context.ts";
import { prepareOp } from "./launch.ts";
import {
  checkOutputsApart,
  checkRegion,
  checkSizes,
  regionOffset,
  type TensorRegion,
} from "./region.ts";

/** Lanes along each side of a workgroup (shaders/ops/matmul.wgsl). */
const LANES = 8;
/** Columns of C per lane, and the most rows per lane. */
const COLUMNS_PER_LANE = 8;
const MAX_ROWS_PER_LANE = 8;

/**
 * Rows of C per lane, from a cost model: the rows computed (m rounded up to whole tiles of
 * 8 lanes × rows) times (1 + 1/rows), since each step of k loads 8 values of B shared by the
 * lane's rows and one of A per row. Ties go to more rows. m = 400 gives 5 (tiles of 40, none
 * wasted), m = 66 gives 5 (80 rows), m = 1300 gives 8.
 */
export function matmulRowsPerLane(m: number): number {
  let best = MAX_ROWS_PER_LANE, leastCost = Infinity;
  for (let rows = MAX_ROWS_PER_LANE; rows >= 1; rows--) {
    const tile = LANES * rows;
    const cost = Math.ceil(m / tile) * tile * (1 + 1 / rows);
    if (cost < leastCost) [best, leastCost] = [rows, cost];
  }
  return best;
}

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
  /** A: `[m, k]`, or `[k, m]` with `transposeA`. */
  readonly a: TensorRegion;
  /** B: `[k, n]`, or `[n, k]` with `transposeB`. */
  readonly b: TensorRegion;
  /** C: `[m, n]`, written (or added to with `accumulate`). */
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
  const rowsPerLane = matmulRowsPerLane(m);
  // shaders/ops/matmul.wgsl: a lane's rows and columns, the k loop over its rows, the stores.
  const loops = loop(rowsPerLane) + loop(COLUMNS_PER_LANE) + loop(k, loop(rowsPerLane)) +
    loop(rowsPerLane, loop(COLUMNS_PER_LANE));
  checkLoopIterations(context, op, loops, "split k into products that accumulate");
  const computePipeline = await pipeline(context, op, source, {
    ROWS_PER_LANE: rowsPerLane,
    TRANSPOSE_A: shape.transposeA ? 1 : 0,
    TRANSPOSE_B: shape.transposeB ? 1 : 0,
    ACCUMULATE: shape.accumulate ? 1 : 0,
  });
  return prepareOp(
    context,
    computePipeline,
    [m, n, k, regionOffset(a), regionOffset(b), regionOffset(c)],
    [a, b, c],
    [Math.ceil(n / (LANES * COLUMNS_PER_LANE)), Math.ceil(m / (LANES * rowsPerLane))],
  );
}
