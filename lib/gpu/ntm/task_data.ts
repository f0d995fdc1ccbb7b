/**
 * Training data generated on the GPU: the task's WGSL twin (`TrainingSetup.deviceData`) wrapped
 * in a data kernel (shaders/ntm/task_data.wgsl) that fills the model's batch buffer and step
 * record for the batch number a GPU-side counter holds, then advances the counter. One recorded
 * dispatch thus serves every training step of a submit.
 *
 * @module
 */

import {
  checkLoopIterations,
  type GpuContext,
  pipeline,
  prepareDispatch,
  type PreparedKernel,
  storageBuffer,
  uniformBuffer,
  upload,
} from "../context.ts";
import type { DeviceData } from "../../train/backend.ts";
import { dataLoops } from "./loop_bounds.ts";
import type { NtmShape } from "./shape.ts";
import { taskDataSource } from "./sources.ts";

/** The buffers the data kernel writes. */
export interface TaskDataBuffers {
  readonly batch: GPUBuffer;
  readonly steps: GPUBuffer;
}

/** The data kernel of one task, seed and model. */
export class GpuTaskData {
  readonly context: GpuContext;
  /** Generates the counter's batch into the model's buffers and advances the counter. */
  readonly kernel: PreparedKernel;
  /** `{next batch number, next record slot}`. */
  readonly counter: GPUBuffer;
  readonly #settings: GPUBuffer;

  private constructor(
    context: GpuContext,
    kernel: PreparedKernel,
    counter: GPUBuffer,
    settings: GPUBuffer,
  ) {
    this.context = context;
    this.kernel = kernel;
    this.counter = counter;
    this.#settings = settings;
  }

  /**
   * Builds the kernel for `data` on `shape`'s buffers. The task's BATCH, INPUTS and OUTPUTS must
   * agree with the model's config.
   */
  static async create(
    context: GpuContext,
    shape: NtmShape,
    data: DeviceData,
    seed: number,
    buffers: TaskDataBuffers,
  ): Promise<GpuTaskData> {
    for (const name of ["BATCH", "INPUTS", "OUTPUTS"]) {
      if (name in data.constants && data.constants[name] !== shape.constants[name]) {
        throw new RangeError(
          `Cannot build the data kernel: the task's ${name} is ${data.constants[name]}, ` +
            `the model's ${shape.constants[name]}`,
        );
      }
    }
    checkLoopIterations(
      context,
      "ntm task data",
      dataLoops(shape, data.loops),
      "lower batch_size or the sequence lengths, or use --backend cpu",
    );
    const computePipeline = await pipeline(
      context,
      `ntm task data ${hashText(data.source)}`,
      taskDataSource(data.source),
      { ...shape.constants, ...data.constants },
    );
    const counter = storageBuffer(context, "ntm task data counter", 8);
    const settings = uniformBuffer(context, "ntm task data settings", new Uint32Array([seed]));
    const kernel = prepareDispatch(
      context,
      computePipeline,
      [buffers.batch, buffers.steps, counter, settings],
      [1],
    );
    return new GpuTaskData(context, kernel, counter, settings);
  }

  /** Sets the counter: the next dispatch generates batch `batchNumber`, filed as record 0. */
  start(batchNumber: number): void {
    upload(this.context, this.counter, new Uint32Array([batchNumber, 0]));
  }

  /** Frees the counter and settings. */
  dispose(): void {
    this.counter.destroy();
    this.#settings.destroy();
  }
}

/** A short hash of a text (FNV-1a), so pipelines of different task sources get distinct labels. */
function hashText(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash.toString(16);
}
