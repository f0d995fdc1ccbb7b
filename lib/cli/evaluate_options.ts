/**
 * The evaluation command line: `<task> evaluate CHECKPOINT… [-p name=value]… [--seed SEED]
 * [--batches N] [--image PATH] [--sequence K] [--scale N]`.
 *
 * @module
 */

import { UsageError } from "../config.ts";
import { DEFAULT_PICTURE_SCALE, MAX_PICTURE_SCALE } from "../eval/picture.ts";
import type { TaskDefinition, TaskSchema } from "../train/task.ts";
import {
  checkCheckpointArguments,
  integerOption,
  parseCommandLine,
  pathOption,
} from "./command_line.ts";
import { TRAINING_OPTIONS } from "./train_options.ts";

/** Batches evaluated when `--batches` is not given. */
const DEFAULT_EVALUATION_BATCHES = 10;

/** The most batches one evaluation runs. */
const MAX_EVALUATION_BATCHES = 1_000_000;

/**
 * The data seed an evaluation of a model trained from `trainingSeed` uses unless told otherwise:
 * the next seed, so that its batches are not the training batches.
 */
export function defaultEvaluationSeed(trainingSeed: number): number {
  return (trainingSeed + 1) % 2 ** 32;
}

/** The parsed command line of an evaluation. */
export interface EvaluationOptions {
  readonly help: boolean;
  /** The checkpoints (`.safetensors`, or the `.json` history beside one); empty only with `help`. */
  readonly checkpoints: readonly string[];
  /** `-p` assignments in order, `name=value`. */
  readonly params: readonly string[];
  /** The data's seed, when given (by default the first checkpoint's seed + 1, unlike its training data). */
  readonly seed?: number;
  /** Batches 1 to `batches` of the data are evaluated. */
  readonly batches: number;
  /** Where the PNG picture of a sequence of batch 1 goes, when wanted. */
  readonly image?: string;
  /** Which sequence of batch 1 the picture shows, from 1. */
  readonly sequence: number;
  /** Pixels per cell side in the picture. */
  readonly scale: number;
}

/** Throws UsageError naming the first option in `args` that only training takes. */
function checkNoTrainingOptions(args: readonly string[]): void {
  const trainingOnly = Object.keys(TRAINING_OPTIONS).filter((name) =>
    !["help", "seed", "param"].includes(name)
  );
  for (const arg of args) {
    if (arg === "--") return;
    const name = arg.match(/^--([a-z-]+)(=|$)/)?.[1];
    if (name !== undefined && trainingOnly.includes(name)) {
      throw new UsageError(
        `Cannot use option --${name} with evaluate: it is a training option; an evaluation ` +
          "runs on the CPU reference and writes only its --image",
      );
    }
  }
}

/**
 * Parses the arguments after `evaluate` of task `taskName` (named in the example of a missing
 * checkpoint); throws UsageError on anything malformed.
 */
export function parseEvaluationOptions(
  args: readonly string[],
  taskName: string,
): EvaluationOptions {
  checkNoTrainingOptions(args);
  const { values, positionals } = parseCommandLine({
    args: [...args],
    options: {
      help: { type: "boolean", short: "h" },
      param: { type: "string", short: "p", multiple: true },
      seed: { type: "string" },
      batches: { type: "string" },
      image: { type: "string" },
      sequence: { type: "string" },
      scale: { type: "string" },
    },
    strict: true,
    allowPositionals: true,
  }, "evaluate --help");
  const help = values.help ?? false;
  checkCheckpointArguments(
    positionals,
    help,
    "evaluate",
    `evaluate checkpoints/${taskName}-10-batch-20000.safetensors`,
  );
  for (const option of ["sequence", "scale"] as const) {
    if (values[option] !== undefined && values.image === undefined) {
      throw new UsageError(
        `Cannot use option --${option}: it shapes the picture, which only --image PATH draws`,
      );
    }
  }
  return {
    help,
    checkpoints: positionals,
    params: values.param ?? [],
    seed: values.seed === undefined
      ? undefined
      : integerOption("--seed", values.seed, 0, 0xffff_ffff),
    batches: integerOption(
      "--batches",
      values.batches ?? String(DEFAULT_EVALUATION_BATCHES),
      1,
      MAX_EVALUATION_BATCHES,
    ),
    image: pathOption("--image", values.image, "a PNG file"),
    sequence: integerOption("--sequence", values.sequence ?? "1", 1, 0x7fff_ffff),
    scale: integerOption(
      "--scale",
      values.scale ?? String(DEFAULT_PICTURE_SCALE),
      1,
      MAX_PICTURE_SCALE,
    ),
  };
}

/** The `--help` text of a task's evaluation command. */
export function evaluationUsage<S extends TaskSchema>(task: TaskDefinition<S>, command: string) {
  return [
    `Evaluate checkpoints of the ${task.name} on fresh data, such as longer sequences than they`,
    "were trained on, and draw what they did.",
    "",
    `usage: ${command} evaluate [-h] CHECKPOINT... [-p NAME=VALUE]... [--seed SEED]`,
    "       [--batches N] [--image PATH] [--sequence K] [--scale N]",
    "",
    "CHECKPOINT is a checkpoint of a training run (its .safetensors file, or the .json history",
    "beside it). Its model and params are used; the model runs forward on the CPU reference,",
    "in float32. Several checkpoints of one model (such as those of one run) are evaluated on",
    "the same data, one after the other, and the picture becomes an animation (APNG) with one",
    "frame per checkpoint, in the order given.",
    "",
    "options:",
    "  -h, --help                 show this help and exit",
    "  -p, --param NAME=VALUE     change one of the checkpoint's data params listed below",
    "                             (repeatable), such as its lengths",
    "  --seed SEED                seed of the data (default: the first checkpoint's seed + 1,",
    "                             so the data is not its training data)",
    `  --batches N                evaluate batches 1 to N of the data (default: ${DEFAULT_EVALUATION_BATCHES})`,
    "  --image PATH               write a PNG picture (PATH ends in .png) of one sequence of",
    "                             batch 1: from the top the input, target and output, then each",
    "                             head's weighting over the memory locations; one column per",
    "                             time step, colours from dark blue (0) to yellow (1)",
    "  --sequence K               the sequence of batch 1 the picture shows (default: 1)",
    `  --scale N                  pixels per cell side in the picture (default: ${DEFAULT_PICTURE_SCALE}, at most ${MAX_PICTURE_SCALE})`,
    "",
    `data params of ${task.name} (the others are the model's and its training's):`,
    `  ${task.dataParams.join(", ")}`,
    "",
    "It prints the loss and cost (bits wrong per sequence) of every batch and their mean.",
    ...(task.optimum === undefined ? [] : [
      `Beside them, those of the ${task.optimum.name} on the same batches, and both`,
      "cross-entropies in bits per sequence.",
    ]),
  ].join("\n");
}
