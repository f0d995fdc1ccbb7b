/**
 * The copy task (NTM-SPEC "Tasks", the reference's `copytask.py`): the network reads T random
 * 8-bit vectors and a delimiter, then writes the T vectors back.
 *
 * Run: `deno task copy --seed 10 [-p name=value …]` (`--help` lists every option and param).
 *
 * @module
 */

import { runTaskCli } from "../lib/cli/task_cli.ts";
import { randomBit, randomInt } from "../lib/random.ts";
import {
  bitIndex,
  checkOrdered,
  integerParam,
  type IntegerParamSpec,
  MAX_BATCHES,
  MAX_SEQUENCE_LENGTH,
  modelConfig,
  modelOptimizer,
  modelParams,
  type ModelParamSpecs,
  type ParamValues,
  type TaskDefinition,
  type TaskElements,
} from "../lib/train/task.ts";
import copySource from "../shaders/tasks/copy.wgsl" with { type: "text" };

/** The specs of the copy task's params. */
export type CopyParamSpecs = ModelParamSpecs & {
  readonly sequence_width: IntegerParamSpec;
  readonly sequence_min_len: IntegerParamSpec;
  readonly sequence_max_len: IntegerParamSpec;
  readonly num_batches: IntegerParamSpec;
};

/** The copy task's params: the shared model params and its own data params. */
export const copyParams: CopyParamSpecs = {
  ...modelParams,
  sequence_width: integerParam(8, { min: 1 }, "bits per vector (W)"),
  sequence_min_len: integerParam(1, { min: 1, max: MAX_SEQUENCE_LENGTH }, "shortest sequence"),
  sequence_max_len: integerParam(20, { min: 1, max: MAX_SEQUENCE_LENGTH }, "longest sequence"),
  num_batches: integerParam(50000, { min: 1, max: MAX_BATCHES }, "batches to train"),
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
  return {
    batchSize: B,
    inputs: W + 1,
    outputs: W,
    steps(seed, batchNumber) {
      const length = randomInt(seed, batchNumber, 0, minLength, maxLength);
      return { inputSteps: length + 1, outputSteps: length, outputStart: length + 1, length };
    },
    input(seed, batchNumber, steps, t, b, i) {
      const sequenceLength = steps.inputSteps - 1;
      if (t < sequenceLength) {
        return i < W ? randomBit(seed, batchNumber, bitIndex(t, b, i, B, W)) : 0;
      }
      // The delimiter step.
      return i === W ? 1 : 0;
    },
    target(seed, batchNumber, _steps, t, b, o) {
      return randomBit(seed, batchNumber, bitIndex(t, b, o, B, W));
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
  dataParams: ["batch_size", "sequence_min_len", "sequence_max_len"],
  describe: (steps) => `Length: ${steps.length}`,
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

if (import.meta.main) Deno.exit(await runTaskCli(copyTask, Deno.args));
