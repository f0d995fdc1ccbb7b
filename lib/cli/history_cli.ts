/**
 * The history command of every task (`deno task copy history CHECKPOINT… …`): reads the training
 * history each checkpoint keeps and prints, for one run or several side by side (seeds, params),
 * the mean cost over windows of batches as a Markdown table, where each run first fell below a
 * threshold and from where it stayed below, and optionally draws the means as a PNG chart.
 * Bad input exits with status 2 and one line naming the problem, before anything is written.
 *
 * @module
 */

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
import { type LoadedCheckpoint, readCheckpoint } from "../io/checkpoint.ts";
import { encodePng } from "../io/png.ts";
import type { TaskDefinition, TaskSchema } from "../train/task.ts";
import { checkCheckpointTask } from "./checkpoint_params.ts";
import { taskCommand } from "./command_line.ts";
import { runCommand } from "./exit.ts";
import { historyUsage, parseHistoryOptions } from "./history_options.ts";
import { checkImagePath } from "./paths.ts";

/** One run's history as the command shows it. */
interface RunHistory {
  /** Its name in the table and the chart: `seed 10`. */
  readonly name: string;
  readonly checkpoint: LoadedCheckpoint;
  /** The mean cost of each window. */
  readonly means: readonly WindowMean[];
}

/**
 * A name for each checkpoint that tells them apart: `seed S` when the seeds do; else
 * `seed S, N batches`; else `run K`, in the order given.
 */
export function runLabels(checkpoints: readonly LoadedCheckpoint[]): string[] {
  const candidates = [
    (checkpoint: LoadedCheckpoint) => `seed ${checkpoint.seed}`,
    (checkpoint: LoadedCheckpoint) => `seed ${checkpoint.seed}, ${checkpoint.batch} batches`,
  ];
  for (const candidate of candidates) {
    const labels = checkpoints.map(candidate);
    if (new Set(labels).size === labels.length) return labels;
  }
  return checkpoints.map((_, index) => `run ${index + 1}`);
}

/** `1 bit`, `0.5 bits`. */
function bits(value: number): string {
  return `${value} bit${value === 1 ? "" : "s"}`;
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
function meansTable(runs: readonly RunHistory[]): string[] {
  const ends = [...new Set(runs.flatMap((run) => run.means.map((window) => window.end)))]
    .sort((a, b) => a - b);
  const rows = ends.map((end) => [
    String(end),
    ...runs.map((run) => {
      const window = run.means.find((candidate) => candidate.end === end);
      return window === undefined ? "" : window.mean.toFixed(2);
    }),
  ]);
  return markdownTable(["batch", ...runs.map((run) => run.name)], rows);
}

/** Where a run's mean cost fell below `threshold`, in a sentence. */
function describeConvergence(run: RunHistory, threshold: number): string {
  const { firstBelow, belowFrom } = convergence(run.means, threshold);
  const last = run.means.at(-1)!;
  const lastWindow = `last window: ${last.mean.toFixed(2)}`;
  if (firstBelow === undefined) {
    return `${run.name}: never below ${bits(threshold)} per sequence in ${last.end} batches ` +
      `(${lastWindow})`;
  }
  return `${run.name}: first below ${bits(threshold)} per sequence at batch ${firstBelow}; ${
    belowFrom === undefined
      ? `above it at the end (${lastWindow})`
      : `below it from batch ${belowFrom} on (${lastWindow})`
  }`;
}

async function showHistory<S extends TaskSchema>(
  task: TaskDefinition<S>,
  args: readonly string[],
): Promise<number> {
  const options = parseHistoryOptions(args);
  if (options.help) {
    console.log(historyUsage(task, taskCommand(task.name)));
    return 0;
  }
  const checkpoints: LoadedCheckpoint[] = [];
  for (const path of options.checkpoints) {
    const checkpoint = await readCheckpoint(path);
    checkCheckpointTask(task, checkpoint, "read the history of", "history");
    checkpoints.push(checkpoint);
  }
  if (options.image !== undefined) await checkImagePath(options.image);
  const window = options.window ??
    defaultWindow(Math.max(...checkpoints.map((checkpoint) => checkpoint.batch)));
  const labels = runLabels(checkpoints);
  const runs = checkpoints.map((checkpoint, index) => ({
    name: labels[index],
    checkpoint,
    means: windowMeans(checkpoint.history.cost, window),
  }));
  const shown = runs.filter((run) => run.means.length > 0);
  let chart: Chart | undefined;
  if (options.image !== undefined && shown.length > 0) {
    try {
      chart = historyChart(shown);
    } catch (error) {
      // Too many runs for the legend: the command line's fault.
      if (!(error instanceof RangeError)) throw error;
      throw new UsageError(error.message);
    }
  }
  for (const { name, checkpoint } of runs) {
    console.log(
      `${name}: ${checkpoint.path} (${task.name}, ${checkpoint.batch} batches of ` +
        `${checkpoint.params.batch_size} sequence(s)${
          checkpoint.backend === "" ? "" : ` on ${checkpoint.backend}`
        })`,
    );
  }
  const empty = runs.filter((run) => run.means.length === 0);
  if (empty.length > 0) {
    console.log(`${empty.map((run) => run.name).join(", ")}: no batches trained, so no history`);
  }
  if (shown.length === 0) {
    if (options.image !== undefined) console.log(`No chart: no run has a history to draw`);
    return 0;
  }
  console.log("");
  console.log(`Mean cost in bits per sequence over windows of ${window} batch(es):`);
  console.log("");
  for (const line of meansTable(shown)) console.log(line);
  console.log("");
  for (const run of shown) console.log(describeConvergence(run, options.threshold));
  if (options.image !== undefined && chart !== undefined) {
    const { image } = chart;
    await writeFileAtomic(options.image, encodePng(image));
    console.log("");
    console.log(
      `Chart: ${options.image} (${image.width}×${image.height} pixels): the mean cost of each ` +
        "window against its last batch, one line per run; gaps where a mean is not a number",
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
