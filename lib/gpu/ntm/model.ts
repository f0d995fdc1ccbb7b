/**
 * The fused NTM on the GPU: its buffers (parameters, gradients, optimizer state, batch, tapes)
 * and its prepared kernels, for one config and capacity. Training code records the kernels into
 * command buffers; tests and the fixture runner read results back through the helpers here.
 *
 * @module
 */

import { UsageError } from "../../config.ts";
import type { ParamLayout } from "../../params.ts";
import {
  type GpuContext,
  pipeline,
  prepareDispatch,
  type PreparedKernel,
  readFloats,
  storageBuffer,
  uniformBuffer,
  upload,
} from "../context.ts";
import { packStore, unpackStore } from "./param_layout.ts";
import {
  checkDeviceLimits,
  DEFAULT_WORKGROUP_SIZE,
  type NtmShape,
  ntmShape,
  shapeDims,
} from "./shape.ts";
import { BACKWARD_SOURCE, FORWARD_SOURCE } from "./sources.ts";
import { jobTable, prepareWeightGradients, weightGradientJobs } from "./weight_gradients.ts";
import { writeCount } from "../../cpu/tape.ts";

/** Every buffer of a GPU NTM. */
export interface NtmBuffers {
  /** The padded parameter store (lib/gpu/ntm/param_layout.ts). */
  readonly params: GPUBuffer;
  /** The batch: inputs `[S, B, I]`, targets `[S, B, O]`. */
  readonly batch: GPUBuffer;
  /** The batch's `StepRecord` (shaders/ntm/shape.wgsl). */
  readonly steps: GPUBuffer;
  /** The forward tape. */
  readonly tape: GPUBuffer;
  /** The gradient tape. */
  readonly gradientTape: GPUBuffer;
  /** The gradients, in the padded layout's trainable prefix. */
  readonly grads: GPUBuffer;
  /** The weight gradients' job table (lib/gpu/ntm/weight_gradients.ts). */
  readonly gradientJobs: GPUBuffer;
  /** The `Dims` uniform (shaders/ntm/shape.wgsl): sizes for loop bounds. */
  readonly dims: GPUBuffer;
}

/** Options of `GpuNtm.create`. */
export interface GpuNtmOptions {
  /** Longest sequence (input plus output steps) the model runs. */
  readonly capacity: number;
  /** Invocations per workgroup of the fused kernels. */
  readonly workgroupSize?: number;
}

/** The lengths of a batch the host supplies. */
export interface HostBatch {
  /** `[T_in, B, I]`. */
  readonly input: Float32Array;
  /** `[T_out, B, O]`. */
  readonly target: Float32Array;
  readonly inputSteps: number;
  readonly outputSteps: number;
  readonly length: number;
}

/** The fused NTM of one config on one device. */
export class GpuNtm {
  readonly context: GpuContext;
  readonly shape: NtmShape;
  readonly buffers: NtmBuffers;
  /** The fused forward pass over the batch in `buffers.batch`. */
  readonly forward: PreparedKernel;
  /** The fused backward pass of the last forward pass, with the BCE loss's gradient. */
  readonly backward: PreparedKernel;
  /** Every weight and bias gradient from the tapes, into `buffers.grads`. */
  readonly weightGradients: PreparedKernel;

  private constructor(
    context: GpuContext,
    shape: NtmShape,
    buffers: NtmBuffers,
    kernels: { forward: PreparedKernel; backward: PreparedKernel; weightGradients: PreparedKernel },
  ) {
    this.context = context;
    this.shape = shape;
    this.buffers = buffers;
    this.forward = kernels.forward;
    this.backward = kernels.backward;
    this.weightGradients = kernels.weightGradients;
  }

  /** Builds the buffers and kernels; throws UsageError when the config exceeds the device. */
  static async create(
    context: GpuContext,
    layout: ParamLayout,
    options: GpuNtmOptions,
  ): Promise<GpuNtm> {
    const shape = ntmShape(
      layout,
      options.capacity,
      options.workgroupSize ?? DEFAULT_WORKGROUP_SIZE,
    );
    checkDeviceLimits(shape, context.device.limits);
    const jobs = weightGradientJobs(shape);
    const buffers: NtmBuffers = {
      params: storageBuffer(context, "ntm params", 4 * shape.params.size),
      batch: storageBuffer(context, "ntm batch", 4 * shape.batchSize),
      steps: storageBuffer(context, "ntm steps", 4 * 8),
      tape: storageBuffer(context, "ntm tape", 4 * shape.tape.forward.size),
      gradientTape: storageBuffer(context, "ntm gradient tape", 4 * shape.tape.gradient.size),
      grads: storageBuffer(context, "ntm grads", 4 * shape.params.trainableSize),
      gradientJobs: storageBuffer(context, "ntm gradient jobs", jobTable(jobs).table),
      dims: uniformBuffer(context, "ntm dims", shapeDims(shape)),
    };
    const constants = { ...shape.constants, WORKGROUP_SIZE: shape.workgroupSize };
    const forwardPipeline = await pipeline(context, "ntm forward", FORWARD_SOURCE, constants);
    const forward = prepareDispatch(context, forwardPipeline, [
      buffers.params,
      buffers.params,
      buffers.batch,
      buffers.steps,
      buffers.tape,
      buffers.dims,
    ], [layout.config.batchSize]);
    const backwardPipeline = await pipeline(context, "ntm backward", BACKWARD_SOURCE, constants);
    const backward = prepareDispatch(context, backwardPipeline, [
      buffers.params,
      buffers.batch,
      buffers.steps,
      buffers.tape,
      buffers.gradientTape,
      buffers.dims,
    ], [layout.config.batchSize]);
    const weightGradients = await prepareWeightGradients(context, shape, jobs, {
      jobs: buffers.gradientJobs,
      steps: buffers.steps,
      tape: buffers.tape,
      gradientTape: buffers.gradientTape,
      grads: buffers.grads,
    });
    return new GpuNtm(context, shape, buffers, { forward, backward, weightGradients });
  }

  /** Uploads a parameter store in the reference layout. */
  writeParams(store: Float32Array): void {
    upload(this.context, this.buffers.params, packStore(this.shape.params, store));
  }

  /** Reads the parameter store back in the reference layout. */
  async readParams(): Promise<Float32Array> {
    return unpackStore(this.shape.params, await readFloats(this.context, this.buffers.params));
  }

  /** Uploads a batch and its step record (filed as record `record`). */
  writeBatch(batch: HostBatch, record = 0): void {
    const { batchSize: B, inputs: I, outputs: O } = this.shape.config;
    const total = batch.inputSteps + batch.outputSteps;
    if (total > this.shape.capacity) {
      throw new UsageError(
        `Cannot run a batch of ${total} steps: this model holds at most ${this.shape.capacity}`,
      );
    }
    if (batch.input.length !== batch.inputSteps * B * I) {
      throw new RangeError(
        `Cannot upload a batch: input holds ${batch.input.length} values, ` +
          `[${batch.inputSteps}, ${B}, ${I}] needs ${batch.inputSteps * B * I}`,
      );
    }
    if (batch.target.length !== batch.outputSteps * B * O) {
      throw new RangeError(
        `Cannot upload a batch: target holds ${batch.target.length} values, ` +
          `[${batch.outputSteps}, ${B}, ${O}] needs ${batch.outputSteps * B * O}`,
      );
    }
    upload(this.context, this.buffers.batch, batch.input);
    upload(this.context, this.buffers.batch, batch.target, 4 * this.shape.batchTarget);
    upload(
      this.context,
      this.buffers.steps,
      new Uint32Array([batch.inputSteps, batch.outputSteps, batch.length, 0, record]),
    );
  }

  /** Reads `count` floats of the forward tape from `offset`. */
  readTape(offset: number, count: number): Promise<Float32Array> {
    return readFloats(this.context, this.buffers.tape, offset, count);
  }

  /** Reads the gradients back in the reference layout's trainable prefix. */
  async readGrads(): Promise<Float32Array> {
    return unpackStore(this.shape.params, await readFloats(this.context, this.buffers.grads), true);
  }

  /** Reads `count` floats of the gradient tape from `offset`. */
  readGradientTape(offset: number, count: number): Promise<Float32Array> {
    return readFloats(this.context, this.buffers.gradientTape, offset, count);
  }

  /** The outputs of the output phase of a batch, `[T_out, B, O]`. */
  readOutputs(inputSteps: number, outputSteps: number): Promise<Float32Array> {
    const { batchSize: B, outputs: O } = this.shape.config;
    return this.readTape(this.shape.tape.forward.outputs + inputSteps * B * O, outputSteps * B * O);
  }

  /** Head k's weightings at every step, `[S, B, N]`. */
  readWeightings(k: number, steps: number): Promise<Float32Array> {
    const { batchSize: B, memoryN: N } = this.shape.config;
    const first = this.shape.tape.forward.weights + k * this.shape.capacity * B * N;
    return this.readTape(first, steps * B * N);
  }

  /** The memory after the last of `steps` steps, `[B, N, M]`. */
  readFinalMemory(steps: number): Promise<Float32Array> {
    const { config } = this.shape;
    const size = config.batchSize * config.memoryN * config.memoryM;
    const snapshot = steps * writeCount(config);
    return this.readTape(this.shape.tape.forward.memory + snapshot * size, size);
  }

  /** Frees the buffers. */
  dispose(): void {
    for (const buffer of Object.values(this.buffers)) buffer.destroy();
  }
}
