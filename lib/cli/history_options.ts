/**
 * The history command line: `<task> history CHECKPOINT… [--metric cost|loss] [--window N]
 * [--threshold VALUE] [--image PATH]`.
 *
 * @module
 */

import { UsageError } from "../config.ts";
import { DISTINCT_SERIES } from "../eval/chart.ts";
import type { TaskDefinition, TaskSchema } from "../train/task.ts";
import {
  checkCheckpointArguments,
  integerOption,
  parseCommandLine,
  pathOption,
  positiveNumberOption,
} from "./command_line.ts";

/** The cost a run must fall below to count as converged, unless told otherwise (bits). */
export const DEFAULT_THRESHOLD = 1;

/**
 * What the history command averages: `cost`, the bit errors per sequence, or `loss`, the binary
 * cross-entropy per output (the measure for dynamic N-grams, whose best predictor still errs).
 */
export type HistoryMetric = "cost" | "loss";

/** The metrics `--metric` takes. */
export const HISTORY_METRICS: readonly HistoryMetric[] = ["cost", "loss"];

/**
 * The metric a task's history shows unless told otherwise: the loss for a task that knows its
 * optimal predictions (dynamic N-grams, whose best predictor still makes bit errors), the cost
 * for the others.
 */
export function defaultMetric<S extends TaskSchema>(task: TaskDefinition<S>): HistoryMetric {
  return task.optimum === undefined ? "cost" : "loss";
}

/** The parsed command line of the history command. */
export interface HistoryOptions {
  readonly help: boolean;
  /** The checkpoints whose histories are read; empty only with `help`. */
  readonly checkpoints: readonly string[];
  /** What is averaged. */
  readonly metric: HistoryMetric;
  /** Batches per window of the means, when given (by default about 30 windows). */
  readonly window?: number;
  /**
   * The mean that counts as converged: by default 1 bit per sequence for the cost, none for the
   * loss (then no run is judged).
   */
  readonly threshold?: number;
  /** Where the PNG chart goes, when wanted. */
  readonly image?: string;
}

/**
 * Parses the arguments after `history` of task `taskName` (named in the example of a missing
 * checkpoint), `--metric` by default `fallback`; throws UsageError on anything malformed.
 */
export function parseHistoryOptions(
  args: readonly string[],
  taskName: string,
  fallback: HistoryMetric,
): HistoryOptions {
  const { values, positionals } = parseCommandLine({
    args: [...args],
    options: {
      help: { type: "boolean", short: "h" },
      metric: { type: "string" },
      window: { type: "string" },
      threshold: { type: "string" },
      image: { type: "string" },
    },
    strict: true,
    allowPositionals: true,
  }, "history --help");
  const help = values.help ?? false;
  checkCheckpointArguments(
    positionals,
    help,
    "show a history",
    `history checkpoints/${taskName}-10-batch-30000.safetensors`,
  );
  if (values.image !== undefined && positionals.length > DISTINCT_SERIES) {
    throw new UsageError(
      `Cannot chart ${positionals.length} runs: a chart tells at most ${DISTINCT_SERIES} apart ` +
        "by colour; chart fewer checkpoints at a time (the table takes any number)",
    );
  }
  const metric = values.metric ?? fallback;
  if (!HISTORY_METRICS.includes(metric as HistoryMetric)) {
    throw new UsageError(
      `Cannot use option --metric=${metric}: it must be one of ${HISTORY_METRICS.join(", ")}`,
    );
  }
  return {
    help,
    checkpoints: positionals,
    metric: metric as HistoryMetric,
    window: values.window === undefined
      ? undefined
      : integerOption("--window", values.window, 1, 0x7fff_ffff),
    threshold: values.threshold === undefined
      ? (metric === "cost" ? DEFAULT_THRESHOLD : undefined)
      : positiveNumberOption("--threshold", values.threshold),
    image: pathOption("--image", values.image, "a PNG file"),
  };
}

/** The `--help` text of a task's history command. */
export function historyUsage<S extends TaskSchema>(task: TaskDefinition<S>, command: string) {
  const metric = defaultMetric(task);
  return [
    `Show how runs of the ${task.name} trained, from the history their checkpoints keep: the`,
    "mean cost (or loss) over windows of batches as a table; against a threshold (1 bit by",
    "default for the cost; for the loss only with --threshold), where each run first fell below",
    "it and from where it stayed below; and optionally a chart.",
    "",
    `usage: ${command} history [-h] CHECKPOINT... [--metric cost|loss] [--window N]`,
    "       [--threshold VALUE] [--image PATH]",
    "",
    "CHECKPOINT is a checkpoint of a training run (its .safetensors file, or the .json history",
    "beside it; both are read). Give the last checkpoint of each run to compare runs, such as",
    "seeds or params; the history holds every batch up to the checkpoint. Runs are named by",
    "what differs between them: seed, backend, params (seed 1, controller_size=8), and the",
    "batches trained when those alone leave two alike.",
    "",
    "options:",
    "  -h, --help                 show this help and exit",
    "  --metric cost|loss         what is averaged: the cost, bit errors per sequence, or the",
    "                             loss, binary cross-entropy per output in nats (the default",
    "                             for dynamic N-grams, whose best predictor still makes errors;",
    `                             here: ${metric})`,
    "  --window N                 batches per window of the means (default: the smallest 1, 2",
    "                             or 5 × 10^k batches giving at most 30 windows for the longest",
    "                             run); the last window of a run also takes the batches left",
    "                             after it",
    "  --threshold VALUE          the mean (of the metric) under which a run counts as",
    `                             converged (default: ${DEFAULT_THRESHOLD} bit per sequence for the cost,`,
    "                             none for the loss)",
    "  --image PATH               write a PNG chart (PATH ends in .png): the mean of each",
    `                             window against its last batch, one line per run (at most`,
    `                             ${DISTINCT_SERIES} runs)`,
  ].join("\n");
}
