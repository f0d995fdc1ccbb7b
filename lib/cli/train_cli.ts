/**
 * The training command of every task: validates the whole command line before anything is
 * trained or written, prints the run's params, trains, and ends with where the checkpoints went.
 * Bad input exits with status 2 and one line naming the problem; Ctrl-C checkpoints the completed
 * batches and exits with status 130.
 *
 * @module
 */

import { join } from "node:path";
import { UsageError } from "../config.ts";
import { removeTemporaryFiles } from "../io/atomic_write.ts";
import {
  checkpointState,
  type LoadedCheckpoint,
  readCheckpoint,
  readCheckpointFile,
  type TrainingHistory,
} from "../io/checkpoint.ts";
import type { TrainingBackend, TrainingSetup } from "../train/backend.ts";
import { createBackend } from "../train/create_backend.ts";
import {
  paramRecord,
  type ParamValues,
  type TaskDefinition,
  type TaskSchema,
  trainingSetup,
} from "../train/task.ts";
import { train } from "../train/trainer.ts";
import { describeLrSchedule, formatLrSchedule } from "../train/lr_schedule.ts";
import { type RmspropSettings, settingsAt } from "../cpu/rmsprop.ts";
import { taskCommand } from "./command_line.ts";
import { EXIT_INTERRUPTED, runCommand } from "./exit.ts";
import { checkWritableFile, checkWritableFolder } from "./paths.ts";
import {
  changedParams,
  checkCheckpointTask,
  checkpointParams,
  checkSameModel,
  describeParamChanges,
} from "./checkpoint_params.ts";
import { formatParams, formatParamValue, parseAssignment, resolveParams } from "./params.ts";
import { terminalProgress } from "./progress.ts";
import {
  DEFAULT_SEED,
  parseTrainingOptions,
  type TrainingOptions,
  trainingUsage,
} from "./train_options.ts";

/**
 * The default checkpoint folder, checked like a given one when it exists (it is created, after
 * every other check, when it does not).
 */
async function checkDefaultFolder(path: string): Promise<void> {
  const exists = await Deno.stat(path).then(() => true, () => false);
  if (exists) await checkWritableFolder(path, "checkpoint path");
}

/** Creates the default checkpoint folder; a failure is the user's to fix. */
async function createDefaultFolder(path: string): Promise<void> {
  try {
    await Deno.mkdir(path, { recursive: true });
  } catch (error) {
    throw new UsageError(`Cannot use checkpoint path "${path}": ${(error as Error).message}`);
  }
  await checkWritableFolder(path, "checkpoint path");
}

/**
 * Throws UsageError when `folder` holds a checkpoint this run could write over (its task and seed,
 * a batch after `completed` and up to num_batches) that a run with other params wrote, such as the
 * original run of a resume that changes `rmsprop_lr`. num_batches may differ: a longer run of the
 * same params writes over its own checkpoints, as the reference does. Unreadable files are left to
 * be replaced.
 */
async function checkOtherRuns<S extends TaskSchema>(
  task: TaskDefinition<S>,
  folder: string,
  seed: number,
  params: ParamValues<S>,
  completed: number,
): Promise<void> {
  const prefix = `${task.name}-${seed}-batch-`;
  const exists = await Deno.stat(folder).then((info) => info.isDirectory, () => false);
  if (!exists) return;
  for await (const entry of Deno.readDir(folder)) {
    const batch = entry.isFile && entry.name.startsWith(prefix)
      ? /^(\d+)\.safetensors$/.exec(entry.name.slice(prefix.length))?.[1]
      : undefined;
    if (batch === undefined) continue;
    if (Number(batch) <= completed || Number(batch) > Number(params.num_batches)) continue;
    const other = await readCheckpointFile(join(folder, entry.name)).catch(() => undefined);
    if (other === undefined || other.task !== task.name) continue;
    let saved: ParamValues<S>;
    try {
      saved = resolveParams(task.params, [], other.params);
    } catch {
      continue;
    }
    const changed = changedParams(saved, params).filter((name) => name !== "num_batches");
    if (changed.length === 0) continue;
    const before = paramRecord(saved), after = paramRecord(params);
    throw new UsageError(
      `Cannot train into ${folder}: it holds ${entry.name} of a run with ${
        changed.map((name) =>
          `${name}=${formatParamValue(before[name])} (this run: ${formatParamValue(after[name])})`
        ).join(", ")
      }, which this run would replace; give another --checkpoint-path, or move that run`,
    );
  }
}

/** Everything a run needs, checked. */
interface RunPlan<S extends TaskSchema> {
  readonly seed: number;
  readonly params: ParamValues<S>;
  readonly setup: TrainingSetup;
  readonly completed: number;
  readonly history: TrainingHistory;
  readonly resumed?: LoadedCheckpoint;
  /** The checkpoint's params, when resumed. */
  readonly saved?: ParamValues<S>;
}

/**
 * Throws UsageError when a resume sets `rmsprop_lr` that no batch of it would use: a switch of
 * the optimizer's schedule came before `firstBatch`, so the schedule sets every rate from there.
 */
function checkRateTakesEffect(
  optimizer: RmspropSettings,
  assignments: readonly string[],
  firstBatch: number,
): void {
  const schedule = optimizer.schedule ?? [];
  const setsRate = assignments.some((assignment) =>
    parseAssignment(assignment)[0] === "rmsprop_lr"
  );
  if (!setsRate || schedule.length === 0 || schedule[0].after >= firstBatch) return;
  throw new UsageError(
    `Cannot set rmsprop_lr=${formatParamValue(optimizer.lr)} for this run: from batch ` +
      `${firstBatch} on, the rate comes from rmsprop_lr_schedule=${formatLrSchedule(schedule)} ` +
      `(${settingsAt(optimizer, firstBatch).lr} there); change rmsprop_lr_schedule instead (an ` +
      "empty one leaves rmsprop_lr in force)",
  );
}

async function planRun<S extends TaskSchema>(
  task: TaskDefinition<S>,
  options: TrainingOptions,
): Promise<RunPlan<S>> {
  const resumed = options.resume === undefined ? undefined : await readCheckpoint(options.resume);
  if (resumed) checkCheckpointTask(task, resumed, "resume from", "");
  if (resumed && options.seed !== undefined && options.seed !== resumed.seed) {
    throw new UsageError(
      `Cannot resume from ${resumed.path}: it was trained with seed ${resumed.seed}, ` +
        `not ${options.seed}; leave --seed out to continue its run`,
    );
  }
  const seed = resumed?.seed ?? options.seed ?? DEFAULT_SEED;
  const saved = resumed && checkpointParams(task, resumed, "resume from");
  const params = resolveParams(task.params, options.params, saved);
  task.check(params);
  if (resumed) checkSameModel(task, resumed, saved!, params);
  const numBatches = Number(params.num_batches);
  if (resumed && resumed.batch >= numBatches) {
    throw new UsageError(
      `Cannot resume from ${resumed.path}: it reached batch ${resumed.batch} and num_batches is ` +
        `${numBatches}; raise it with -p num_batches=N`,
    );
  }
  let setup: TrainingSetup;
  try {
    setup = trainingSetup(
      task,
      params,
      seed,
      resumed && ((layout) => checkpointState(layout, resumed)),
    );
  } catch (error) {
    // Sizes within the store's limit can still be too large to allocate here.
    if (!(error instanceof RangeError)) throw error;
    throw new UsageError(
      `Cannot allocate the model's parameters: ${error.message}; lower the sizes`,
    );
  }
  if (resumed) checkRateTakesEffect(setup.optimizer, options.params, resumed.nextBatch);
  return {
    seed,
    params,
    setup,
    completed: resumed ? resumed.nextBatch - 1 : 0,
    history: resumed?.history ?? { loss: [], cost: [], seq_lengths: [] },
    resumed,
    saved,
  };
}

async function trainTask<S extends TaskSchema>(
  task: TaskDefinition<S>,
  args: readonly string[],
): Promise<number> {
  const options = parseTrainingOptions(args);
  if (options.help) {
    console.log(trainingUsage(task, taskCommand(task.name)));
    return 0;
  }
  const plan = await planRun(task, options);
  const { seed, params, setup } = plan;
  const { layout, capacity } = setup;
  const { config } = layout;
  const checkpointsOn = options.checkpointInterval > 0;
  if (checkpointsOn) {
    if (options.checkpointPathGiven) {
      await checkWritableFolder(options.checkpointPath, "checkpoint path");
    } else await checkDefaultFolder(options.checkpointPath);
    await checkOtherRuns(task, options.checkpointPath, seed, params, plan.completed);
  }
  if (options.metricsFile !== undefined) {
    await checkWritableFile(options.metricsFile, "metrics file");
  }
  let backend: TrainingBackend;
  if (options.backend !== "cpu") {
    // A software adapter compiles the kernels here, which takes seconds on a cold shader cache.
    console.log(
      options.backend === "webgpu"
        ? "Starting the webgpu backend: building and warming up its kernels"
        : "Starting the auto backend: looking for a hardware WebGPU adapter, and building " +
          "and warming up the kernels if there is one",
    );
  }
  try {
    backend = await createBackend(options.backend, setup);
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
    progress.clear();
    if (stop) {
      // A checkpoint being written is dropped: its files are still temporary (unless the
      // history was already renamed; a checkpoint file never stands without its history).
      if (checkpointsOn) removeTemporaryFiles(options.checkpointPath);
      console.error("Interrupted again: quitting without saving");
      Deno.exit(EXIT_INTERRUPTED);
    }
    stop = true;
    console.error(
      checkpointsOn
        ? "Interrupted: finishing the current batches, then saving a checkpoint " +
          "(Ctrl-C again quits without saving)"
        : "Interrupted: finishing the current batches (checkpoints are disabled; " +
          "Ctrl-C again quits at once)",
    );
  };
  try {
    if (checkpointsOn && !options.checkpointPathGiven) {
      await createDefaultFolder(options.checkpointPath);
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
        `Resuming from ${plan.resumed.path} at batch ${plan.resumed.nextBatch} ` +
          `(trained on ${plan.resumed.backend})`,
      );
      console.log(describeParamChanges(plan.saved!, plan.params));
    }
    const { lr, schedule = [] } = plan.setup.optimizer;
    if (schedule.length > 0) {
      console.log(
        `Learning rate: ${describeLrSchedule(lr, schedule, plan.completed + 1, numBatches)}`,
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
