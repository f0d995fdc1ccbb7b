/**
 * The associative recall task (NTM-SPEC "Tasks", section 4.3 of the NTM paper): the network
 * reads a list of items, each a few random bit vectors after a delimiter, then a query item
 * between two delimiters of a second kind, and answers with the item that followed the query in
 * the list.
 *
 * Run: `deno task associative-recall --seed 10 [-p name=value …]` (`--help` lists every option
 * and param).
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
import associativeRecallSource from "../shaders/tasks/associative_recall.wgsl" with {
  type: "text",
};

/** The most vectors an item may have. */
export const MAX_ITEM_LENGTH = 256;

/** The specs of the associative recall task's params. */
export type AssociativeRecallParamSpecs = ModelParamSpecs & {
  readonly sequence_width: IntegerParamSpec;
  readonly item_len: IntegerParamSpec;
  readonly min_items: IntegerParamSpec;
  readonly max_items: IntegerParamSpec;
  readonly num_batches: IntegerParamSpec;
};

/** The associative recall task's params: the shared model params and its own data params. */
export const associativeRecallParams: AssociativeRecallParamSpecs = {
  ...modelParams,
  sequence_width: integerParam(6, { min: 1 }, "bits per vector (W)"),
  item_len: integerParam(3, { min: 1, max: MAX_ITEM_LENGTH }, "vectors per item (L)"),
  min_items: integerParam(2, { min: 2, max: MAX_SEQUENCE_LENGTH }, "fewest items in the list"),
  max_items: integerParam(6, { min: 2, max: MAX_SEQUENCE_LENGTH }, "most items in the list"),
  num_batches: integerParam(1000000, { min: 1, max: MAX_BATCHES }, "batches to train"),
};

/** Values of the associative recall task's params. */
export type AssociativeRecallParams = ParamValues<typeof associativeRecallParams>;

/**
 * The associative recall task's data, for K items (drawn per batch from [min_items, max_items])
 * of L vectors of W bits. Input, I = W + 2:
 * - K times: a step with only the item delimiter (channel W) set, then the item's L vectors;
 * - a step with only the query delimiter (channel W + 1) set, the query item (one of the first
 *   K − 1, drawn per sequence), and the query delimiter again: K·(L + 1) + L + 2 steps.
 *
 * Target, O = W: the L vectors of the item after the query. The history records K.
 *
 * Item j's vector r is row j·L + r of the batch's bits (`bitIndex`); sequence b's query is drawn
 * at the index of row K·L's first bit, which no item uses.
 */
export function associativeRecallElements(params: AssociativeRecallParams): TaskElements {
  const {
    batch_size: B,
    sequence_width: W,
    item_len: L,
    min_items: minItems,
    max_items: maxItems,
  } = params;
  /** The index in the list, from 0, of sequence `b`'s query item among `items`. */
  const query = (seed: number, batchNumber: number, items: number, b: number) =>
    randomInt(seed, batchNumber, bitIndex(items * L, b, 0, B, W), 0, items - 2);
  /** Bit `w` of vector `r` of item `item` of sequence `b`. */
  const itemBit = (
    seed: number,
    batchNumber: number,
    item: number,
    r: number,
    b: number,
    w: number,
  ) => randomBit(seed, batchNumber, bitIndex(item * L + r, b, w, B, W));
  return {
    batchSize: B,
    inputs: W + 2,
    outputs: W,
    steps(seed, batchNumber) {
      const items = randomInt(seed, batchNumber, 0, minItems, maxItems);
      const inputSteps = items * (L + 1) + L + 2;
      return { inputSteps, outputSteps: L, outputStart: inputSteps, length: items };
    },
    input(seed, batchNumber, steps, t, b, i) {
      const items = steps.length;
      const listSteps = items * (L + 1);
      if (t < listSteps) {
        const item = Math.floor(t / (L + 1)), position = t % (L + 1);
        // The item delimiter, then the item's vectors.
        if (position === 0) return i === W ? 1 : 0;
        return i < W ? itemBit(seed, batchNumber, item, position - 1, b, i) : 0;
      }
      const position = t - listSteps;
      // The query delimiters, before and after the query item.
      if (position === 0 || position === L + 1) return i === W + 1 ? 1 : 0;
      if (i >= W) return 0;
      return itemBit(seed, batchNumber, query(seed, batchNumber, items, b), position - 1, b, i);
    },
    target(seed, batchNumber, steps, t, b, o) {
      return itemBit(seed, batchNumber, query(seed, batchNumber, steps.length, b) + 1, t, b, o);
    },
  };
}

/** The associative recall task: `associative-recall-task` checkpoints, the paper's setup. */
export const associativeRecallTask: TaskDefinition<typeof associativeRecallParams> = {
  name: "associative-recall-task",
  description: "recall the item that followed a query item in a list of random items",
  params: associativeRecallParams,
  check(params) {
    checkOrdered(params, "min_items", "max_items");
  },
  config: (params) => modelConfig(params, params.sequence_width + 2, params.sequence_width),
  optimizer: modelOptimizer,
  dataParams: ["batch_size", "item_len", "min_items", "max_items"],
  describe: (steps) => `Items: ${steps.length}`,
  capacity: (params) => params.max_items * (params.item_len + 1) + 2 * params.item_len + 2,
  elements: associativeRecallElements,
  gpu: {
    source: associativeRecallSource,
    constants: (params) => ({
      SEQUENCE_WIDTH: params.sequence_width,
      ITEM_LEN: params.item_len,
      MIN_ITEMS: params.min_items,
      MAX_ITEMS: params.max_items,
    }),
  },
};

if (import.meta.main) Deno.exit(await runTaskCli(associativeRecallTask, Deno.args));
