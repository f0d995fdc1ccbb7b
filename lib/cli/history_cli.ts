/**
 * The history command of every task (`deno task copy history CHECKPOINT… …`): reads the training
 * history each checkpoint keeps and prints, for one run or several side by side (seeds, params),
 * the mean cost (or loss, `--metric loss`) over windows of batches as a Markdown table; against a
 * threshold (by default 1 bit for the cost, none for the loss), where each run first fell below it
 * and from where it stayed below; and optionally draws the means as a PNG chart.
 * Bad input exits with status 2 and one line naming the problem, before anything is written.
 *
 * @module
 */

import { resolve } from "node:path";
import { UsageError } from "../config.ts";
import type { Chart } from "../eval/chart.ts";
import {
  convergence,
  defaultWindow,
  historyChart,
  type WindowMean,
  windowMeans,
} from "../eval/history.ts";
import { writeFileAtomic } from "../io/atomic_write.ts";
import { type CheckpointInfo, type LoadedCheckpoint, readCheckpoint } from "../io/checkpoint.ts";
import { encodePng } from "../io/png.ts";
import type { TaskDefinition, TaskSchema } from "../train/task.ts";
import { checkCheckpointTask } from "./checkpoint_params.ts";
import { taskCommand } from "./command_line.ts";
import { runCommand } from "./exit.ts";
import { formatParamValue } from "./params.ts";
import {
  defaultMetric,
  type HistoryMetric,
  historyUsage,
  parseHistoryOptions,
} from "./history_options.ts";
import { checkImagePath } from "./paths.ts";

/** One run's history as the command shows it. */
interface RunHistory {
  /** Its name in the table and the chart, such as `seed 10`. */
  readonly name: string;
  readonly checkpoint: LoadedCheckpoint;
  /** The mean of each window. */
  readonly means: readonly WindowMean[];
}

/** How a metric is named in the table's title, the verdicts and the chart. */
const METRIC_NAMES: Readonly<
  Record<HistoryMetric, { title: string; below: (threshold: number) => string; axis: string }>
> = {
  cost: {
    title: "Mean cost in bits per sequence",
    below: (threshold) => `below ${threshold} bit${threshold === 1 ? "" : "s"} per sequence`,
    axis: "mean cost (bits per sequence)",
  },
  loss: {
    title: "Mean loss (binary cross-entropy per output, in nats)",
    below: (threshold) => `below a loss of ${threshold}`,
    axis: "mean loss (nats per output)",
  },
};

/** `1 batch`, `2 batches`. */
function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? "" : noun.endsWith("h") ? "es" : "s"}`;
}

/**
 * A name for each checkpoint that tells them apart, made of what differs between them: the
 * seed, the backend and each param (`seed 1`, `controller_size=8`, `seed 2, on webgpu`), with the
 * batches trained added when those alone leave two alike (`seed 1, 3000 batches`); `seed S` for
 * a single checkpoint; `run K`, in the order given, for checkpoints that differ in nothing else.
 */
export function runLabels(checkpoints: readonly CheckpointInfo[]): string[] {
  if (checkpoints.length === 1) return [`seed ${checkpoints[0].seed}`];
  type Part = (checkpoint: CheckpointInfo) => string;
  const differs = (part: Part) => new Set(checkpoints.map(part)).size > 1;
  const param = (name: string): Part => (checkpoint) =>
    `${name}=${formatParamValue(checkpoint.params[name] ?? "")}`;
  const names = [...new Set(checkpoints.flatMap((checkpoint) => Object.keys(checkpoint.params)))];
  const seed: Part = (checkpoint) => `seed ${checkpoint.seed}`;
  const backend: Part = (checkpoint) => `on ${checkpoint.backend}`;
  const parts = [seed, backend, ...names.map(param)].filter(differs);
  const labels = (chosen: Part[]) =>
    checkpoints.map((checkpoint) => chosen.map((part) => part(checkpoint)).join(", "));
  const unique = (chosen: Part[]) =>
    chosen.length > 0 && new Set(labels(chosen)).size === checkpoints.length;
  if (unique(parts)) return labels(parts);
  // The batches trained only when nothing else tells the runs apart (runs of different lengths).
  const batches: Part = (checkpoint) => count(checkpoint.batch, "batch");
  if (unique([...parts, batches])) return labels([...parts, batches]);
  return checkpoints.map((_, index) => `run ${index + 1}`);
}

/**
 * The decimals that show means: 2 for costs and 4 for losses, or more for a `threshold` that needs
 * them.
 */
function meanDecimals(metric: HistoryMetric, threshold?: number): number {
  const fewest = metric === "cost" ? 2 : 4;
  if (threshold === undefined) return fewest;
  return Math.min(Math.max(fewest, Math.ceil(-Math.log10(threshold)) + 1), 8);
}

/** A Markdown table with right-aligned columns. */
function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => row[column].length))
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padStart(widths[column])).join(" | ")} |`;
  return [
    line(header),
    `| ${widths.map((width) => `${"-".repeat(width - 1)}:`).join(" | ")} |`,
    ...rows.map(line),
  ];
}

/** The table of every run's window means, one row per window end. */
function meansTable(runs: readonly RunHistory[], decimals: number): string[] {
  const ends = [...new Set(runs.flatMap((run) => run.means.map((window) => window.end)))]
    .sort((a, b) => a - b);
  const rows = ends.map((end) => [
    String(end),
    ...runs.map((run) => {
      const window = run.means.find((candidate) => candidate.end === end);
      return window === undefined ? "" : window.mean.toFixed(decimals);
    }),
  ]);
  return markdownTable(["batch", ...runs.map((run) => run.name)], rows);
}

/** Where a run's mean fell below `threshold`, in a sentence. */
function describeConvergence(
  run: RunHistory,
  metric: HistoryMetric,
  threshold: number,
  decimals: number,
): string {
  const { firstBelow, belowFrom } = convergence(run.means, threshold);
  const last = run.means.at(-1)!;
  const lastWindow = `last window: ${
    Number.isNaN(last.mean) ? "not a number" : last.mean.toFixed(decimals)
  }`;
  const below = METRIC_NAMES[metric].below(threshold);
  if (firstBelow === undefined) {
    return `${run.name}: never ${below} in ${count(last.end, "batch")} (${lastWindow})`;
  }
  return `${run.name}: first ${below} at batch ${firstBelow}; ${
    belowFrom === undefined ? "not below it at the end" : `below it from batch ${belowFrom} on`
  } (${lastWindow})`;
}

/** Reads the checkpoints at `paths`, each of `task`, each once, each with a history. */
async function readRuns<S extends TaskSchema>(
  task: TaskDefinition<S>,
  paths: readonly string[],
): Promise<LoadedCheckpoint[]> {
  const checkpoints: LoadedCheckpoint[] = [];
  for (const path of paths) {
    const checkpoint = await readCheckpoint(path);
    const action = "read the history of";
    checkCheckpointTask(task, checkpoint, action, "history");
    const twin = checkpoints.find((other) => resolve(other.path) === resolve(checkpoint.path));
    if (twin !== undefined) {
      throw new UsageError(
        `Cannot ${action} ${path}: checkpoint ${twin.path} is given twice; name each run once`,
      );
    }
    if (checkpoint.batch === 0) {
      throw new UsageError(
        `Cannot ${action} ${checkpoint.path}: it was saved before any batch was trained`,
      );
    }
    checkpoints.push(checkpoint);
  }
  return checkpoints;
}

async function showHistory<S extends TaskSchema>(
  task: TaskDefinition<S>,
  args: readonly string[],
): Promise<number> {
  const options = parseHistoryOptions(args, task.name, defaultMetric(task));
  if (options.help) {
    console.log(historyUsage(task, taskCommand(task.name)));
    return 0;
  }
  const checkpoints = await readRuns(task, options.checkpoints);
  if (options.image !== undefined) await checkImagePath(options.image);
  const window = options.window ??
    defaultWindow(Math.max(...checkpoints.map((checkpoint) => checkpoint.batch)));
  const names = runLabels(checkpoints);
  const runs: RunHistory[] = checkpoints.map((checkpoint, index) => ({
    name: names[index],
    checkpoint,
    means: windowMeans(checkpoint.history[options.metric], window),
  }));
  const wording = METRIC_NAMES[options.metric];
  let chart: Chart | undefined;
  if (options.image !== undefined) {
    try {
      chart = historyChart(runs, wording.axis);
    } catch (error) {
      // Names too long to leave room for the plot: the command line's fault.
      if (!(error instanceof RangeError)) throw error;
      throw new UsageError(error.message);
    }
  }
  for (const { name, checkpoint } of runs) {
    console.log(
      `${name}: ${checkpoint.path} (${task.name}, ${count(checkpoint.batch, "batch")} of ` +
        `${count(Number(checkpoint.params.batch_size), "sequence")}${
          checkpoint.backend === "" ? "" : ` on ${checkpoint.backend}`
        })`,
    );
  }
  const { metric, threshold } = options;
  const decimals = meanDecimals(metric, threshold);
  console.log("");
  console.log(
    `${wording.title} over windows of ${count(window, "batch")} (the last window of a run also ` +
      "takes the batches left after it):",
  );
  console.log("");
  for (const line of meansTable(runs, decimals)) console.log(line);
  if (threshold !== undefined) {
    console.log("");
    for (const run of runs) console.log(describeConvergence(run, metric, threshold, decimals));
  }
  for (const { name, checkpoint } of runs) {
    const diverged = checkpoint.history.loss.findIndex((loss) => !Number.isFinite(loss));
    if (diverged >= 0) {
      console.log(`${name}: the loss was first not a number at batch ${diverged + 1} (diverged)`);
    }
  }
  if (options.image !== undefined && chart !== undefined) {
    const { image } = chart;
    await writeFileAtomic(options.image, encodePng(image));
    const gaps = runs.some((run) => run.means.some((window) => Number.isNaN(window.mean)));
    console.log("");
    console.log(
      `Chart: ${options.image} (${image.width}×${image.height} pixels): the mean ${metric} of ` +
        `each window against its last batch, one line per run${
          gaps ? "; gaps where a mean is not a number" : ""
        }`,
    );
  }
  return 0;
}

/**
 * Runs the history command of `task` with the arguments after `history` and returns the exit
 * status: 0 when done, 2 for bad input, 1 on failure.
 */
export function runHistoryCli<S extends TaskSchema>(
  task: TaskDefinition<S>,
  args: readonly string[],
): Promise<number> {
  return runCommand(() => showHistory(task, args));
}
