/**
 * Sum reductions on the GPU: over the rows of a `[count, width]` array (a bias gradient) and of
 * all elements. Twin: lib/cpu/sum.ts.
 *
 * @module
 */

import reduce from "../../../shaders/common/reduce.wgsl" with { type: "text" };
import kernel from "../../../shaders/ops/sum.wgsl" with { type: "text" };
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
import { prepareOp } from "./launch.ts";
import {
  checkOutputsApart,
  checkRegion,
  checkSizes,
  regionOffset,
  type TensorRegion,
} from "./region.ts";

const source = linkShader(reduce, kernel);
/** Columns per workgroup for `sumRows`; lanes of the single workgroup of `sumAll`. */
const ROWS_WORKGROUP = 64;
const TOTAL_WORKGROUP = 256;

/** Operands of a sum: the input and the output it writes (or adds to). */
export interface SumOperands {
  /** The values summed: `[count, width]` for `sumRows`, `[count]` for `sumAll`. */
  readonly input: TensorRegion;
  /** The sums: `[width]` for `sumRows`, `[1]` for `sumAll`. */
  readonly output: TensorRegion;
}

/**
 * Prepares `output[c] (+)= Σ_r input[r, c]` over a `[count, width]` input; output needs a buffer
 * of its own.
 *
 * @example Bias gradient `db += Σ_rows dY` of a linear layer with 400 outputs over 1300 vectors
 * ```ts
 * const kernel = await sumRows(context, { input: dY, output: dBias }, {
 *   count: 1300, width: 400, accumulate: true,
 * });
 * ```
 */
export async function sumRows(
  context: GpuContext,
  operands: SumOperands,
  shape: { readonly count: number; readonly width: number; readonly accumulate?: boolean },
): Promise<PreparedKernel> {
  const op = "sumRows";
  const { count, width } = shape;
  checkSizes(op, { count, width });
  const { input, output } = operands;
  checkRegion(op, "input", input, count * width, [count, width]);
  checkRegion(op, "output", output, width, [width]);
  checkOutputsApart(op, { output }, { input });
  // shaders/ops/sum.wgsl `rows`: one pass over the rows.
  checkLoopIterations(context, op, loop(count), "sum fewer rows at a time (count)");
  const computePipeline = await pipeline(context, "sum rows", source, {
    WORKGROUP_SIZE: ROWS_WORKGROUP,
    ACCUMULATE: shape.accumulate ? 1 : 0,
  }, "rows");
  return prepareOp(
    context,
    computePipeline,
    [count, width, regionOffset(input), regionOffset(output)],
    [input, output],
    [Math.ceil(width / ROWS_WORKGROUP)],
  );
}

/**
 * Prepares `output[0] (+)= Σ_i input[i]` over `count` elements (one workgroup); output needs a
 * buffer of its own.
 *
 * @example
 * ```ts
 * const kernel = await sumAll(context, { input: losses, output: total }, { count: 160 });
 * ```
 */
export async function sumAll(
  context: GpuContext,
  operands: SumOperands,
  shape: { readonly count: number; readonly accumulate?: boolean },
): Promise<PreparedKernel> {
  const op = "sumAll";
  const { count } = shape;
  checkSizes(op, { count });
  const { input, output } = operands;
  checkRegion(op, "input", input, count, [count]);
  checkRegion(op, "output", output, 1, [1]);
  checkOutputsApart(op, { output }, { input });
  // shaders/ops/sum.wgsl `total`: one pass over the elements and a reduction.
  const loops = strided(count, TOTAL_WORKGROUP) + reductionLoopIterations(TOTAL_WORKGROUP);
  checkLoopIterations(context, op, loops, "sum fewer elements at a time (count)");
  const computePipeline = await pipeline(context, "sum total", source, {
    WORKGROUP_SIZE: TOTAL_WORKGROUP,
    ACCUMULATE: shape.accumulate ? 1 : 0,
  }, "total");
  return prepareOp(
    context,
    computePipeline,
    [count, 1, regionOffset(input), regionOffset(output)],
    [input, output],
    [1],
  );
}
