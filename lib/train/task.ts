/**
 * Training tasks: what a task is (its params, the NTM and optimizer it trains, its data), and the
 * batch it hands the trainer.
 *
 * A task's data is written as pure element functions of (seed, batch number, position), so the
 * WGSL twin in `shaders/tasks/<task>.wgsl` can mirror them line by line and the GPU generates the
 * same batches as the CPU, bit for bit. Random draws come from `lib/random.ts` with the batch
 * number as the stream: index 0 draws the sequence length, index 1 the repeat count (tasks that
 * have one), and the bit `w` of sequence `b` at step `t` is at index `2 + ((t·B + b)·W + w)`.
 *
 * @module
 */

import { headPairs, type NTMConfig, parseHeads, UsageError, validateConfig } from "../config.ts";
import { referenceRmsprop, type RmspropSettings } from "../cpu/rmsprop.ts";
import { initParams, type ParamLayout, paramLayout } from "../params.ts";
import type { SequenceSteps } from "../sequence_steps.ts";
import { freshState, type TrainingSetup, type TrainingState } from "./backend.ts";
import { parseLrSchedule } from "./lr_schedule.ts";

/** One batch of a task: inputs, targets and the sequence lengths they share. */
export interface TaskBatch extends TaskSteps {
  /** Input steps, `[T_in, B, I]`; the steps after them are fed zeros. */
  readonly input: Float32Array;
  /** Targets of the steps from `outputStart`, `[T_out, B, O]`. */
  readonly target: Float32Array;
}

/**
 * The lengths of one batch, shared by every sequence in it (WGSL: `struct TaskSteps`): its phases,
 * and the length its training history records.
 */
export interface TaskSteps extends SequenceSteps {
  /**
   * The length the training history records, per task: the reference's `y.size(0)` for copy and
   * repeat copy, the item count for associative recall, the vectors in for priority sort, the
   * bits for dynamic N-grams.
   */
  readonly length: number;
}

/**
 * A task's data as pure element functions, for one set of params. The WGSL twin declares the
 * same three functions (`task_steps`, `task_input`, `task_target`).
 */
export interface TaskElements {
  /** B. */
  readonly batchSize: number;
  /** I. */
  readonly inputs: number;
  /** O. */
  readonly outputs: number;
  /** The lengths of batch `batchNumber`. */
  steps(seed: number, batchNumber: number): TaskSteps;
  /** Input `i` of sequence `b` at step `t < inputSteps`. */
  input(
    seed: number,
    batchNumber: number,
    steps: TaskSteps,
    t: number,
    b: number,
    i: number,
  ): number;
  /** Target `o` of sequence `b` at output step `t < outputSteps` (step `outputStart + t`). */
  target(
    seed: number,
    batchNumber: number,
    steps: TaskSteps,
    t: number,
    b: number,
    o: number,
  ): number;
}

/** An integer param, at least `min` and at most `max`. */
export interface IntegerParamSpec {
  /** Tags the union `ParamSpec`. */
  readonly kind: "integer";
  /** The value when neither a checkpoint nor `-p` sets it. */
  readonly default: number;
  /** Lowest valid value, inclusive. */
  readonly min: number;
  /** Highest valid value, inclusive; absent means up to 2^31 - 1. */
  readonly max?: number;
  /** What the param means, for `--help` and the start-up listing. */
  readonly description: string;
}

/** A real param in `[min, max]`, or `(min, max]` with `minExclusive`. */
export interface NumberParamSpec {
  /** Tags the union `ParamSpec`. */
  readonly kind: "number";
  /** The value when neither a checkpoint nor `-p` sets it. */
  readonly default: number;
  /** Lowest valid value; inclusive unless `minExclusive`. */
  readonly min: number;
  /** Whether `min` itself is invalid. */
  readonly minExclusive?: boolean;
  /** Highest valid value, inclusive unless `maxExclusive`; absent means no upper bound. */
  readonly max?: number;
  /** Whether `max` itself is invalid. */
  readonly maxExclusive?: boolean;
  /** What the param means, for `--help` and the start-up listing. */
  readonly description: string;
}

/** A head list such as `write,read,read`; empty means "use num_heads read/write pairs". */
export interface HeadsParamSpec {
  /** Tags the union `ParamSpec`. */
  readonly kind: "heads";
  /** Always empty: by default the heads come from `num_heads`. */
  readonly default: "";
  /** What the param means, for `--help` and the start-up listing. */
  readonly description: string;
}

/** A learning-rate schedule such as `200000:1e-5` (lib/train/lr_schedule.ts); empty: none. */
export interface ScheduleParamSpec {
  /** Tags the union `ParamSpec`. */
  readonly kind: "schedule";
  /** Always empty: by default the learning rate stays `rmsprop_lr`. */
  readonly default: "";
  /** What the param means, for `--help` and the start-up listing. */
  readonly description: string;
}

/** How one param is parsed, checked and documented. */
export type ParamSpec = IntegerParamSpec | NumberParamSpec | HeadsParamSpec | ScheduleParamSpec;

/** A task's params by name, in the order they are printed. */
export type ParamSchema = Readonly<Record<string, ParamSpec>>;

/** A training task's schema: any params, and `num_batches`, the last batch number to train. */
export type TaskSchema = ParamSchema & { readonly num_batches: IntegerParamSpec };

/** The values of a schema's params: numbers, and strings for head lists and schedules. */
export type ParamValues<S extends ParamSchema> = {
  readonly [K in keyof S]: S[K] extends HeadsParamSpec | ScheduleParamSpec ? string : number;
};

/** Param values by name, for code that handles params by their names. */
export function paramRecord<S extends ParamSchema>(
  params: ParamValues<S>,
): Readonly<Record<string, number | string>> {
  return params as Readonly<Record<string, number | string>>;
}

/** An integer param spec. */
export function integerParam(
  defaultValue: number,
  range: { min: number; max?: number },
  description: string,
): IntegerParamSpec {
  return { kind: "integer", default: defaultValue, ...range, description };
}

/** A real param spec. */
export function numberParam(
  defaultValue: number,
  range: { min: number; minExclusive?: boolean; max?: number; maxExclusive?: boolean },
  description: string,
): NumberParamSpec {
  return { kind: "number", default: defaultValue, ...range, description };
}

/** A head-list param spec (default empty: `num_heads` read/write pairs). */
export function headsParam(description: string): HeadsParamSpec {
  return { kind: "heads", default: "", description };
}

/** A learning-rate schedule param spec (default empty: no switches). */
export function scheduleParam(description: string): ScheduleParamSpec {
  return { kind: "schedule", default: "", description };
}

/**
 * The WGSL twin of a task's element functions. The backend links it after
 * `shaders/common/random.wgsl`, `shaders/ntm/shape.wgsl` (which declares the overrides BATCH,
 * INPUTS and OUTPUTS) and `shaders/common/task_bits.wgsl` (`task_bit_index`, the twin of
 * `bitIndex`); the source declares the task's own overrides, `struct TaskSteps
 * { input_steps: u32, output_steps: u32, output_start: u32, length: u32 }`, and `task_steps`,
 * `task_input`, `task_target` with the signatures of `TaskElements` (all u32 but the f32 results).
 */
export interface TaskGpuTwin<S extends ParamSchema> {
  /** The WGSL source. */
  readonly source: string;
  /** Values of the task's own override constants (not BATCH, INPUTS, OUTPUTS). */
  constants(params: ParamValues<S>): Record<string, number>;
  /**
   * The loops of one call of `task_input` and of `task_target`, for a twin that has any (priority
   * sort ranks its vectors); absent means none. Software adapters stop long loops, so the data
   * kernel counts them against their limit.
   */
  loops?(params: ParamValues<S>): TwinLoops;
}

/**
 * Upper bounds of the loop iterations one call of a WGSL twin's element functions runs, counted
 * as lib/gpu/context.ts `loopIterations` counts them: a loop of n trips costs n + 1, plus n times
 * what its body's loops cost. `task_steps` must not loop.
 */
export interface TwinLoops {
  /** One call of `task_input`. */
  readonly input: number;
  /** One call of `task_target`. */
  readonly target: number;
}

/** The loops of a twin without any. */
export const NO_TWIN_LOOPS: TwinLoops = { input: 0, target: 0 };

/**
 * The best predictions of a task's targets any model can make, for a task where they are known
 * (dynamic N-grams: the Bayesian estimator). `evaluate` measures them beside the network's.
 */
export interface TaskOptimum<S extends ParamSchema> {
  /** Its name in reports: `Bayesian optimum`. */
  readonly name: string;
  /** Its predictions of `batch`'s targets (generated with `params`), `[T_out, B, O]` in [0, 1]. */
  predict(params: ParamValues<S>, batch: TaskBatch): Float32Array;
}

/** Everything the CLI and the trainer need to know about a task. */
export interface TaskDefinition<S extends TaskSchema = TaskSchema> {
  /** The reference's task name, used in checkpoint names: `copy-task`, `repeat-copy-task`. */
  readonly name: string;
  /** One line saying what the network learns. */
  readonly description: string;
  /** Every param with its default, range and meaning. */
  readonly params: S;
  /** Checks relations between params (e.g. min ≤ max); throws UsageError naming the problem. */
  check(params: ParamValues<S>): void;
  /** The NTM the task trains. */
  config(params: ParamValues<S>): NTMConfig;
  /** The optimizer settings. */
  optimizer(params: ParamValues<S>): RmspropSettings;
  /**
   * The params that shape the data but neither the model nor its training (lengths, repeats,
   * `batch_size`): the ones an evaluation of a checkpoint may change.
   */
  readonly dataParams: readonly (keyof S & string)[];
  /** A batch's lengths as the reports show them: `Length: 5`, `Length: 5 Repeats: 3`. */
  describe(steps: TaskSteps): string;
  /** The longest sequence (`outputStart + T_out` steps) the task generates. */
  capacity(params: ParamValues<S>): number;
  /** The data, as element functions. */
  elements(params: ParamValues<S>): TaskElements;
  /**
   * The data of an evaluation with `params` of a model trained with `trained`; by default
   * `elements(params)`. A task whose input encoding depends on its training params keeps the
   * trained encoding here (repeat copy scales the repeat count by its training range).
   */
  evaluationElements?(params: ParamValues<S>, trained: ParamValues<S>): TaskElements;
  /** The optimal predictions, for a task that knows them. */
  readonly optimum?: TaskOptimum<S>;
  /** The WGSL twin of `elements`. */
  readonly gpu: TaskGpuTwin<S>;
}

/** The longest sequence length and repeat count a task param may ask for. */
export const MAX_SEQUENCE_LENGTH = 65536;

/** The most batches a run may train (batch numbers are data streams below `INIT_STREAM`). */
export const MAX_BATCHES = 0x7fff_ffff;

/**
 * The random index of bit `w` of sequence `b` at step `t` in a batch of `batchSize` sequences of
 * `width` bits: `2 + (t·B + b)·W + w` (indices 0 and 1 draw the lengths). The WGSL twin is
 * `task_bit_index` in `shaders/common/task_bits.wgsl`.
 */
export function bitIndex(
  t: number,
  b: number,
  w: number,
  batchSize: number,
  width: number,
): number {
  return 2 + (t * batchSize + b) * width + w;
}

/** The specs of `ModelParams`. */
export type ModelParamSpecs = {
  readonly controller_size: IntegerParamSpec;
  readonly controller_layers: IntegerParamSpec;
  readonly num_heads: IntegerParamSpec;
  readonly heads: HeadsParamSpec;
  readonly memory_n: IntegerParamSpec;
  readonly memory_m: IntegerParamSpec;
  readonly batch_size: IntegerParamSpec;
  readonly rmsprop_lr: NumberParamSpec;
  readonly rmsprop_lr_schedule: ScheduleParamSpec;
  readonly rmsprop_momentum: NumberParamSpec;
  readonly rmsprop_alpha: NumberParamSpec;
};

/**
 * The specs of the params every NTM task shares (`ModelParams`), with the reference's names and
 * defaults; a task spreads them into its schema beside its own data params.
 */
export const modelParams: ModelParamSpecs = {
  controller_size: integerParam(100, { min: 1 }, "LSTM controller size (H)"),
  controller_layers: integerParam(1, { min: 1 }, "LSTM controller layers (L)"),
  num_heads: integerParam(1, { min: 1 }, "read/write head pairs, when heads is empty"),
  heads: headsParam("head list in run order, e.g. write,read,read; overrides num_heads"),
  memory_n: integerParam(128, { min: 3 }, "memory rows (N)"),
  memory_m: integerParam(20, { min: 1 }, "memory width (M)"),
  batch_size: integerParam(1, { min: 1 }, "sequences per batch (B)"),
  rmsprop_lr: numberParam(1e-4, { min: 0, minExclusive: true }, "RMSprop learning rate"),
  rmsprop_lr_schedule: scheduleParam(
    "learning rates after given batches, e.g. 200000:1e-5,300000:3e-6",
  ),
  rmsprop_momentum: numberParam(0.9, { min: 0, max: 1, maxExclusive: true }, "RMSprop momentum"),
  rmsprop_alpha: numberParam(0.95, { min: 0, max: 1 }, "RMSprop smoothing constant"),
};

/** The params every NTM task shares, as the reference names them. */
export interface ModelParams {
  /** LSTM controller size H. */
  readonly controller_size: number;
  /** LSTM controller layers L. */
  readonly controller_layers: number;
  /** Read/write head pairs, used when `heads` is empty. */
  readonly num_heads: number;
  /** Comma-separated head list in run order (`write,read,read`), or empty. */
  readonly heads: string;
  /** Memory rows N. */
  readonly memory_n: number;
  /** Memory width M. */
  readonly memory_m: number;
  /** Sequences per batch B. */
  readonly batch_size: number;
  /** RMSprop learning rate, > 0 (until the schedule's first switch). */
  readonly rmsprop_lr: number;
  /** Learning-rate switches, `BATCH:LR,…` (lib/train/lr_schedule.ts), or empty. */
  readonly rmsprop_lr_schedule: string;
  /** RMSprop momentum, in [0, 1). */
  readonly rmsprop_momentum: number;
  /** RMSprop smoothing constant alpha (decay of the mean square), in [0, 1]. */
  readonly rmsprop_alpha: number;
}

/**
 * The NTM of a task with `inputs` and `outputs` channels: `heads` when given, otherwise
 * `num_heads` read/write pairs. Throws UsageError for an invalid config.
 */
export function modelConfig(params: ModelParams, inputs: number, outputs: number): NTMConfig {
  const heads = params.heads === "" ? headPairs(params.num_heads) : parseHeads(params.heads);
  return validateConfig({
    inputs,
    outputs,
    controllerSize: params.controller_size,
    controllerLayers: params.controller_layers,
    memoryN: params.memory_n,
    memoryM: params.memory_m,
    heads,
    batchSize: params.batch_size,
  });
}

/**
 * The reference's RMSprop (eps 1e-8, clamp ±10) with the task's lr, its schedule, momentum and
 * alpha.
 */
export function modelOptimizer(params: ModelParams): RmspropSettings {
  return {
    ...referenceRmsprop(params.rmsprop_lr),
    momentum: params.rmsprop_momentum,
    alpha: params.rmsprop_alpha,
    schedule: parseLrSchedule(params.rmsprop_lr_schedule),
  };
}

/** Throws UsageError unless `params[low] ≤ params[high]`. */
export function checkOrdered(
  params: Readonly<Record<string, number | string>>,
  low: string,
  high: string,
): void {
  if (Number(params[low]) > Number(params[high])) {
    throw new UsageError(
      `Cannot set params: ${low} (${params[low]}) must not exceed ${high} (${params[high]})`,
    );
  }
}

/** Fills a batch from a task's element functions. */
export function generateBatch(
  elements: TaskElements,
  seed: number,
  batchNumber: number,
): TaskBatch {
  const { batchSize: B, inputs: I, outputs: O } = elements;
  const steps = elements.steps(seed, batchNumber);
  const input = new Float32Array(steps.inputSteps * B * I);
  for (let t = 0; t < steps.inputSteps; t++) {
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < I; i++) {
        input[(t * B + b) * I + i] = elements.input(seed, batchNumber, steps, t, b, i);
      }
    }
  }
  const target = new Float32Array(steps.outputSteps * B * O);
  for (let t = 0; t < steps.outputSteps; t++) {
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < O; o++) {
        target[(t * B + b) * O + o] = elements.target(seed, batchNumber, steps, t, b, o);
      }
    }
  }
  return { input, target, ...steps };
}

/**
 * Every override constant the WGSL twin needs: BATCH, INPUTS, OUTPUTS (which the backend
 * declares) and the task's own (which the task's WGSL declares).
 */
export function gpuConstants<S extends TaskSchema>(
  task: TaskDefinition<S>,
  params: ParamValues<S>,
): Record<string, number> {
  const config = task.config(params);
  return {
    BATCH: config.batchSize,
    INPUTS: config.inputs,
    OUTPUTS: config.outputs,
    ...task.gpu.constants(params),
  };
}

/**
 * What a backend needs to train `task` with `params` from `seed`: the layout, optimizer and
 * capacity, the CPU batches and their WGSL twin. The state starts from `initial(layout)`, by
 * default a fresh initialisation from the seed.
 */
export function trainingSetup<S extends TaskSchema>(
  task: TaskDefinition<S>,
  params: ParamValues<S>,
  seed: number,
  initial: (layout: ParamLayout) => TrainingState = (layout) =>
    freshState(layout, initParams(layout, seed)),
): TrainingSetup {
  const layout = paramLayout(task.config(params));
  const elements = task.elements(params);
  return {
    layout,
    optimizer: task.optimizer(params),
    capacity: task.capacity(params),
    seed,
    batch: (batchNumber) => generateBatch(elements, seed, batchNumber),
    initial: initial(layout),
    deviceData: {
      source: task.gpu.source,
      constants: gpuConstants(task, params),
      loops: task.gpu.loops?.(params) ?? NO_TWIN_LOOPS,
    },
  };
}
