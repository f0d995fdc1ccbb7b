/**
 * The training command line, as the reference's `train.py`: `--seed`, `-p name=value`,
 * `--checkpoint-interval`, `--checkpoint-path`, `--report-interval`, plus `--backend`,
 * `--metrics-file` and `--resume`.
 *
 * @module
 */

import { UsageError } from "../config.ts";
import { BACKEND_KINDS, type BackendKind, parseBackendKind } from "../train/create_backend.ts";
import type { TaskDefinition, TaskSchema } from "../train/task.ts";
import { integerOption, parseCommandLine, pathOption } from "./command_line.ts";
import { describeParams } from "./params.ts";

/** The seed when `--seed` is not given (the reference's default). */
export const DEFAULT_SEED = 1000;

/** Where checkpoints go when `--checkpoint-path` is not given; created when missing. */
export const DEFAULT_CHECKPOINT_PATH = "checkpoints";

/** The parsed command line of a training run. */
export interface TrainingOptions {
  readonly help: boolean;
  /** The seed, when given (a resumed run takes its checkpoint's). */
  readonly seed?: number;
  /** `-p` assignments in order, `name=value`. */
  readonly params: readonly string[];
  /** A checkpoint every this many batches; 0 disables checkpoints. */
  readonly checkpointInterval: number;
  readonly checkpointPath: string;
  /** False when `checkpointPath` is the default (which is created when missing). */
  readonly checkpointPathGiven: boolean;
  readonly reportInterval: number;
  readonly backend: BackendKind;
  readonly metricsFile?: string;
  readonly resume?: string;
}

/** The options of a training run, as `parseArgs` reads them. */
export const TRAINING_OPTIONS = {
  help: { type: "boolean", short: "h" },
  seed: { type: "string" },
  param: { type: "string", short: "p", multiple: true },
  "checkpoint-interval": { type: "string" },
  "checkpoint-path": { type: "string" },
  "report-interval": { type: "string" },
  backend: { type: "string" },
  "metrics-file": { type: "string" },
  resume: { type: "string" },
} as const;

/** Parses the arguments of a training run; throws UsageError on anything malformed. */
export function parseTrainingOptions(args: readonly string[]): TrainingOptions {
  const { values, positionals } = parseCommandLine({
    args: [...args],
    options: TRAINING_OPTIONS,
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) {
    const subcommand = ["evaluate", "history"].find((name) => positionals.includes(name));
    throw new UsageError(
      subcommand !== undefined
        ? `Cannot parse arguments: ${subcommand} must be the first argument, as in ` +
          `\`${subcommand} CHECKPOINT [options]\`; see ${subcommand} --help`
        : `Cannot parse arguments: Unexpected argument '${positionals[0]}'. This command does ` +
          "not take positional arguments; see --help",
    );
  }
  return {
    help: values.help ?? false,
    seed: values.seed === undefined
      ? undefined
      : integerOption("--seed", values.seed, 0, 0xffff_ffff),
    params: values.param ?? [],
    checkpointInterval: integerOption(
      "--checkpoint-interval",
      values["checkpoint-interval"] ?? "1000",
      0,
      0x7fff_ffff,
    ),
    checkpointPath: pathOption("--checkpoint-path", values["checkpoint-path"], "a folder") ??
      DEFAULT_CHECKPOINT_PATH,
    checkpointPathGiven: values["checkpoint-path"] !== undefined,
    reportInterval: integerOption(
      "--report-interval",
      values["report-interval"] ?? "200",
      1,
      0x7fff_ffff,
    ),
    backend: parseBackendKind(values.backend ?? "auto"),
    metricsFile: pathOption("--metrics-file", values["metrics-file"], "a file"),
    resume: pathOption("--resume", values.resume, "a checkpoint"),
  };
}

/** The `--help` text of a task's training command. */
export function trainingUsage<S extends TaskSchema>(task: TaskDefinition<S>, command: string) {
  return [
    `Train an NTM on the ${task.name}: ${task.description}.`,
    "",
    `usage: ${command} [-h] [--seed SEED] [-p NAME=VALUE]... [--checkpoint-interval N]`,
    "       [--checkpoint-path DIR] [--report-interval N] [--backend KIND]",
    "       [--metrics-file PATH] [--resume CHECKPOINT]",
    "",
    "options:",
    "  -h, --help                 show this help and exit",
    `  --seed SEED                seed of the weights and the data (default: ${DEFAULT_SEED})`,
    "  -p, --param NAME=VALUE     set a task param (repeatable), e.g. -p batch_size=4",
    "  --checkpoint-interval N    checkpoint every N batches and at the end (default: 1000);",
    "                             0 disables checkpoints, also on Ctrl-C",
    `  --checkpoint-path DIR      folder for checkpoints (default: ./${DEFAULT_CHECKPOINT_PATH},`,
    "                             created when missing; a given folder must exist)",
    "  --report-interval N        report every N batches (default: 200)",
    `  --backend KIND             ${BACKEND_KINDS.join(" | ")} (default: auto)`,
    "  --metrics-file PATH        append one JSON line per report",
    "  --resume CHECKPOINT        continue from a checkpoint (.safetensors or its .json",
    "                             history, both needed): weights, optimizer, batch, history",
    "                             and params; -p may change training params such as",
    "                             num_batches, rmsprop_lr or batch_size, not tensor sizes",
    "",
    "Ctrl-C finishes the batches in flight (about a second, or one batch if longer), saves a",
    "checkpoint of them and exits with status 130; Ctrl-C again, once the first has been",
    "seen, quits at once without saving.",
    "",
    `To evaluate a checkpoint on longer sequences and draw it: ${command} evaluate --help`,
    `To compare the training histories of runs, and chart them: ${command} history --help`,
    "",
    `params of ${task.name} (name, default, meaning):`,
    ...describeParams(task.params),
  ].join("\n");
}
