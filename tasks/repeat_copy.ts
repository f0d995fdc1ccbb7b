/**
 * The repeat copy task (NTM-SPEC "Tasks", the reference's `repeatcopytask.py`): the network
 * reads T random 8-bit vectors, a delimiter and a repeat count n, then writes the T vectors n
 * times followed by an end marker.
 *
 * Run: `deno task repeat-copy --seed 10 [-p name=value …]` (`--help` lists every option and param).
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
import repeatCopySource from "../shaders/tasks/repeat_copy.wgsl" with { type: "text" };

/** The specs of the repeat copy task's params. */
export type RepeatCopyParamSpecs = ModelParamSpecs & {
  readonly sequence_width: IntegerParamSpec;
  readonly sequence_min_len: IntegerParamSpec;
  readonly sequence_max_len: IntegerParamSpec;
  readonly repeat_min: IntegerParamSpec;
  readonly repeat_max: IntegerParamSpec;
  readonly num_batches: IntegerParamSpec;
};

/** The repeat copy task's params: the shared model params and its own data params. */
export const repeatCopyParams: RepeatCopyParamSpecs = {
  ...modelParams,
  sequence_width: integerParam(8, { min: 1 }, "bits per vector (W)"),
  sequence_min_len: integerParam(1, { min: 1, max: MAX_SEQUENCE_LENGTH }, "shortest sequence"),
  sequence_max_len: integerParam(10, { min: 1, max: MAX_SEQUENCE_LENGTH }, "longest sequence"),
  repeat_min: integerParam(1, { min: 1, max: MAX_SEQUENCE_LENGTH }, "fewest repeats"),
  repeat_max: integerParam(10, { min: 1, max: MAX_SEQUENCE_LENGTH }, "most repeats"),
  num_batches: integerParam(250000, { min: 1, max: MAX_BATCHES }, "batches to train"),
};

/** Values of the repeat copy task's params. */
export type RepeatCopyParams = ParamValues<typeof repeatCopyParams>;

/**
 * The normalisation of the repeat count as the reference does it, `(n - mean) / std` with the
 * mean and variance of the uniform integers in `[repeat_min, repeat_max]`, written as
 * `(n - mean) · scale` with float32 constants. `n - mean` is exact, so the WGSL twin's
 * `(2n - min - max) · scale/2` computes the same bits. A single repeat count (min = max)
 * normalises to 0.
 */
export function repeatCopyNormalisation(params: RepeatCopyParams): { mean: number; scale: number } {
  const { repeat_min: low, repeat_max: high } = params;
  const variance = ((high - low + 1) ** 2 - 1) / 12;
  return {
    mean: Math.fround((low + high) / 2),
    scale: variance > 0 ? Math.fround(1 / Math.sqrt(variance)) : 0,
  };
}

/**
 * The repeat copy task's data. Input: T steps of W random bits, a delimiter step (channel W), a
 * step whose channel W+1 holds the normalised repeat count n; I = W + 2. Target: the T vectors
 * n times, then an end marker on channel W; O = W + 1. The history records T·n + 1 (the
 * reference's `y.size(0)`). The repeat count is normalised with `normalisation`, by default the
 * one of `params`' own repeat range.
 */
export function repeatCopyElements(
  params: RepeatCopyParams,
  normalisation: { mean: number; scale: number } = repeatCopyNormalisation(params),
): TaskElements {
  const {
    batch_size: B,
    sequence_width: W,
    sequence_min_len: minLength,
    sequence_max_len: maxLength,
    repeat_min: minRepeats,
    repeat_max: maxRepeats,
  } = params;
  const { mean, scale } = normalisation;
  return {
    batchSize: B,
    inputs: W + 2,
    outputs: W + 1,
    steps(seed, batchNumber) {
      const sequenceLength = randomInt(seed, batchNumber, 0, minLength, maxLength);
      const repeats = randomInt(seed, batchNumber, 1, minRepeats, maxRepeats);
      const outputSteps = sequenceLength * repeats + 1;
      const inputSteps = sequenceLength + 2;
      return { inputSteps, outputSteps, outputStart: inputSteps, length: outputSteps };
    },
    input(seed, batchNumber, steps, t, b, i) {
      const sequenceLength = steps.inputSteps - 2;
      if (t < sequenceLength) {
        return i < W ? randomBit(seed, batchNumber, bitIndex(t, b, i, B, W)) : 0;
      }
      if (t === sequenceLength) {
        // The delimiter step.
        return i === W ? 1 : 0;
      }
      // The repeat count step.
      if (i !== W + 1) return 0;
      const repeats = (steps.outputSteps - 1) / sequenceLength;
      return Math.fround(Math.fround(repeats - mean) * scale);
    },
    target(seed, batchNumber, steps, t, b, o) {
      const sequenceLength = steps.inputSteps - 2;
      const repeatedSteps = steps.outputSteps - 1;
      if (t < repeatedSteps) {
        return o < W ? randomBit(seed, batchNumber, bitIndex(t % sequenceLength, b, o, B, W)) : 0;
      }
      // The end marker.
      return o === W ? 1 : 0;
    },
  };
}

/** The repeat copy task: `repeat-copy-task` checkpoints, the reference's defaults. */
export const repeatCopyTask: TaskDefinition<typeof repeatCopyParams> = {
  name: "repeat-copy-task",
  description: "copy a sequence of random bit vectors n times, then mark the end",
  params: repeatCopyParams,
  check(params) {
    checkOrdered(params, "sequence_min_len", "sequence_max_len");
    checkOrdered(params, "repeat_min", "repeat_max");
  },
  config: (params) => modelConfig(params, params.sequence_width + 2, params.sequence_width + 1),
  optimizer: modelOptimizer,
  dataParams: ["batch_size", "sequence_min_len", "sequence_max_len", "repeat_min", "repeat_max"],
  describe: (steps) => {
    const length = steps.inputSteps - 2;
    return `Length: ${length} Repeats: ${(steps.outputSteps - 1) / length}`;
  },
  capacity: (params) =>
    params.sequence_max_len + 2 + params.sequence_max_len * params.repeat_max + 1,
  elements: (params) => repeatCopyElements(params),
  // The model learned the repeat count normalised by its training range: other repeat counts
  // are fed on that scale, not renormalised by the new range.
  evaluationElements: (params, trained) =>
    repeatCopyElements(params, repeatCopyNormalisation(trained)),
  gpu: {
    source: repeatCopySource,
    constants: (params) => {
      const { scale } = repeatCopyNormalisation(params);
      return {
        SEQUENCE_WIDTH: params.sequence_width,
        SEQUENCE_MIN_LEN: params.sequence_min_len,
        SEQUENCE_MAX_LEN: params.sequence_max_len,
        REPEAT_MIN: params.repeat_min,
        REPEAT_MAX: params.repeat_max,
        REPEAT_HALF_SCALE: scale / 2,
      };
    },
  },
};

if (import.meta.main) Deno.exit(await runTaskCli(repeatCopyTask, Deno.args));
