/**
 * The fused NTM on the GPU: its buffers (parameters, gradients, optimizer state, batch, tapes,
 * training records) and its prepared kernels, for one config, capacity and optimizer. Training
 * code records the kernels of a step into command buffers; tests and the fixture runner read
 * results back through the helpers here.
 *
 * @module
 */

import { UsageError } from "../../config.ts";
import type { RmspropSettings } from "../../cpu/rmsprop.ts";
import { writeCount } from "../../cpu/tape.ts";
import type { ParamLayout } from "../../params.ts";
import { checkSequenceSteps, type SequenceSteps, totalSteps } from "../../sequence_steps.ts";
import {
  checked,
  checkLoopIterations,
  type GpuContext,
  loopIterationLimit,
  pipeline,
  prepareDispatch,
  type PreparedKernel,
  readFloats,
  storageBuffer,
  uniformBuffer,
  upload,
} from "../context.ts";
import { packStore, padToVec4, unpackStore } from "./param_layout.ts";
import { createParamTexture, uploadParamTexture } from "./param_texture.ts";
import { rmspropUniform } from "./rmsprop.ts";
import { LOSS_LANES, lossLoops } from "./loop_bounds.ts";
import { checkDeviceLimits, type NtmShape, ntmShape, shapeDims, workgroupBytes } from "./shape.ts";
import { BACKWARD_SOURCE, FORWARD_SOURCE, LOSS_SOURCE } from "./sources.ts";
import {
  prepareStepRanges,
  stepFits,
  stepRangeBuffer,
  type StepsPerDispatch,
  stepsPerDispatch,
} from "./step_ranges.ts";
import { jobTable, prepareUpdate, updatePipeline, weightGradientJobs } from "./weight_gradients.ts";

/** Every buffer of a GPU NTM, and its parameter texture. */
export interface NtmBuffers {
  /** The padded parameter store (lib/gpu/ntm/param_layout.ts). */
  readonly params: GPUBuffer;
  /** The same store as a texture, which the fused kernels read weights from. */
  readonly paramTexture: GPUTexture;
  /** The gradients, in the padded layout's trainable prefix. */
  readonly grads: GPUBuffer;
  /** RMSprop's running mean of squared gradients, then its momentum buffer (padded layout). */
  readonly optimizerState: GPUBuffer;
  /** RMSprop's settings uniform (lib/gpu/ntm/rmsprop.ts). */
  readonly optimizerSettings: GPUBuffer;
  /** The batch: inputs `[S, B, I]`, targets `[S, B, O]`. */
  readonly batch: GPUBuffer;
  /** The batch's `StepRecord` (shaders/ntm/shape.wgsl). */
  readonly steps: GPUBuffer;
  /** The forward tape. */
  readonly tape: GPUBuffer;
  /** The memory states of the forward pass (lib/gpu/ntm/tape_layout.ts). */
  readonly memoryStates: GPUBuffer;
  /** The gradient tape. */
  readonly gradientTape: GPUBuffer;
  /** The memory's gradient, carried between the backward pass's steps. */
  readonly memoryGradient: GPUBuffer;
  /** The weight gradients' job table (lib/gpu/ntm/weight_gradients.ts). */
  readonly gradientJobs: GPUBuffer;
  /** The `Dims` uniform (shaders/ntm/shape.wgsl): sizes for loop bounds. */
  readonly dims: GPUBuffer;
  /** The forward's `StepRange` uniforms, one per dispatch (lib/gpu/ntm/step_ranges.ts). */
  readonly forwardRanges: GPUBuffer;
  /** The backward's `StepRange` uniforms, one per dispatch. */
  readonly backwardRanges: GPUBuffer;
  /** Training records `[records]` of `(loss, cost, length, 0)`, filed by the loss kernel. */
  readonly records: GPUBuffer;
}

/** Options of `GpuNtm.create`. */
export interface GpuNtmOptions {
  /** Longest sequence (`outputStart + T_out` steps, `totalSteps`) the model runs. */
  readonly capacity: number;
  /** The optimizer step's settings. */
  readonly optimizer: RmspropSettings;
  /** Training records the records buffer holds (batches between readbacks); default 1. */
  readonly records?: number;
  /**
   * Invocations per workgroup of the fused kernels. By default `preferredWorkgroupSize`, doubled
   * while one step of a fused kernel exceeds the loop budget and the device allows.
   */
  readonly workgroupSize?: number;
  /**
   * The loop iterations one invocation of a fused kernel may run, by the bounds of
   * lib/gpu/ntm/loop_bounds.ts; it sets the steps per dispatch. By default half the adapter's
   * `loopIterationLimit` (a margin for the bounds); at most the limit.
   */
  readonly loopBudget?: number;
}

/**
 * Lanes per batch row that suit the device: 8 on a software adapter (llvmpipe runs a workgroup
 * on one core, 8 lanes at a time, and every idle lane or barrier costs there), 128 on a GPU.
 */
export function preferredWorkgroupSize(context: GpuContext): number {
  return context.isSoftware ? 8 : 128;
}

/**
 * Lanes per batch row for `layout` when the caller leaves them to the model: from
 * `preferredWorkgroupSize`, doubled while one step of a fused kernel exceeds the loop budget
 * (software adapters) and the device takes twice the lanes. (If even the last does not fit,
 * `stepsPerDispatch` says so.)
 */
export function fittingWorkgroupSize(
  context: GpuContext,
  layout: ParamLayout,
  capacity: number,
  budget: number,
): number {
  const limits = context.device.limits;
  let lanes = preferredWorkgroupSize(context);
  while (!stepFits(ntmShape(layout, capacity, lanes), budget)) {
    const wider = ntmShape(layout, capacity, 2 * lanes);
    if (
      wider.workgroupSize > limits.maxComputeInvocationsPerWorkgroup ||
      workgroupBytes(wider) > limits.maxComputeWorkgroupStorageSize
    ) {
      break;
    }
    lanes *= 2;
  }
  return lanes;
}

/** A batch the host supplies, with its lengths. */
export interface HostBatch extends SequenceSteps {
  /** `[T_in, B, I]`. */
  readonly input: Float32Array;
  /** `[T_out, B, O]`. */
  readonly target: Float32Array;
  /** The sequence length T the training history records. */
  readonly length: number;
}

/** What a training record holds. */
export interface GpuRecord {
  /** Mean BCE loss of the batch. */
  readonly loss: number;
  /** Bit errors per sequence. */
  readonly cost: number;
  /** The batch's sequence length T. */
  readonly length: number;
}

/** The prepared kernels of one training step, in the order they run. */
export interface NtmKernels {
  /** The fused forward pass over the batch in `buffers.batch` (one or more dispatches). */
  readonly forward: PreparedKernel;
  /** Files the batch's loss and cost in `buffers.records`. */
  readonly loss: PreparedKernel;
  /**
   * The fused backward pass of the last forward pass, with the BCE loss's gradient (one or more
   * dispatches).
   */
  readonly backward: PreparedKernel;
  /**
   * Every weight and bias gradient from the tapes, into `buffers.grads`, and the optimizer step
   * on them (clamp and RMSprop over the trainable parameters).
   */
  readonly update: PreparedKernel;
}

/** The fused NTM of one config on one device. */
export class GpuNtm {
  /** The device everything lives on. */
  readonly context: GpuContext;
  /** Sizes, head table and tape offsets the kernels are specialised with. */
  readonly shape: NtmShape;
  /** Every buffer of the model. */
  readonly buffers: NtmBuffers;
  /** The prepared kernels of one training step. */
  readonly kernels: NtmKernels;
  /** Records the records buffer holds. */
  readonly recordCapacity: number;
  /** Steps per dispatch of the fused forward and backward kernels. */
  readonly stepsPerDispatch: StepsPerDispatch;

  private constructor(
    context: GpuContext,
    shape: NtmShape,
    buffers: NtmBuffers,
    kernels: NtmKernels,
    recordCapacity: number,
    steps: StepsPerDispatch,
  ) {
    this.context = context;
    this.shape = shape;
    this.buffers = buffers;
    this.kernels = kernels;
    this.recordCapacity = recordCapacity;
    this.stepsPerDispatch = steps;
  }

  /**
   * Builds the buffers and kernels (parameters and optimizer state zero). Throws UsageError
   * when the config exceeds the device.
   */
  static async create(
    context: GpuContext,
    layout: ParamLayout,
    options: GpuNtmOptions,
  ): Promise<GpuNtm> {
    const limit = loopIterationLimit(context);
    const budget = options.loopBudget ?? limit / 2;
    if (!(budget > 0 && budget <= limit)) {
      throw new RangeError(
        `Cannot build the WebGPU NTM: the loop budget must be positive and at most ${limit}, ` +
          `got ${budget}`,
      );
    }
    const shape = ntmShape(
      layout,
      options.capacity,
      options.workgroupSize ??
        fittingWorkgroupSize(context, layout, options.capacity, budget),
    );
    checkDeviceLimits(shape, context.device.limits);
    const steps = stepsPerDispatch(context, shape, budget);
    const recordCapacity = options.records ?? 1;
    if (!Number.isInteger(recordCapacity) || recordCapacity < 1) {
      throw new RangeError(`Cannot build the WebGPU NTM: records must be a positive integer`);
    }
    const shorter = "lower batch_size or the sequence lengths, or use --backend cpu";
    checkLoopIterations(context, "ntm loss", lossLoops(shape), shorter);
    const jobs = weightGradientJobs(shape);
    const trainable = shape.params.trainableSize;
    const buffers: NtmBuffers = await checked(context, "ntm buffers", () => ({
      params: storageBuffer(context, "ntm params", 4 * shape.params.size),
      paramTexture: createParamTexture(context, shape.paramTexture),
      grads: storageBuffer(context, "ntm grads", 4 * trainable),
      optimizerState: storageBuffer(context, "ntm optimizer state", 8 * trainable),
      optimizerSettings: uniformBuffer(
        context,
        "ntm optimizer settings",
        rmspropUniform(options.optimizer),
      ),
      batch: storageBuffer(context, "ntm batch", 4 * shape.batchSize),
      steps: storageBuffer(context, "ntm steps", 4 * 8),
      tape: storageBuffer(context, "ntm tape", 4 * shape.tape.forward.size),
      memoryStates: storageBuffer(context, "ntm memory states", 4 * shape.tape.memoryStates),
      gradientTape: storageBuffer(context, "ntm gradient tape", 4 * shape.tape.gradient.size),
      memoryGradient: storageBuffer(
        context,
        "ntm memory gradient",
        4 * shape.tape.memoryGradient,
      ),
      gradientJobs: storageBuffer(context, "ntm gradient jobs", jobTable(jobs).table),
      dims: uniformBuffer(context, "ntm dims", shapeDims(shape)),
      forwardRanges: stepRangeBuffer(
        context,
        "ntm forward steps",
        shape.capacity,
        steps.forward,
      ),
      backwardRanges: stepRangeBuffer(
        context,
        "ntm backward steps",
        shape.capacity,
        steps.backward,
      ),
      records: storageBuffer(context, "ntm records", 16 * recordCapacity),
    }));
    const constants = { ...shape.constants, WORKGROUP_SIZE: shape.workgroupSize };
    const rows = layout.config.batchSize;
    const [forwardPipeline, backwardPipeline, lossPipeline, updateKernelPipeline] = await Promise
      .all([
        pipeline(context, "ntm forward", FORWARD_SOURCE, constants),
        pipeline(context, "ntm backward", BACKWARD_SOURCE, constants),
        pipeline(context, "ntm loss", LOSS_SOURCE, {
          ...shape.constants,
          WORKGROUP_SIZE: LOSS_LANES,
        }),
        updatePipeline(context, shape, jobs),
      ]);
    const kernels: NtmKernels = await checked(context, "ntm bindings", () => ({
      forward: prepareStepRanges(
        context,
        forwardPipeline,
        [
          buffers.params,
          buffers.paramTexture.createView(),
          buffers.batch,
          buffers.steps,
          buffers.tape,
          buffers.memoryStates,
          buffers.dims,
        ],
        buffers.forwardRanges,
        rows,
      ),
      loss: prepareDispatch(context, lossPipeline, [
        buffers.tape,
        buffers.batch,
        buffers.steps,
        buffers.records,
      ], [1]),
      backward: prepareStepRanges(
        context,
        backwardPipeline,
        [
          buffers.paramTexture.createView(),
          buffers.batch,
          buffers.steps,
          buffers.tape,
          buffers.gradientTape,
          buffers.memoryStates,
          buffers.memoryGradient,
          buffers.dims,
        ],
        buffers.backwardRanges,
        rows,
      ),
      update: prepareUpdate(context, updateKernelPipeline, jobs, {
        jobs: buffers.gradientJobs,
        steps: buffers.steps,
        tape: buffers.tape,
        gradientTape: buffers.gradientTape,
        grads: buffers.grads,
        params: buffers.params,
        optimizerState: buffers.optimizerState,
        optimizerSettings: buffers.optimizerSettings,
        paramTexture: buffers.paramTexture,
      }),
    }));
    return new GpuNtm(context, shape, buffers, kernels, recordCapacity, steps);
  }

  /** The kernels of one training step on the batch in `buffers.batch`, in order. */
  get trainingStep(): PreparedKernel[] {
    const { forward, loss, backward, update } = this.kernels;
    return [forward, loss, backward, update];
  }

  /** Uploads a parameter store in the reference layout (to the buffer and the texture). */
  writeParams(store: Float32Array): void {
    const padded = packStore(this.shape.params, store);
    upload(this.context, this.buffers.params, padded);
    uploadParamTexture(this.context, this.buffers.paramTexture, padded);
  }

  /** Reads the parameter store back in the reference layout. */
  async readParams(): Promise<Float32Array> {
    return unpackStore(this.shape.params, await readFloats(this.context, this.buffers.params));
  }

  /** Uploads RMSprop's state, each array in the reference layout's trainable prefix. */
  writeOptimizerState(squareAverage: Float32Array, momentumBuffer: Float32Array): void {
    const { params } = this.shape;
    upload(this.context, this.buffers.optimizerState, packStore(params, squareAverage, true));
    upload(
      this.context,
      this.buffers.optimizerState,
      packStore(params, momentumBuffer, true),
      4 * params.trainableSize,
    );
  }

  /** Reads RMSprop's state back in the reference layout's trainable prefix. */
  async readOptimizerState(): Promise<
    { squareAverage: Float32Array; momentumBuffer: Float32Array }
  > {
    const { params } = this.shape;
    const state = await readFloats(this.context, this.buffers.optimizerState);
    return {
      squareAverage: unpackStore(params, state.subarray(0, params.trainableSize), true),
      momentumBuffer: unpackStore(params, state.subarray(params.trainableSize), true),
    };
  }

  /** Reads the gradients of the last update in the reference layout's trainable prefix. */
  async readGrads(): Promise<Float32Array> {
    return unpackStore(this.shape.params, await readFloats(this.context, this.buffers.grads), true);
  }

  /**
   * Uploads a batch and its step record (its loss goes to record `record`). Its batch number is
   * 0, so its update takes the optimizer's `lr` whatever the schedule says.
   */
  writeBatch(batch: HostBatch, record = 0): void {
    const { batchSize: B, inputs: I, outputs: O } = this.shape.config;
    checkSequenceSteps(batch, "upload a batch");
    const total = totalSteps(batch);
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
      new Uint32Array([
        batch.inputSteps,
        batch.outputSteps,
        batch.outputStart,
        batch.length,
        0,
        record,
      ]),
    );
  }

  /** Reads the first `count` training records. */
  async readRecords(count: number): Promise<GpuRecord[]> {
    const values = await readFloats(this.context, this.buffers.records, 0, 4 * count);
    return Array.from({ length: count }, (_, index) => ({
      loss: values[4 * index],
      cost: values[4 * index + 1],
      length: values[4 * index + 2],
    }));
  }

  /** Reads `count` floats of the forward tape from `offset`. */
  readTape(offset: number, count: number): Promise<Float32Array> {
    return readFloats(this.context, this.buffers.tape, offset, count);
  }

  /** The trained outputs of a batch with these steps, `[T_out, B, O]`. */
  readOutputs(steps: SequenceSteps): Promise<Float32Array> {
    const { batchSize: B, outputs: O } = this.shape.config;
    const first = this.shape.tape.forward.outputs + steps.outputStart * B * O;
    return this.readTape(first, steps.outputSteps * B * O);
  }

  /** Head k's weightings at each of the first `steps` steps, `[S, B, N]`. */
  readWeightings(k: number, steps: number): Promise<Float32Array> {
    const { batchSize: B, memoryN: N } = this.shape.config;
    const first = this.shape.tape.forward.weights + k * this.shape.capacity * B * N;
    return this.readTape(first, steps * B * N);
  }

  /** The memory after the last of `steps` steps, `[B, N, M]`. */
  async readFinalMemory(steps: number): Promise<Float32Array> {
    const { config } = this.shape;
    const { batchSize: B, memoryN: N, memoryM: M } = config;
    const padded = padToVec4(M);
    const size = B * N * padded;
    const snapshot = steps * writeCount(config);
    const rows = await readFloats(this.context, this.buffers.memoryStates, snapshot * size, size);
    const memory = new Float32Array(B * N * M);
    for (let row = 0; row < B * N; row++) {
      memory.set(rows.subarray(row * padded, row * padded + M), row * M);
    }
    return memory;
  }

  /** Frees the buffers and the texture. */
  dispose(): void {
    for (const buffer of Object.values(this.buffers)) buffer.destroy();
  }
}
