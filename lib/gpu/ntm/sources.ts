/**
 * The WGSL of the fused NTM kernels, each linked (whole files, `linkShader`) with the shared
 * building blocks of shaders/common that it calls and with shaders/ntm/shape.wgsl.
 *
 * @module
 */

import activations from "../../../shaders/common/activations.wgsl" with { type: "text" };
import addressing from "../../../shaders/common/addressing.wgsl" with { type: "text" };
import lstm from "../../../shaders/common/lstm.wgsl" with { type: "text" };
import memory from "../../../shaders/common/memory.wgsl" with { type: "text" };
import softmax from "../../../shaders/common/softmax.wgsl" with { type: "text" };
import head from "../../../shaders/common/head.wgsl" with { type: "text" };
import lossBlocks from "../../../shaders/common/loss.wgsl" with { type: "text" };
import reduce from "../../../shaders/common/reduce.wgsl" with { type: "text" };
import shape from "../../../shaders/ntm/shape.wgsl" with { type: "text" };
import memoryQuads from "../../../shaders/ntm/memory_quads.wgsl" with { type: "text" };
import paramQuads from "../../../shaders/ntm/param_quads.wgsl" with { type: "text" };
import forward from "../../../shaders/ntm/forward.wgsl" with { type: "text" };
import backward from "../../../shaders/ntm/backward.wgsl" with { type: "text" };
import weightGradients from "../../../shaders/ntm/weight_gradients.wgsl" with { type: "text" };
import loss from "../../../shaders/ntm/loss.wgsl" with { type: "text" };
import rmsprop from "../../../shaders/ntm/rmsprop.wgsl" with { type: "text" };
import random from "../../../shaders/common/random.wgsl" with { type: "text" };
import taskBits from "../../../shaders/common/task_bits.wgsl" with { type: "text" };
import taskData from "../../../shaders/ntm/task_data.wgsl" with { type: "text" };
import { linkShader } from "../shader.ts";

/** The fused forward pass: shaders/ntm/forward.wgsl and what it calls. */
export const FORWARD_SOURCE = linkShader(
  activations,
  addressing,
  lstm,
  memory,
  softmax,
  head,
  reduce,
  shape,
  memoryQuads,
  paramQuads,
  forward,
);

/** The fused backward pass: shaders/ntm/backward.wgsl and what it calls. */
export const BACKWARD_SOURCE = linkShader(
  activations,
  addressing,
  lstm,
  memory,
  softmax,
  head,
  lossBlocks,
  reduce,
  shape,
  memoryQuads,
  paramQuads,
  backward,
);

/**
 * The weight gradients' grouped matrix product with the optimizer step in its epilogue:
 * shaders/ntm/weight_gradients.wgsl and rmsprop.wgsl.
 */
export const WEIGHT_GRADIENTS_SOURCE = linkShader(shape, rmsprop, weightGradients);

/** The batch's loss and cost: shaders/ntm/loss.wgsl. */
export const LOSS_SOURCE = linkShader(lossBlocks, reduce, shape, loss);

/** The data kernel around a task's WGSL twin `taskSource` (shaders/tasks/<task>.wgsl). */
export function taskDataSource(taskSource: string): string {
  return linkShader(random, shape, taskBits, taskSource, taskData);
}
