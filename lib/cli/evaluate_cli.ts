/**
 * The evaluation command of every task (`deno task copy evaluate CHECKPOINT …`): runs a
 * checkpoint's model forward on fresh batches, often longer than it was trained on, prints the
 * loss and cost of each and their mean, and draws a sequence of the first batch as a PNG picture.
 * Bad input exits with status 2 and one line naming the problem, before anything is computed.
 *
 * @module
 */

import { UsageError } from "../config.ts";
import { CpuNtm } from "../cpu/ntm.ts";
import { evaluateBatch, type Evaluation } from "../eval/evaluate.ts";
import { evaluationPicture, MAX_PICTURE_PIXELS, pictureSize } from "../eval/picture.ts";
import { writeFileAtomic } from "../io/atomic_write.ts";
import { type CheckpointFile, readCheckpointFile } from "../io/checkpoint.ts";
import { encodePng } from "../io/png.ts";
import { fromReferenceTensors, paramLayout } from "../params.ts";
import { generateBatch, type TaskDefinition, type TaskSchema } from "../train/task.ts";
import { changedParams, checkpointParams } from "./checkpoint_params.ts";
import { taskCommand } from "./command_line.ts";
import { runCommand } from "./exit.ts";
import { evaluationUsage, parseEvaluationOptions } from "./evaluate_options.ts";
import { formatParamValue, resolveParams } from "./params.ts";
import { checkWritableFile } from "./paths.ts";

/** One batch's line: `Batch 1 Length: 80 Loss: 0.000001 Cost: 0.00`. */
function formatEvaluation<S extends TaskSchema>(
  task: TaskDefinition<S>,
  batchNumber: number,
  evaluation: Evaluation,
): string {
  return `Batch ${batchNumber} ${task.describe(evaluation.batch)} Loss: ${
    evaluation.loss.toFixed(6)
  } Cost: ${evaluation.cost.toFixed(2)}`;
}

/** Throws UsageError unless `-p` changed data params only (see `TaskDefinition.dataParams`). */
function checkDataParams<S extends TaskSchema>(
  task: TaskDefinition<S>,
  checkpoint: CheckpointFile,
  changed: readonly (keyof S & string)[],
): void {
  const others = changed.filter((name) => !task.dataParams.includes(name));
  if (others.length === 0) return;
  throw new UsageError(
    `Cannot evaluate ${checkpoint.path}: ${
      others.map((name) => `-p ${name}`).join(", ")
    } would change the model or its training, which an evaluation keeps; it may change the ` +
      `data params ${task.dataParams.join(", ")}`,
  );
}

/** Throws UsageError unless `image` is a `.png` path that can be written. */
async function checkImagePath(image: string): Promise<void> {
  if (!image.toLowerCase().endsWith(".png")) {
    throw new UsageError(`Cannot use image file "${image}": the picture is a PNG; end it in .png`);
  }
  await checkWritableFile(image, "image file");
}

async function evaluateTask<S extends TaskSchema>(
  task: TaskDefinition<S>,
  args: readonly string[],
): Promise<number> {
  const options = parseEvaluationOptions(args);
  if (options.help) {
    console.log(evaluationUsage(task, taskCommand(task.name)));
    return 0;
  }
  const checkpoint = await readCheckpointFile(options.checkpoint!);
  if (checkpoint.task !== task.name) {
    throw new UsageError(
      `Cannot evaluate ${checkpoint.path}: it is a checkpoint of ${checkpoint.task}, not ` +
        `${task.name}; evaluate it with that task's command`,
    );
  }
  const saved = checkpointParams(task, checkpoint, "evaluate");
  const params = resolveParams(task.params, options.params, saved);
  const changed = changedParams(saved, params);
  checkDataParams(task, checkpoint, changed);
  task.check(params);
  const layout = paramLayout(task.config(params));
  const { config } = layout;
  if (options.sequence > config.batchSize) {
    throw new UsageError(
      `Cannot use option --sequence=${options.sequence}: batch 1 holds sequences 1 to ` +
        `${config.batchSize}`,
    );
  }
  const capacity = task.capacity(params);
  if (options.image !== undefined) {
    await checkImagePath(options.image);
    const { width, height } = pictureSize(config, capacity, options.scale);
    if (width * height > MAX_PICTURE_PIXELS) {
      throw new UsageError(
        `Cannot draw sequences of up to ${capacity} steps with --scale ${options.scale}: ` +
          `${width}×${height} pixels is more than the ${MAX_PICTURE_PIXELS} a picture may have; ` +
          "lower the scale or the lengths",
      );
    }
  }
  const weights = fromReferenceTensors(
    layout,
    checkpoint.tensors,
    "",
    `checkpoint ${checkpoint.path}`,
  );
  let model: CpuNtm;
  try {
    model = new CpuNtm(layout, { capacity });
  } catch (error) {
    // Sequences too long to hold in memory are the params' fault.
    if (!(error instanceof RangeError)) throw error;
    throw new UsageError(
      `Cannot evaluate sequences of up to ${capacity} steps: ${error.message}; lower the ` +
        "lengths or batch_size",
    );
  }
  const elements = task.evaluationElements?.(params, saved) ?? task.elements(params);
  const seed = options.seed ?? (checkpoint.seed + 1) % 2 ** 32;

  console.log(
    `Evaluating ${checkpoint.path} (${task.name}, seed ${checkpoint.seed}, trained ` +
      `${checkpoint.batch} batches on ${checkpoint.backend})`,
  );
  const before = saved as Record<string, number | string>;
  const after = params as Record<string, number | string>;
  console.log(
    changed.length === 0
      ? "Params: the checkpoint's"
      : `Params: the checkpoint's, with ${
        changed.map((name) =>
          `${name}=${formatParamValue(after[name])} (was ${formatParamValue(before[name])})`
        ).join(", ")
      }`,
  );
  console.log(
    `Data: seed ${seed}, batches 1 to ${options.batches} of ${config.batchSize} sequence(s), ` +
      "on the CPU reference",
  );
  if (seed === checkpoint.seed) {
    console.log(
      `Note: seed ${seed} is the checkpoint's training seed, so these batches share their ` +
        `random draws with its training batches 1 to ${options.batches}`,
    );
  }
  let first: Evaluation | undefined;
  let loss = 0, cost = 0;
  for (let batchNumber = 1; batchNumber <= options.batches; batchNumber++) {
    const evaluation = evaluateBatch(model, weights, generateBatch(elements, seed, batchNumber));
    first ??= evaluation;
    loss += evaluation.loss;
    cost += evaluation.cost;
    console.log(formatEvaluation(task, batchNumber, evaluation));
  }
  console.log(
    `Mean of ${options.batches} batch(es): Loss: ${(loss / options.batches).toFixed(6)} ` +
      `Cost: ${(cost / options.batches).toFixed(2)} bits per sequence`,
  );
  if (options.image !== undefined) {
    const picture = evaluationPicture(first!, {
      sequence: options.sequence - 1,
      scale: options.scale,
    });
    await writeFileAtomic(options.image, encodePng(picture.image));
    const { width, height } = picture.image;
    console.log(
      `Picture of batch 1, sequence ${options.sequence}: ${options.image} (${width}×${height} ` +
        `pixels, ${options.scale} per cell)`,
    );
    console.log(
      `  ${picture.steps} columns, one per step: ${first!.batch.inputSteps} input steps, then ` +
        `${first!.batch.outputSteps} output steps`,
    );
    console.log(
      `  rows from the top: ${
        picture.panels.map((panel) => `${panel.name} (${panel.rows})`).join(", ")
      }`,
    );
    console.log("  colours: dark blue 0 to yellow 1; values outside [0, 1] are clamped");
  }
  return 0;
}

/**
 * Runs the evaluation command of `task` with the arguments after `evaluate` and returns the exit
 * status: 0 when done, 2 for bad input, 1 on failure.
 */
export function runEvaluationCli<S extends TaskSchema>(
  task: TaskDefinition<S>,
  args: readonly string[],
): Promise<number> {
  return runCommand(() => evaluateTask(task, args));
}
