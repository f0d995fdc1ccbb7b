/**
 * How the fused forward and backward kernels split a sequence between dispatches. On a GPU one
 * dispatch runs every step. A software adapter ends every loop of an invocation after a fixed
 * number of iterations (lib/gpu/context.ts `loopIterationLimit`), so there each dispatch runs as
 * many steps as the bounds of lib/gpu/ntm/loop_bounds.ts allow within a budget, and a sequence
 * takes `ceil(capacity / steps)` dispatches, each with its own `StepRange` uniform
 * (shaders/ntm/shape.wgsl). The sequence's length is drawn on the GPU, so every dispatch is
 * recorded; those past its end return at once.
 *
 * @module
 */

import { UsageError } from "../../config.ts";
import {
  bindingEntry,
  type GpuContext,
  type GpuResource,
  loopIterationLimit,
  type PreparedKernel,
  uniformBuffer,
} from "../context.ts";
import { backwardLoops, forwardLoops, type StepLoops, stepsWithin } from "./loop_bounds.ts";
import type { NtmShape } from "./shape.ts";

/** Steps per dispatch of each fused kernel. */
export interface StepsPerDispatch {
  /** Of shaders/ntm/forward.wgsl. */
  readonly forward: number;
  /** Of shaders/ntm/backward.wgsl. */
  readonly backward: number;
}

/** The bounds of both fused kernels. */
function kernelLoops(shape: NtmShape): Record<keyof StepsPerDispatch, StepLoops> {
  return { forward: forwardLoops(shape), backward: backwardLoops(shape) };
}

/** Whether one step of each fused kernel fits `budget` loop iterations at `shape`. */
export function stepFits(shape: NtmShape, budget: number): boolean {
  return Object.values(kernelLoops(shape)).every((loops) =>
    stepsWithin(loops, budget, shape.capacity) >= 1
  );
}

/**
 * The steps per dispatch of each fused kernel within `budget` loop iterations per invocation.
 * Throws a UsageError naming the config when a single step exceeds the budget.
 */
export function stepsPerDispatch(
  context: GpuContext,
  shape: NtmShape,
  budget: number,
): StepsPerDispatch {
  const steps = (kernel: keyof StepsPerDispatch, loops: StepLoops): number => {
    const fitting = stepsWithin(loops, budget, shape.capacity);
    if (fitting >= 1) return fitting;
    const { config } = shape;
    throw new UsageError(
      `Cannot build the WebGPU NTM: one step of its fused ${kernel} kernel may run ` +
        `${loops.perDispatch + loops.perStep} loop iterations per invocation, over the budget ` +
        `of ${Math.floor(budget)} (${context.adapterName} stops every loop after ` +
        `${loopIterationLimit(context)}), at controller_size ${config.controllerSize}, ` +
        `controller_layers ${config.controllerLayers}, memory_n ${config.memoryN}, memory_m ` +
        `${config.memoryM}, heads [${config.heads.join(", ")}] and ${shape.workgroupSize} ` +
        `lanes per batch row; use more lanes per batch row (workgroupSize), smaller sizes, ` +
        `or --backend cpu`,
    );
  };
  const loops = kernelLoops(shape);
  return { forward: steps("forward", loops.forward), backward: steps("backward", loops.backward) };
}

/**
 * The step ranges of a sequence of up to `capacity` steps, `steps` per dispatch, as one uniform
 * buffer holding a `StepRange` every `minUniformBufferOffsetAlignment` bytes.
 */
export function stepRangeBuffer(
  context: GpuContext,
  label: string,
  capacity: number,
  steps: number,
): GPUBuffer {
  const stride = context.device.limits.minUniformBufferOffsetAlignment / 4;
  const dispatches = Math.ceil(capacity / steps);
  const ranges = new Uint32Array(dispatches * stride);
  for (let index = 0; index < dispatches; index++) {
    ranges.set([index * steps, steps], index * stride);
  }
  return uniformBuffer(context, label, ranges);
}

/**
 * Prepares the dispatches of a fused kernel over `rows` workgroups, one per step range of
 * `ranges` (`stepRangeBuffer`): `resources` go to bindings 0, 1, …, the range to the next one.
 */
export function prepareStepRanges(
  context: GpuContext,
  computePipeline: GPUComputePipeline,
  resources: readonly GpuResource[],
  ranges: GPUBuffer,
  rows: number,
): PreparedKernel {
  const label = computePipeline.label;
  const stride = context.device.limits.minUniformBufferOffsetAlignment;
  const layout = computePipeline.getBindGroupLayout(0);
  const groups = Array.from(
    { length: ranges.size / stride },
    (_, index) =>
      context.device.createBindGroup({
        label: `${label} steps ${index}`,
        layout,
        entries: [
          ...resources.map((resource, binding) => bindingEntry(binding, resource)),
          {
            binding: resources.length,
            resource: { buffer: ranges, offset: index * stride, size: 8 },
          },
        ],
      }),
  );
  return {
    label,
    encode(pass) {
      pass.setPipeline(computePipeline);
      for (const group of groups) {
        pass.setBindGroup(0, group);
        pass.dispatchWorkgroups(rows);
      }
    },
  };
}
