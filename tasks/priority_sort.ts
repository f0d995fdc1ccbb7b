/**
 * The priority sort task (NTM-SPEC "Tasks", section 4.5 of the NTM paper): the network reads
 * random bit vectors, each with a priority drawn uniformly from [-1, 1) (the paper's U[-1, 1]),
 * then writes the vectors of highest priority, highest first.
 *
 * Run: `deno task priority-sort --seed 10 [-p name=value …]` (`--help` lists every option and
 * param).
 *
 * @module
 */

import { runTaskCli } from "../lib/cli/task_cli.ts";
import { randomBit, randomUniform } from "../lib/random.ts";
import {
  bitIndex,
  checkOrdered,
  integerParam,
  type IntegerParamSpec,
  MAX_BATCHES,
  modelConfig,
  modelOptimizer,
  modelParams,
  type ModelParamSpecs,
  type NumberParamSpec,
  type ParamValues,
  type TaskDefinition,
  type TaskElements,
} from "../lib/train/task.ts";
import prioritySortSource from "../shaders/tasks/priority_sort.wgsl" with { type: "text" };

/**
 * The most vectors a sequence may have: the WGSL twin finds the vector of a given rank by
 * comparing every pair, (vectors)² work per target element.
 */
export const MAX_SORT_LENGTH = 256;

/** The specs of the priority sort task's params. */
export type PrioritySortParamSpecs = ModelParamSpecs & {
  readonly controller_layers: IntegerParamSpec;
  readonly num_heads: IntegerParamSpec;
  readonly rmsprop_lr: NumberParamSpec;
  readonly sequence_width: IntegerParamSpec;
  readonly sequence_len: IntegerParamSpec;
  readonly sorted_len: IntegerParamSpec;
  readonly num_batches: IntegerParamSpec;
};

/**
 * The priority sort task's params: the shared model params with the paper's setup (its table 3:
 * 5 heads, a controller of 2 × 100, learning rate 3e-5), and its own data params.
 */
export const prioritySortParams: PrioritySortParamSpecs = {
  ...modelParams,
  controller_layers: { ...modelParams.controller_layers, default: 2 },
  num_heads: { ...modelParams.num_heads, default: 5 },
  rmsprop_lr: { ...modelParams.rmsprop_lr, default: 3e-5 },
  sequence_width: integerParam(8, { min: 1 }, "bits per vector (W)"),
  sequence_len: integerParam(20, { min: 1, max: MAX_SORT_LENGTH }, "vectors in (T)"),
  sorted_len: integerParam(16, { min: 1, max: MAX_SORT_LENGTH }, "vectors out, highest first"),
  num_batches: integerParam(1000000, { min: 1, max: MAX_BATCHES }, "batches to train"),
};

/** Values of the priority sort task's params. */
export type PrioritySortParams = ParamValues<typeof prioritySortParams>;

/**
 * The priority sort task's data, for T vectors of W bits of which the S of highest priority are
 * written out. Input, I = W + 2: T steps of a vector (channels 0..W-1) and its priority
 * (channel W, uniform in [-1, 1)), then a step with only the delimiter (channel W + 1) set.
 * Target, O = W: the S vectors of highest priority, highest first; equal priorities keep input
 * order. The history records T.
 *
 * Vector j's bits are row j of the batch's bits (`bitIndex`); its priority is drawn at the
 * index of row T + j's first bit, which no vector uses.
 */
export function prioritySortElements(params: PrioritySortParams): TaskElements {
  const { batch_size: B, sequence_width: W, sequence_len: T, sorted_len: S } = params;
  /** The priority of vector `j` of sequence `b`: 2u − 1 for a 24-bit uniform u, exact. */
  const priority = (seed: number, batchNumber: number, j: number, b: number) =>
    2 * randomUniform(seed, batchNumber, bitIndex(T + j, b, 0, B, W)) - 1;
  /**
   * Sequence `b`'s vectors from the highest priority to the lowest, equal priorities in input
   * order (the WGSL twin finds each rank by counting the vectors above it: the same order).
   */
  const order = (seed: number, batchNumber: number, b: number) =>
    Array.from({ length: T }, (_, j) => ({ j, key: priority(seed, batchNumber, j, b) }))
      .sort((first, second) => second.key - first.key || first.j - second.j)
      .map((vector) => vector.j);
  // The order of the batch last asked for, per sequence: a batch's targets share it.
  let cache = { seed: -1, batchNumber: -1, orders: new Map<number, number[]>() };
  const ranked = (seed: number, batchNumber: number, rank: number, b: number) => {
    if (cache.seed !== seed || cache.batchNumber !== batchNumber) {
      cache = { seed, batchNumber, orders: new Map() };
    }
    let sequence = cache.orders.get(b);
    if (sequence === undefined) {
      sequence = order(seed, batchNumber, b);
      cache.orders.set(b, sequence);
    }
    return sequence[rank];
  };
  return {
    batchSize: B,
    inputs: W + 2,
    outputs: W,
    steps: () => ({ inputSteps: T + 1, outputSteps: S, outputStart: T + 1, length: T }),
    input(seed, batchNumber, _steps, t, b, i) {
      // The delimiter step.
      if (t === T) return i === W + 1 ? 1 : 0;
      if (i < W) return randomBit(seed, batchNumber, bitIndex(t, b, i, B, W));
      return i === W ? priority(seed, batchNumber, t, b) : 0;
    },
    target(seed, batchNumber, _steps, t, b, o) {
      return randomBit(seed, batchNumber, bitIndex(ranked(seed, batchNumber, t, b), b, o, B, W));
    },
  };
}

/** The priority sort task: `priority-sort-task` checkpoints, the paper's setup. */
export const prioritySortTask: TaskDefinition<typeof prioritySortParams> = {
  name: "priority-sort-task",
  description: "write random bit vectors in order of their priorities, the highest first",
  params: prioritySortParams,
  check(params) {
    checkOrdered(params, "sorted_len", "sequence_len");
  },
  config: (params) => modelConfig(params, params.sequence_width + 2, params.sequence_width),
  optimizer: modelOptimizer,
  dataParams: ["batch_size", "sequence_len", "sorted_len"],
  describe: (steps) => `Length: ${steps.length} Sorted: ${steps.outputSteps}`,
  capacity: (params) => params.sequence_len + 1 + params.sorted_len,
  elements: prioritySortElements,
  gpu: {
    source: prioritySortSource,
    constants: (params) => ({
      SEQUENCE_WIDTH: params.sequence_width,
      SEQUENCE_LEN: params.sequence_len,
      SORTED_LEN: params.sorted_len,
    }),
    // priority_sort_ranked: a loop over the T vectors, each counting over the T vectors, so
    // (T + 1) + T·(T + 1) iterations at most.
    loops: ({ sequence_len: T }) => ({ input: 0, target: (T + 1) ** 2 }),
  },
};

if (import.meta.main) Deno.exit(await runTaskCli(prioritySortTask, Deno.args));
