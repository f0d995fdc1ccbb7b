/**
 * The dynamic N-grams task (NTM-SPEC "Tasks", section 4.4 of the NTM paper): each sequence is a
 * string of bits drawn from its own random N-gram model, and the network, reading one bit per
 * step, predicts the next bit at every step. The best any predictor can do (up to the grid the
 * tables are drawn on, see `ngramProbability`) is the Bayesian estimator that counts, for each
 * context of N − 1 bits, the ones and zeros that followed it so far in the sequence
 * (`optimalPredictions`); `evaluate` prints its loss beside the network's.
 *
 * Run: `deno task dynamic-ngrams --seed 10 [-p name=value …]` (`--help` lists every option and
 * param).
 *
 * @module
 */

import { UsageError } from "../lib/config.ts";
import { runTaskCli } from "../lib/cli/task_cli.ts";
import { randomU32 } from "../lib/random.ts";
import {
  bitIndex,
  integerParam,
  type IntegerParamSpec,
  MAX_BATCHES,
  MAX_SEQUENCE_LENGTH,
  modelConfig,
  modelOptimizer,
  modelParams,
  type ModelParamSpecs,
  type NumberParamSpec,
  type ParamValues,
  type TaskBatch,
  type TaskDefinition,
  type TaskElements,
} from "../lib/train/task.ts";
import dynamicNgramsSource from "../shaders/tasks/dynamic_ngrams.wgsl" with { type: "text" };

/** The longest N-gram: its table holds 2^(N−1) probabilities per sequence. */
export const MAX_NGRAM = 12;

/**
 * The draws of one table entry: the first of up to this many points inside the quarter disc
 * (each is inside with probability π/4) gives its probability; when all miss (probability
 * 4.6e-6), it is 1/2.
 */
export const NGRAM_ATTEMPTS = 8;

/**
 * A point's coordinates are odd integers below 2^(bits + 1), from `bits` random bits each: 1 to
 * 511, in a quarter disc of radius 512, so a table entry's total x² + y² is at most 2^18.
 */
const COORDINATE_BITS = 8;

/**
 * A bit is 1 when a uniform draw `u` of this many bits has `u·total < ones·2^DRAW_BITS`. Both
 * sides stay below 2^32 (u32 in WGSL) while DRAW_BITS + 2·COORDINATE_BITS + 2 ≤ 32.
 */
const DRAW_BITS = 14;

/** The quarter disc's radius squared: 2^(2·(COORDINATE_BITS + 1)). */
const DISC_RADIUS_SQUARED = 4 ** (COORDINATE_BITS + 1);

/** The specs of the dynamic N-grams task's params. */
export type DynamicNgramsParamSpecs = ModelParamSpecs & {
  readonly rmsprop_lr: NumberParamSpec;
  readonly ngram: IntegerParamSpec;
  readonly sequence_len: IntegerParamSpec;
  readonly num_batches: IntegerParamSpec;
};

/**
 * The dynamic N-grams task's params: the shared model params with the paper's learning rate
 * (3e-5), and its own data params.
 */
export const dynamicNgramsParams: DynamicNgramsParamSpecs = {
  ...modelParams,
  rmsprop_lr: { ...modelParams.rmsprop_lr, default: 3e-5 },
  ngram: integerParam(6, { min: 1, max: MAX_NGRAM }, "N: each bit depends on the N − 1 before it"),
  sequence_len: integerParam(200, { min: 2, max: MAX_SEQUENCE_LENGTH }, "bits per sequence (L)"),
  num_batches: integerParam(1000000, { min: 1, max: MAX_BATCHES }, "batches to train"),
};

/** Values of the dynamic N-grams task's params. */
export type DynamicNgramsParams = ParamValues<typeof dynamicNgramsParams>;

/** A probability `ones / total`, exact in integers (WGSL: `struct NgramProbability`). */
export interface NgramProbability {
  /** The numerator. */
  readonly ones: number;
  /** The denominator, at most 2^18. */
  readonly total: number;
}

/**
 * Where the draws of a batch lie: bit t of sequence b at `bitIndex(t, b, 0, B, 1)`, then the
 * table entries' points, two draws per attempt, for every sequence and context.
 */
function tableIndex(params: DynamicNgramsParams, b: number, context: number, attempt: number) {
  const { batch_size: B, sequence_len: L, ngram } = params;
  const contexts = 2 ** (ngram - 1);
  return 2 + L * B + ((b * contexts + context) * NGRAM_ATTEMPTS + attempt) * 2;
}

/**
 * The probability that a bit after `context` is 1, in sequence `b` of batch `batchNumber`: a
 * draw from Beta(1/2, 1/2), as the paper asks, computed in integers so that the CPU and the GPU
 * agree exactly. For a point (x, y) spread uniformly over a quarter disc, y²/(x² + y²) = sin²θ
 * with θ uniform, which is Beta(1/2, 1/2). The point is the first of up to `NGRAM_ATTEMPTS` drawn
 * on a grid of odd coordinates that lies inside the disc, so the law is Beta(1/2, 1/2) up to that
 * grid of about 51,000 points (its variance is 0.125011 against 1/8).
 */
export function ngramProbability(
  params: DynamicNgramsParams,
  seed: number,
  batchNumber: number,
  b: number,
  context: number,
): NgramProbability {
  const first = tableIndex(params, b, context, 0);
  /** An odd coordinate from the top COORDINATE_BITS bits of draw `index`. */
  const coordinate = (index: number) =>
    2 * (randomU32(seed, batchNumber, index) >>> (32 - COORDINATE_BITS)) + 1;
  for (let attempt = 0; attempt < NGRAM_ATTEMPTS; attempt++) {
    const x = coordinate(first + 2 * attempt), y = coordinate(first + 2 * attempt + 1);
    const total = x * x + y * y;
    if (total <= DISC_RADIUS_SQUARED) return { ones: y * y, total };
  }
  return { ones: 1, total: 2 };
}

/**
 * The L bits of sequence `b` of batch `batchNumber`. Bit t follows its context: the N − 1 bits
 * before it, bit t − 1 lowest, bits before the sequence taken as 0. It is 1 when the 14-bit
 * uniform drawn for it, times the table entry's total, is below its ones times 2^14.
 */
export function ngramSequence(
  params: DynamicNgramsParams,
  seed: number,
  batchNumber: number,
  b: number,
): Uint8Array {
  const { batch_size: B, sequence_len: L, ngram } = params;
  const mask = 2 ** (ngram - 1) - 1;
  const bits = new Uint8Array(L);
  let context = 0;
  for (let t = 0; t < L; t++) {
    const { ones, total } = ngramProbability(params, seed, batchNumber, b, context);
    const draw = randomU32(seed, batchNumber, bitIndex(t, b, 0, B, 1)) >>> (32 - DRAW_BITS);
    bits[t] = draw * total < ones * 2 ** DRAW_BITS ? 1 : 0;
    context = ((context << 1) | bits[t]) & mask;
  }
  return bits;
}

/**
 * The dynamic N-grams task's data, for sequences of L bits. Input, I = 1: bits 0 to L − 2, one
 * per step. Target, O = 1: bits 1 to L − 1, trained from step 0 (`outputStart` 0): at every
 * step the network predicts the bit it will read next. The history records L.
 */
export function dynamicNgramsElements(params: DynamicNgramsParams): TaskElements {
  const { batch_size: B, sequence_len: L } = params;
  // The bits of the batch last asked for, per sequence: a batch's inputs and targets share them.
  // A memo only: the element functions stay pure functions of their arguments.
  let cache = { seed: -1, batchNumber: -1, sequences: new Map<number, Uint8Array>() };
  const bit = (seed: number, batchNumber: number, t: number, b: number) => {
    if (cache.seed !== seed || cache.batchNumber !== batchNumber) {
      cache = { seed, batchNumber, sequences: new Map() };
    }
    let sequence = cache.sequences.get(b);
    if (sequence === undefined) {
      sequence = ngramSequence(params, seed, batchNumber, b);
      cache.sequences.set(b, sequence);
    }
    return sequence[t];
  };
  return {
    batchSize: B,
    inputs: 1,
    outputs: 1,
    steps: () => ({ inputSteps: L - 1, outputSteps: L - 1, outputStart: 0, length: L }),
    input: (seed, batchNumber, _steps, t, b) => bit(seed, batchNumber, t, b),
    target: (seed, batchNumber, _steps, t, b) => bit(seed, batchNumber, t + 1, b),
  };
}

/**
 * The Bayesian estimator's predictions of a batch's targets, `[T_out, B, 1]`: after reading bits
 * 0 to t, the probability that bit t + 1 is 1 is (ones + 1/2) / (ones + zeros + 1), where ones
 * and zeros count the bits that followed the same context of N − 1 bits (the paper's equation
 * for the optimal estimator under Beta(1/2, 1/2) tables). With `window`, only the last `window`
 * bits read are counted: the estimator of a predictor that remembers no further back, a yardstick
 * for models of bounded memory.
 */
export function optimalPredictions(
  params: DynamicNgramsParams,
  batch: TaskBatch,
  window = Infinity,
): Float32Array {
  const { batch_size: B, ngram } = params;
  if (!(window === Infinity || (Number.isInteger(window) && window >= 1))) {
    throw new RangeError(
      `Cannot predict a dynamic N-grams batch: the window must be a positive integer or ` +
        `Infinity, got ${window}`,
    );
  }
  const steps = batch.outputSteps;
  if (batch.inputSteps !== steps || batch.outputStart !== 0) {
    throw new RangeError(
      "Cannot predict a dynamic N-grams batch: it must predict from step 0 as many steps as it " +
        `reads, got inputSteps ${batch.inputSteps}, outputSteps ${steps}, outputStart ` +
        `${batch.outputStart}`,
    );
  }
  if (batch.input.length !== steps * B || batch.target.length !== steps * B) {
    throw new RangeError(
      "Cannot predict a dynamic N-grams batch: its input and target must each hold " +
        `[${steps}, ${B}, 1] = ${steps * B} values, got ${batch.input.length} and ` +
        `${batch.target.length}`,
    );
  }
  const mask = 2 ** (ngram - 1) - 1;
  const predictions = new Float32Array(steps * B);
  for (let b = 0; b < B; b++) {
    const ones = new Float64Array(mask + 1), zeros = new Float64Array(mask + 1);
    /** The context each bit read followed. */
    const before = new Uint32Array(steps);
    // Bit 0 followed the all-zero context, like every bit before the first 1.
    let context = 0;
    for (let t = 0; t < steps; t++) {
      const bit = batch.input[t * B + b];
      before[t] = context;
      if (bit === 1) ones[context]++;
      else zeros[context]++;
      if (t >= window) {
        // Bit t − window leaves the window.
        if (batch.input[(t - window) * B + b] === 1) ones[before[t - window]]--;
        else zeros[before[t - window]]--;
      }
      context = ((context << 1) | bit) & mask;
      predictions[t * B + b] = (ones[context] + 0.5) / (ones[context] + zeros[context] + 1);
    }
  }
  return predictions;
}

/** Throws UsageError when a batch's draws would pass the 2^32 indices of a random stream. */
function checkDrawIndices(params: DynamicNgramsParams): void {
  const { batch_size: B, sequence_len: L, ngram } = params;
  const draws = tableIndex(params, B, 0, 0);
  if (draws > 2 ** 32) {
    throw new UsageError(
      `Cannot set params: batch_size ${B}, sequence_len ${L} and ngram ${ngram} need ${draws} ` +
        "random draws per batch, more than the 2^32 a stream has; lower one of them",
    );
  }
}

/**
 * The dynamic N-grams task: `dynamic-ngrams-task` checkpoints, the paper's setup (controller 100,
 * one head pair, lr 3e-5, 200 bits of 6-grams).
 */
export const dynamicNgramsTask: TaskDefinition<typeof dynamicNgramsParams> = {
  name: "dynamic-ngrams-task",
  description: "predict each next bit of a sequence drawn from a random N-gram model",
  params: dynamicNgramsParams,
  check: checkDrawIndices,
  config: (params) => modelConfig(params, 1, 1),
  optimizer: modelOptimizer,
  dataParams: ["batch_size", "ngram", "sequence_len"],
  describe: (steps) => `Bits: ${steps.length}`,
  capacity: (params) => params.sequence_len - 1,
  elements: dynamicNgramsElements,
  optimum: {
    name: "Bayesian optimum",
    predict: optimalPredictions,
  },
  gpu: {
    source: dynamicNgramsSource,
    constants: (params) => ({
      NGRAM: params.ngram,
      SEQUENCE_LEN: params.sequence_len,
      NGRAM_ATTEMPTS,
      COORDINATE_BITS,
      DRAW_BITS,
    }),
    // dynamic_ngrams_bit: a loop over bits 0 to t, each drawing its table entry in up to
    // NGRAM_ATTEMPTS attempts: (t + 2) + (t + 1)·(NGRAM_ATTEMPTS + 1) iterations for bit t.
    // Inputs read bits up to L − 2, targets up to L − 1.
    loops: ({ sequence_len: L }) => ({
      input: L + (L - 1) * (NGRAM_ATTEMPTS + 1),
      target: L + 1 + L * (NGRAM_ATTEMPTS + 1),
    }),
  },
};

if (import.meta.main) Deno.exit(await runTaskCli(dynamicNgramsTask, Deno.args));
