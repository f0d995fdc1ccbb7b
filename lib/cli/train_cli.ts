/**
 * The training command of every task: validates the whole command line before anything is
 * trained or written, prints the run's params, trains, and ends with where the checkpoints went.
 * Bad input exits with status 2 and one line naming the problem; Ctrl-C checkpoints the completed
 * batches and exits with status 130.
 *
 * @module
 */

import { dirname } from "node:path";
import { UsageError } from "../config.ts";
import {
  checkpointState,
  type LoadedCheckpoint,
  readCheckpoint,
  type TrainingHistory,
} from "../io/checkpoint.ts";
import { initParams, type ParamLayout, paramLayout } from "../params.ts";
import { freshState, type TrainingBackend, type TrainingState } from "../train/backend.ts";
import { createBackend } from "../train/create_backend.ts";
import {
  generateBatch,
  gpuConstants,
  type ParamValues,
  type TaskDefinition,
  type TaskSchema,
} from "../train/task.ts";
import { train } from "../train/trainer.ts";
import { EXIT_INTERRUPTED, runCommand } from "./exit.ts";
import { formatParams, resolveParams } from "./params.ts";
import { terminalProgress } from "./progress.ts";
import {
  DEFAULT_SEED,
  parseTrainingOptions,
  type TrainingOptions,
  trainingUsage,
} from "./train_options.ts";

async function checkWritableFolder(path: string, what: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    throw new UsageError(`Cannot use ${what} "${path}": ${(error as Error).message}`);
  }
  if (!info.isDirectory) throw new UsageError(`Cannot use ${what} "${path}": it is not a folder`);
  try {
    await Deno.remove(await Deno.makeTempFile({ dir: path, prefix: ".ntm-write-check-" }));
  } catch (error) {
    throw new UsageError(
      `Cannot use ${what} "${path}": it is not writable (${(error as Error).message})`,
    );
  }
}

async function checkMetricsFile(path: string): Promise<void> {
  const info = await Deno.stat(path).catch(() => undefined);
  if (!info) return await checkWritableFolder(dirname(path), "the metrics file's folder");
  if (!info.isFile) throw new UsageError(`Cannot use metrics file "${path}": it is not a file`);
  try {
    (await Deno.open(path, { append: true })).close();
  } catch (error) {
    throw new UsageError(
      `Cannot use metrics file "${path}": it is not writable (${(error as Error).message})`,
    );
  }
}

/** Everything a run needs, checked. */
interface RunPlan<S extends TaskSchema> {
  readonly seed: number;
  readonly params: ParamValues<S>;
  readonly layout: ParamLayout;
  readonly initial: TrainingState;
  readonly completed: number;
  readonly history: TrainingHistory;
  readonly resumed?: LoadedCheckpoint;
}

async function planRun<S extends TaskSchema>(
  task: TaskDefinition<S>,
  options: TrainingOptions,
): Promise<RunPlan<S>> {
  const resumed = options.resume === undefined ? undefined : await readCheckpoint(options.resume);
  if (resumed && resumed.task !== task.name) {
    throw new UsageError(
      `Cannot resume from ${resumed.path}: it is a checkpoint of ${resumed.task}, not ${task.name}`,
    );
  }
  if (resumed && options.seed !== undefined && options.seed !== resumed.seed) {
    throw new UsageError(
      `Cannot resume from ${resumed.path}: it was trained with seed ${resumed.seed}, ` +
        `not ${options.seed}; leave --seed out to continue its run`,
    );
  }
  const seed = resumed?.seed ?? options.seed ?? DEFAULT_SEED;
  const params = resolveParams(task.params, options.params, resumed?.params);
  task.check(params);
  const layout = paramLayout(task.config(params));
  const initial = resumed
    ? checkpointState(layout, resumed)
    : freshState(layout, initParams(layout, seed));
  const numBatches = Number(params.num_batches);
  if (resumed && resumed.batch >= numBatches) {
    throw new UsageError(
      `Cannot resume from ${resumed.path}: it reached batch ${resumed.batch} and num_batches is ` +
        `${numBatches}; raise it with -p num_batches=N`,
    );
  }
  return {
    seed,
    params,
    layout,
    initial,
    completed: resumed?.batch ?? 0,
    history: resumed?.history ?? { loss: [], cost: [], seq_lengths: [] },
    resumed,
  };
}

async function trainTask<S extends TaskSchema>(
  task: TaskDefinition<S>,
  args: readonly string[],
): Promise<number> {
  const options = parseTrainingOptions(args);
  if (options.help) {
    console.log(trainingUsage(task, `deno task ${task.name.replace(/-task$/, "")}`));
    return 0;
  }
  const plan = await planRun(task, options);
  const { seed, params, layout } = plan;
  const { config } = layout;
  const checkpointsOn = options.checkpointInterval > 0;
  if (checkpointsOn && options.checkpointPathGiven) {
    await checkWritableFolder(options.checkpointPath, "checkpoint path");
  }
  if (options.metricsFile !== undefined) await checkMetricsFile(options.metricsFile);

  const elements = task.elements(params);
  const capacity = task.capacity(params);
  let backend: TrainingBackend;
  try {
    backend = await createBackend(options.backend, {
      layout,
      optimizer: task.optimizer(params),
      capacity,
      seed,
      batch: (batchNumber) => generateBatch(elements, seed, batchNumber),
      initial: plan.initial,
      deviceData: { source: task.gpu.source, constants: gpuConstants(task, params) },
    });
  } catch (error) {
    // Sizes too large to allocate (typed arrays, Wasm memory, GPU buffers) are the params' fault.
    if (!(error instanceof RangeError)) throw error;
    throw new UsageError(
      `Cannot create the ${options.backend} backend for sequences of up to ${capacity} steps: ` +
        `${error.message}; lower the sizes or lengths`,
    );
  }
  let stop = false;
  const progress = terminalProgress();
  const onInterrupt = () => {
    if (stop) Deno.exit(EXIT_INTERRUPTED);
    stop = true;
    progress.clear();
    console.error(
      "Interrupted: finishing the current batches, then saving a checkpoint " +
        "(Ctrl-C again quits without saving)",
    );
  };
  try {
    if (checkpointsOn && !options.checkpointPathGiven) {
      await Deno.mkdir(options.checkpointPath, { recursive: true });
      await checkWritableFolder(options.checkpointPath, "checkpoint path");
    }
    const numBatches = Number(params.num_batches);
    console.log(`Training ${task.name} (${task.description}), seed ${seed}`);
    console.log("Params:");
    for (const line of formatParams(task.params, params)) console.log(line);
    console.log(
      `Model: ${config.inputs} inputs, ${config.outputs} outputs, LSTM ${config.controllerLayers}` +
        `×${config.controllerSize}, memory ${config.memoryN}×${config.memoryM}, heads ` +
        `${config.heads.join(",")}, batch ${config.batchSize}, sequences up to ` +
        `${capacity} steps`,
    );
    console.log(`Trainable parameters: ${layout.trainableSize}`);
    console.log(`Backend: ${backend.description}`);
    if (plan.resumed) {
      console.log(
        `Resuming from ${plan.resumed.path} at batch ${plan.completed + 1} ` +
          `(trained on ${plan.resumed.backend})`,
      );
    }
    console.log(
      checkpointsOn
        ? `Checkpoints: every ${options.checkpointInterval} batches in ${options.checkpointPath}`
        : "Checkpoints: disabled (--checkpoint-interval 0)",
    );
    Deno.addSignalListener("SIGINT", onInterrupt);
    const outcome = await train({
      backend,
      batchSize: config.batchSize,
      completed: plan.completed,
      numBatches,
      history: plan.history,
      reportInterval: options.reportInterval,
      checkpointInterval: options.checkpointInterval,
      checkpoints: checkpointsOn
        ? {
          directory: options.checkpointPath,
          layout,
          info: { task: task.name, params, seed, backend: backend.name },
        }
        : undefined,
      metricsFile: options.metricsFile,
      print: (line) => console.log(line),
      progress,
      stopRequested: () => stop,
    });
    const latest = outcome.checkpointPaths.at(-1);
    if (outcome.interrupted) {
      console.log(
        latest
          ? `Interrupted after batch ${outcome.completed}; resume with --resume ${latest}`
          : `Interrupted after batch ${outcome.completed}; nothing saved (checkpoints disabled)`,
      );
      return EXIT_INTERRUPTED;
    }
    console.log(
      latest
        ? `Done: ${outcome.checkpointPaths.length} checkpoint(s) in ${options.checkpointPath}, ` +
          `the last ${latest}`
        : `Done: batch ${outcome.completed}; no checkpoints written (checkpoints disabled)`,
    );
    return 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    backend.dispose();
  }
}

/**
 * Runs the training command of `task` with command-line `args` and returns the exit status:
 * 0 when done, 2 for bad input, 130 after Ctrl-C, 1 on failure.
 */
export function runTrainingCli<S extends TaskSchema>(
  task: TaskDefinition<S>,
  args: readonly string[],
): Promise<number> {
  return runCommand(() => trainTask(task, args));
}
