/**
 * Pointwise activations on the GPU, `y = f(x)`, and their gradients `dx = dy·f'`, for
 * f = sigmoid, tanh or softplus (PyTorch's, threshold 20). Twins: lib/cpu/activations.ts and
 * `Math.tanh`.
 *
 * @module
 */

import activations from "../../../shaders/common/activations.wgsl" with { type: "text" };
import grid from "../../../shaders/common/grid.wgsl" with { type: "text" };
import kernel from "../../../shaders/ops/activation.wgsl" with { type: "text" };
import { type GpuContext, pipeline, type PreparedKernel } from "../context.ts";
import { linkShader } from "../shader.ts";
import { flatGrid, prepareOp } from "./launch.ts";
import {
  checkOutputsApart,
  checkRegion,
  checkSizes,
  regionOffset,
  type TensorRegion,
} from "./region.ts";

const source = linkShader(activations, grid, kernel);
/** Invocations per workgroup in shaders/ops/activation.wgsl. */
const WORKGROUP = 64;
/** The pointwise activations. */
export type ActivationName = "sigmoid" | "tanh" | "softplus";

/** The `FUNCTION` override value that selects each activation in the shader. */
const FUNCTIONS: Readonly<Record<ActivationName, number>> = { sigmoid: 0, tanh: 1, softplus: 2 };

function checkName(op: string, name: ActivationName): void {
  if (!(name in FUNCTIONS)) {
    throw new RangeError(
      `Cannot prepare ${op}: unknown activation "${name}"; valid are ${
        Object.keys(FUNCTIONS).join(", ")
      }`,
    );
  }
}

/**
 * Prepares `y = f(x)` over `count` elements; y needs a buffer of its own.
 *
 * @example
 * ```ts
 * const kernel = await activation(context, "sigmoid", { x, y }, 400);
 * ```
 */
export async function activation(
  context: GpuContext,
  name: ActivationName,
  operands: { readonly x: TensorRegion; readonly y: TensorRegion },
  count: number,
): Promise<PreparedKernel> {
  const op = `activation ${name}`;
  checkName(op, name);
  checkSizes(op, { count });
  const { x, y } = operands;
  checkRegion(op, "x", x, count, [count]);
  checkRegion(op, "y", y, count, [count]);
  checkOutputsApart(op, { y }, { x });
  const computePipeline = await pipeline(
    context,
    "activation forward",
    source,
    { FUNCTION: FUNCTIONS[name] },
    "forward",
  );
  return prepareOp(
    context,
    computePipeline,
    [count, regionOffset(x), 0, regionOffset(y)],
    [x, y],
    flatGrid(Math.ceil(count / WORKGROUP)),
  );
}

/**
 * Prepares the gradient `dx = dy·f'` over `count` elements (overwriting dx). `saved` is what the
 * derivative is written in: the forward's output y for sigmoid and tanh, its input x for
 * softplus. dx needs a buffer of its own.
 *
 * @example
 * ```ts
 * const kernel = await activationBackward(context, "tanh", { saved: y, dy, dx }, 400);
 * ```
 */
export async function activationBackward(
  context: GpuContext,
  name: ActivationName,
  operands: { readonly saved: TensorRegion; readonly dy: TensorRegion; readonly dx: TensorRegion },
  count: number,
): Promise<PreparedKernel> {
  const op = `activationBackward ${name}`;
  checkName(op, name);
  checkSizes(op, { count });
  const { saved, dy, dx } = operands;
  checkRegion(op, "saved", saved, count, [count]);
  checkRegion(op, "dy", dy, count, [count]);
  checkRegion(op, "dx", dx, count, [count]);
  checkOutputsApart(op, { dx }, { saved, dy });
  const computePipeline = await pipeline(
    context,
    "activation backward",
    source,
    { FUNCTION: FUNCTIONS[name] },
    "backward",
  );
  return prepareOp(
    context,
    computePipeline,
    [count, regionOffset(saved), regionOffset(dy), regionOffset(dx)],
    [saved, dx, dy],
    flatGrid(Math.ceil(count / WORKGROUP)),
  );
}
