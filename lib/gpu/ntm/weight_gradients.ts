/**
 * The weight gradients of a sequence and the optimizer step, in one dispatch
 * (shaders/ntm/weight_gradients.wgsl): a grouped matrix product over a table of jobs, one per
 * trainable tensor, each `C = Aᵀ·X` over the sequence's rows; every finished gradient is stored,
 * clamped and applied with RMSprop in the kernel's epilogue, so no second pass over the
 * parameters is needed.
 *
 * The tensor ops' `matmul` is not used here: its sizes are fixed when it is prepared, while the
 * number of rows (steps × batch) is drawn on the GPU for every training batch; this kernel reads
 * it from the step record, and does all tensors in one dispatch.
 *
 * @module
 */

import { controllerInputSize, outputInputSize } from "../../config.ts";
import { headNames, lstmName } from "../../params.ts";
import {
  checkLoopIterations,
  type GpuContext,
  pipeline,
  prepareDispatch,
  type PreparedKernel,
} from "../context.ts";
import { updateLoops } from "./loop_bounds.ts";
import { padToVec4 } from "./param_layout.ts";
import type { NtmShape } from "./shape.ts";
import { WEIGHT_GRADIENTS_SOURCE } from "./sources.ts";
import { widestHead } from "./tape_layout.ts";

/** Which rows of the tapes a job sums over (shaders/ntm/weight_gradients.wgsl `ROWS_*`). */
export const Rows = { allSteps: 0, outputSteps: 1, batch: 2 } as const;

/** One product `C[m, n] = Σ_rows A[row, m]·X[row, n]` (or a column sum of A, X = ones). */
export interface GemmJob {
  /** Which tensor's gradient, for messages. */
  readonly name: string;
  /** A's first float in the gradient tape and its row length (multiples of 4). */
  readonly aOffset: number;
  readonly aStride: number;
  /** X's first float in the forward tape and its row length (multiples of 4). */
  readonly xOffset: number;
  readonly xStride: number;
  /** C's first float in the gradient store, and its row length. */
  readonly cOffset: number;
  readonly cStride: number;
  readonly m: number;
  readonly n: number;
  readonly rows: number;
  /** X is a column of ones: C is A's column sums (a bias gradient), n = 1. */
  readonly columnSum: boolean;
}

/** Rows and columns of C one workgroup computes. */
const TILE = 32;
/** Rows of a column sum (a bias) one workgroup computes: 4 per lane. */
const COLUMN_SUM_TILE = 4 * 64;
/** u32s per job in the table (the `GemmJob` struct of the WGSL). */
const JOB_WORDS = 12;

/** The jobs that produce every trainable tensor's gradient of a config. */
export function weightGradientJobs(shape: NtmShape): GemmJob[] {
  const { config, params, capacity: S } = shape;
  const { forward, gradient } = shape.tape;
  const { batchSize: B, controllerSize: H, controllerLayers: L, outputs: O } = config;
  const Hp = padToVec4(H);
  const jobs: GemmJob[] = [];
  const product = (
    name: string,
    a: { offset: number; stride: number },
    x: { offset: number; stride: number },
    rows: number,
  ) => {
    const tensor = params.tensor(name);
    jobs.push({
      name,
      aOffset: a.offset,
      aStride: a.stride,
      xOffset: x.offset,
      xStride: x.stride,
      cOffset: tensor.offset,
      cStride: tensor.stride,
      m: tensor.rows,
      n: tensor.cols,
      rows,
      columnSum: false,
    });
  };
  const columnSum = (
    name: string,
    first: number,
    a: { offset: number; stride: number },
    m: number,
    rows: number,
  ) => {
    jobs.push({
      name,
      aOffset: a.offset,
      aStride: a.stride,
      xOffset: 0,
      xStride: 4,
      cOffset: params.tensor(name).offset + first,
      cStride: 1,
      m,
      n: 1,
      rows,
      columnSum: true,
    });
  };
  const hidden = (layer: number, step: number) => ({
    offset: forward.hidden + (layer * (S + 1) + step) * B * Hp,
    stride: Hp,
  });
  for (let layer = 0; layer < L; layer++) {
    const dGates = { offset: gradient.gates + layer * S * B * 4 * H, stride: 4 * H };
    const input = layer === 0
      ? { offset: forward.controllerInput, stride: padToVec4(controllerInputSize(config)) }
      : hidden(layer - 1, 1);
    product(lstmName("weight_ih", layer), dGates, input, Rows.allSteps);
    product(lstmName("weight_hh", layer), dGates, hidden(layer, 0), Rows.allSteps);
    columnSum(lstmName("bias_ih", layer), 0, dGates, 4 * H, Rows.allSteps);
    columnSum(lstmName("bias_hh", layer), 0, dGates, 4 * H, Rows.allSteps);
    const initial = (which: number) => ({
      offset: gradient.initialState + (which * L + layer) * Hp,
      stride: 2 * L * Hp,
    });
    columnSum("controller.lstm_h_bias", layer * Hp, initial(0), H, Rows.batch);
    columnSum("controller.lstm_c_bias", layer * Hp, initial(1), H, Rows.batch);
  }
  const rawStride = padToVec4(widestHead(config));
  config.heads.forEach((_, k) => {
    const dRaw = { offset: gradient.headRaw + k * S * B * rawStride, stride: rawStride };
    const names = headNames(config, k);
    product(names.weight, dRaw, hidden(L - 1, 1), Rows.allSteps);
    columnSum(names.bias, 0, dRaw, params.tensor(names.bias).cols, Rows.allSteps);
  });
  const dLogits = { offset: gradient.logits, stride: padToVec4(O) };
  const fcInput = { offset: forward.outputInput, stride: padToVec4(outputInputSize(config)) };
  product("fc.weight", dLogits, fcInput, Rows.outputSteps);
  columnSum("fc.bias", 0, dLogits, O, Rows.outputSteps);
  for (const job of jobs) {
    if ([job.aOffset, job.aStride, job.xOffset, job.xStride].some((value) => value % 4 !== 0)) {
      throw new Error(`Internal error: the gradient job of "${job.name}" reads unaligned rows`);
    }
    if (job.cOffset % 4 !== 0 || (!job.columnSum && job.cStride % 4 !== 0)) {
      throw new Error(`Internal error: the gradient job of "${job.name}" stores unaligned rows`);
    }
  }
  return jobs;
}

/** The jobs as the kernel's table, and the workgroups the dispatch needs. */
export function jobTable(jobs: readonly GemmJob[]): { table: Uint32Array; tiles: number } {
  const table = new Uint32Array(jobs.length * JOB_WORDS);
  let tiles = 0;
  jobs.forEach((job, index) => {
    const tilesN = Math.ceil(job.n / TILE);
    table.set([
      job.aOffset,
      job.aStride,
      job.xOffset,
      job.xStride,
      job.cOffset,
      job.cStride,
      job.m,
      job.n,
      job.rows,
      job.columnSum ? 1 : 0,
      tiles,
      tilesN,
    ], index * JOB_WORDS);
    tiles += job.columnSum ? Math.ceil(job.m / COLUMN_SUM_TILE) : Math.ceil(job.m / TILE) * tilesN;
  });
  return { table, tiles };
}

/** The buffers (and the texture) the update kernel binds. */
export interface UpdateBuffers {
  readonly jobs: GPUBuffer;
  readonly steps: GPUBuffer;
  readonly tape: GPUBuffer;
  readonly gradientTape: GPUBuffer;
  /** The gradient store (padded layout, trainable prefix); every trainable float is written. */
  readonly grads: GPUBuffer;
  /** The parameters, updated in place. */
  readonly params: GPUBuffer;
  /** RMSprop's running mean of squared gradients, then its momentum buffer. */
  readonly optimizerState: GPUBuffer;
  /** The `RmspropSettings` uniform (lib/gpu/ntm/rmsprop.ts). */
  readonly optimizerSettings: GPUBuffer;
  /** The parameter texture (lib/gpu/ntm/param_texture.ts), updated with the parameters. */
  readonly paramTexture: GPUTexture;
}

/**
 * The update kernel's pipeline for `jobs` on `shape`, after checking that its loops and its
 * tiles fit the device.
 */
export async function updatePipeline(
  context: GpuContext,
  shape: NtmShape,
  jobs: readonly GemmJob[],
): Promise<GPUComputePipeline> {
  const { tiles } = jobTable(jobs);
  checkLoopIterations(
    context,
    "ntm update",
    updateLoops(shape, jobs.length),
    "lower batch_size or the sequence lengths, or use --backend cpu",
  );
  if (tiles > context.device.limits.maxComputeWorkgroupsPerDimension) {
    throw new RangeError(
      `Cannot prepare the weight gradients: ${tiles} tiles exceed the device's ` +
        `${context.device.limits.maxComputeWorkgroupsPerDimension} workgroups per dimension`,
    );
  }
  return await pipeline(context, "ntm update", WEIGHT_GRADIENTS_SOURCE, {
    ...shape.constants,
    JOB_COUNT: jobs.length,
    TRAINABLE: shape.params.trainableSize,
  });
}

/**
 * Prepares the dispatch of every job of `jobs` (the table in `buffers.jobs`) with the pipeline
 * of `updatePipeline`: the gradients, and the optimizer step on them.
 */
export function prepareUpdate(
  context: GpuContext,
  computePipeline: GPUComputePipeline,
  jobs: readonly GemmJob[],
  buffers: UpdateBuffers,
): PreparedKernel {
  return prepareDispatch(context, computePipeline, [
    buffers.jobs,
    buffers.steps,
    buffers.tape,
    buffers.gradientTape,
    buffers.grads,
    buffers.params,
    buffers.optimizerState,
    buffers.optimizerSettings,
    buffers.paramTexture.createView(),
  ], [jobTable(jobs).tiles]);
}
