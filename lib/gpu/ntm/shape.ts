/**
 * The one specialisation step of the fused kernels: a config, its padded parameter store and its
 * tapes become the override constants of shaders/ntm/shape.wgsl. Also checks the shape against
 * the device's limits, so a config that cannot run fails before any kernel is built, with a
 * message that says what to change.
 *
 * @module
 */

import {
  controllerInputSize,
  type NTMConfig,
  outputInputSize,
  readCount,
  UsageError,
} from "../../config.ts";
import { headNames, lstmName, type ParamLayout } from "../../params.ts";
import { type GpuParamLayout, gpuParamLayout, padToVec4 } from "./param_layout.ts";
import { checkParamTexture, type ParamTextureSize, paramTextureSize } from "./param_texture.ts";
import { type TapeLayout, tapeLayout, widestHead } from "./tape_layout.ts";

/** Everything a fused kernel is specialised on. */
export interface NtmShape {
  readonly config: NTMConfig;
  /** The padded parameter store. */
  readonly params: GpuParamLayout;
  /** The parameter texture's size (lib/gpu/ntm/param_texture.ts). */
  readonly paramTexture: ParamTextureSize;
  readonly tape: TapeLayout;
  /** Longest sequence (`outputStart + T_out` steps, `totalSteps`). */
  readonly capacity: number;
  /** Floats of the batch buffer: inputs `[S, B, I]`, then targets `[S, B, O]` at `batchTarget`. */
  readonly batchSize: number;
  readonly batchTarget: number;
  /** Invocations per workgroup of the fused forward and backward kernels. */
  readonly workgroupSize: number;
  /** The override constants of shaders/ntm/shape.wgsl. */
  readonly constants: Readonly<Record<string, number>>;
}

/** Heads the write mask can describe. */
const MAX_HEADS = 31;

/** The offsets shape.wgsl computes from `PARAM_LSTM` and `PARAM_HEADS`, checked against the table. */
function checkParamFormulas(config: NTMConfig, params: GpuParamLayout): void {
  const H = padToVec4(config.controllerSize), G = 4 * config.controllerSize;
  let expected = params.tensor(lstmName("weight_ih", 0)).offset;
  for (let layer = 0; layer < config.controllerLayers; layer++) {
    const inputs = layer === 0 ? padToVec4(controllerInputSize(config)) : H;
    const found = params.tensor(lstmName("weight_ih", layer)).offset;
    if (found !== expected) {
      throw new Error(
        `Internal error: layer ${layer} lies at ${found}, shape.wgsl expects ${expected}`,
      );
    }
    expected += G * (inputs + H) + 2 * G;
  }
  expected = params.tensor(headNames(config, 0).weight).offset;
  config.heads.forEach((kind, k) => {
    const found = params.tensor(headNames(config, k).weight).offset;
    if (found !== expected) {
      throw new Error(`Internal error: head ${k} lies at ${found}, shape.wgsl expects ${expected}`);
    }
    const width = kind === "read" ? config.memoryM + 6 : 3 * config.memoryM + 6;
    expected += width * H + padToVec4(width);
  });
}

/** Specialises the fused kernels on a config, a capacity and a workgroup size. */
export function ntmShape(
  layout: ParamLayout,
  capacity: number,
  workgroupSize: number,
): NtmShape {
  const { config } = layout;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new UsageError(
      `Cannot build the WebGPU NTM: capacity must be a positive integer, got ${capacity}`,
    );
  }
  if (config.heads.length > MAX_HEADS) {
    throw new UsageError(
      `Cannot build the WebGPU NTM: it runs at most ${MAX_HEADS} heads, got ${config.heads.length}`,
    );
  }
  if (!Number.isInteger(workgroupSize) || workgroupSize < 1) {
    throw new UsageError(
      `Cannot build the WebGPU NTM: workgroup size must be a positive integer, got ${workgroupSize}`,
    );
  }
  const params = gpuParamLayout(layout);
  checkParamFormulas(config, params);
  const tape = tapeLayout(config, capacity);
  const { batchSize: B, inputs: I, outputs: O } = config;
  const batchTarget = padToVec4(capacity * B * I);
  const writeMask = config.heads.reduce(
    (mask, kind, k) => kind === "write" ? mask | (1 << k) : mask,
    0,
  );
  const paramTexture = paramTextureSize(params.size);
  const offset = (name: string) => params.tensor(name).offset;
  const { forward, gradient } = tape;
  const constants: Record<string, number> = {
    BATCH: B,
    INPUTS: I,
    OUTPUTS: O,
    HIDDEN: config.controllerSize,
    LAYERS: config.controllerLayers,
    MEMORY_N: config.memoryN,
    MEMORY_M: config.memoryM,
    HEADS: config.heads.length,
    WRITE_MASK: writeMask,
    CAPACITY: capacity,
    PARAM_H_BIAS: offset("controller.lstm_h_bias"),
    PARAM_C_BIAS: offset("controller.lstm_c_bias"),
    PARAM_LSTM: offset(lstmName("weight_ih", 0)),
    PARAM_HEADS: offset(headNames(config, 0).weight),
    PARAM_FC_WEIGHT: offset("fc.weight"),
    PARAM_FC_BIAS: offset("fc.bias"),
    PARAM_READ_BIAS: offset("read0_bias"),
    PARAM_MEMORY_BIAS: offset("memory.mem_bias"),
    PARAM_TEXTURE_WIDTH: paramTexture.width,
    TAPE_CONTROLLER_INPUT: forward.controllerInput,
    TAPE_GATES: forward.gates,
    TAPE_CELL: forward.cell,
    TAPE_TANH_CELL: forward.tanhCell,
    TAPE_HIDDEN: forward.hidden,
    TAPE_HEAD_RAW: forward.headRaw,
    TAPE_SIMILARITY: forward.similarity,
    TAPE_ROW_SQUARED: forward.rowSquared,
    TAPE_CONTENT_WEIGHTS: forward.contentWeights,
    TAPE_GATED_WEIGHTS: forward.gatedWeights,
    TAPE_SHIFTED_WEIGHTS: forward.shiftedWeights,
    TAPE_WEIGHTS: forward.weights,
    TAPE_READS: forward.reads,
    TAPE_OUTPUT_INPUT: forward.outputInput,
    TAPE_OUTPUTS: forward.outputs,
    GRAD_GATES: gradient.gates,
    GRAD_HEAD_RAW: gradient.headRaw,
    GRAD_LOGITS: gradient.logits,
    GRAD_INITIAL_STATE: gradient.initialState,
    GRAD_READS: gradient.reads,
    GRAD_WEIGHTS: gradient.weights,
    BATCH_TARGET: batchTarget,
  };
  return {
    config,
    params,
    paramTexture,
    tape,
    capacity,
    batchSize: batchTarget + padToVec4(capacity * B * O),
    batchTarget,
    workgroupSize,
    constants,
  };
}

/** The `Dims` uniform of shaders/ntm/shape.wgsl: the sizes that bound loops, as run-time values. */
export function shapeDims(shape: NtmShape): Uint32Array {
  const { config } = shape;
  return new Uint32Array([
    shape.workgroupSize,
    config.memoryN,
    padToVec4(config.memoryM) / 4,
    config.controllerSize,
    config.outputs,
    padToVec4(config.controllerSize) / 4,
    padToVec4(controllerInputSize(config)) / 4,
    padToVec4(outputInputSize(config)) / 4,
  ]);
}

/**
 * Bytes of workgroup memory the fused forward and backward kernels declare per batch row
 * (mirrors the `var<workgroup>` arrays of shaders/ntm/forward.wgsl, backward.wgsl and
 * shaders/common/reduce.wgsl); the larger of the two must fit the device.
 */
export function workgroupBytes(shape: NtmShape): number {
  const { config, workgroupSize } = shape;
  const { memoryN: N, memoryM: M, controllerSize: H, controllerLayers: L } = config;
  const Hp = padToVec4(H), widest = widestHead(config), reads = readCount(config) * M;
  const groups = Math.ceil(workgroupSize / 8);
  // Memory-row quads: the key, erase and add vectors (and the backward's dr).
  const quads = padToVec4(M);
  const forward = padToVec4(controllerInputSize(config)) + (L + 1) * Hp + L * H + widest +
    3 * quads + 2 * N + reads + padToVec4(outputInputSize(config)) + workgroupSize + groups +
    4 * workgroupSize; // the split sums' vec4 scratch (reduce.wgsl)
  const backward = L * Hp + L * H + 4 * H + reads + config.outputs + 3 * widest + 4 * quads +
    3 * N + 5 * (workgroupSize + groups);
  return 4 * Math.max(forward, backward);
}

/** Throws a UsageError when the shape does not fit the device's limits. */
export function checkDeviceLimits(shape: NtmShape, limits: GPUSupportedLimits): void {
  const fail = (detail: string): never => {
    throw new UsageError(`Cannot build the WebGPU NTM: ${detail}`);
  };
  checkParamTexture(shape.paramTexture, limits);
  const needed = workgroupBytes(shape);
  if (needed > limits.maxComputeWorkgroupStorageSize) {
    fail(
      `its kernels need ${needed} bytes of workgroup memory per batch row, the device offers ` +
        `${limits.maxComputeWorkgroupStorageSize}; lower controller_size, memory_n or memory_m`,
    );
  }
  if (shape.workgroupSize > limits.maxComputeInvocationsPerWorkgroup) {
    fail(
      `workgroup size ${shape.workgroupSize} exceeds the device's ` +
        `${limits.maxComputeInvocationsPerWorkgroup} invocations per workgroup`,
    );
  }
  const { forward, memoryStates, gradient } = shape.tape;
  const largest = Math.max(forward.size, memoryStates, gradient.size) * 4;
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  if (largest > limit) {
    fail(
      `its tape needs ${(largest / 2 ** 20).toFixed(1)} MiB in one buffer, the device binds at ` +
        `most ${(limit / 2 ** 20).toFixed(1)} MiB; lower batch_size or the sequence lengths`,
    );
  }
}
