/**
 * The copy task (NTM-SPEC "Tasks", the reference's `copytask.py`): the network reads T random
 * 8-bit vectors and a delimiter, then writes the T vectors back.
 *
 * Run: `deno task copy --seed 10 [-p name=value …]` (`--help` lists every option and param).
 *
 * @module
 */

import { runTrainingCli } from "../lib/cli/train_cli.ts";
import { randomBit, randomInt } from "../lib/random.ts";
import {
  checkOrdered,
  headsParam,
  integerParam,
  modelConfig,
  modelOptimizer,
  numberParam,
  type ParamValues,
  type TaskDefinition,
  type TaskElements,
} from "../lib/train/task.ts";
import copySource from "../shaders/tasks/copy.wgsl" with { type: "text" };

const MAX_LENGTH = 65536;
const MAX_BATCHES = 0x7fff_ffff;

/** The copy task's params, with the reference's names and defaults. */
export const copyParams = {
  controller_size: integerParam(100, { min: 1 }, "LSTM controller size (H)"),
  controller_layers: integerParam(1, { min: 1 }, "LSTM controller layers (L)"),
  num_heads: integerParam(1, { min: 1 }, "read/write head pairs, when heads is empty"),
  heads: headsParam("head list in run order, e.g. write,read,read; overrides num_heads"),
  sequence_width: integerParam(8, { min: 1 }, "bits per vector (W)"),
  sequence_min_len: integerParam(1, { min: 1, max: MAX_LENGTH }, "shortest sequence"),
  sequence_max_len: integerParam(20, { min: 1, max: MAX_LENGTH }, "longest sequence"),
  memory_n: integerParam(128, { min: 3 }, "memory rows (N)"),
  memory_m: integerParam(20, { min: 1 }, "memory width (M)"),
  num_batches: integerParam(50000, { min: 1, max: MAX_BATCHES }, "batches to train"),
  batch_size: integerParam(1, { min: 1 }, "sequences per batch (B)"),
  rmsprop_lr: numberParam(1e-4, { min: 0, minExclusive: true }, "RMSprop learning rate"),
  rmsprop_momentum: numberParam(0.9, { min: 0, max: 1, maxExclusive: true }, "RMSprop momentum"),
  rmsprop_alpha: numberParam(0.95, { min: 0, max: 1 }, "RMSprop smoothing constant"),
};

/** Values of the copy task's params. */
export type CopyParams = ParamValues<typeof copyParams>;

/**
 * The copy task's data. Input: T steps of W random bits (channel W zero), then one step with only
 * the delimiter channel W set; I = W + 1. Target: the T vectors; O = W. The history records T.
 */
export function copyElements(params: CopyParams): TaskElements {
  const {
    batch_size: B,
    sequence_width: W,
    sequence_min_len: minLength,
    sequence_max_len: maxLength,
  } = params;
  const bitIndex = (t: number, b: number, w: number) => 2 + (t * B + b) * W + w;
  return {
    batchSize: B,
    inputs: W + 1,
    outputs: W,
    steps(seed, batchNumber) {
      const length = randomInt(seed, batchNumber, 0, minLength, maxLength);
      return { inputSteps: length + 1, outputSteps: length, length };
    },
    input(seed, batchNumber, steps, t, b, i) {
      const sequenceLength = steps.inputSteps - 1;
      if (t < sequenceLength) {
        return i < W ? randomBit(seed, batchNumber, bitIndex(t, b, i)) : 0;
      }
      // The delimiter step.
      return i === W ? 1 : 0;
    },
    target(seed, batchNumber, _steps, t, b, o) {
      return randomBit(seed, batchNumber, bitIndex(t, b, o));
    },
  };
}

/** The copy task: `copy-task` checkpoints, the reference's defaults. */
export const copyTask: TaskDefinition<typeof copyParams> = {
  name: "copy-task",
  description: "copy a sequence of random bit vectors after a delimiter",
  params: copyParams,
  check(params) {
    checkOrdered(params, "sequence_min_len", "sequence_max_len");
  },
  config: (params) => modelConfig(params, params.sequence_width + 1, params.sequence_width),
  optimizer: modelOptimizer,
  capacity: (params) => 2 * params.sequence_max_len + 1,
  elements: copyElements,
  gpu: {
    source: copySource,
    constants: (params) => ({
      SEQUENCE_WIDTH: params.sequence_width,
      SEQUENCE_MIN_LEN: params.sequence_min_len,
      SEQUENCE_MAX_LEN: params.sequence_max_len,
    }),
  },
};

if (import.meta.main) Deno.exit(await runTrainingCli(copyTask, Deno.args));
