/**
 * The evaluation command of every task (`deno task copy evaluate CHECKPOINT …`): runs a
 * checkpoint's model forward on fresh batches, often longer than it was trained on, prints the
 * loss and cost of each and their mean, and draws the first sequence as a PNG picture. Bad input
 * exits with status 2 and one line naming the problem, before anything is computed.
 *
 * @module
 */

import { UsageError } from "../config.ts";
import { CpuNtm } from "../cpu/ntm.ts";
import { evaluateBatch, type Evaluation } from "../eval/evaluate.ts";
import { evaluationPicture } from "../eval/picture.ts";
import { writeFileAtomic } from "../io/atomic_write.ts";
import { readCheckpoint } from "../io/checkpoint.ts";
import { encodePng } from "../io/png.ts";
import { fromReferenceTensors, paramLayout } from "../params.ts";
import { generateBatch, type TaskDefinition, type TaskSchema } from "../train/task.ts";
import { checkpointParams, type CheckpointUse, checkSameModel } from "./checkpoint_params.ts";
import { taskCommand } from "./command_line.ts";
import { runCommand } from "./exit.ts";
import { evaluationUsage, parseEvaluationOptions } from "./evaluate_options.ts";
import { formatParamValue, resolveParams } from "./params.ts";
import { checkWritableFile } from "./paths.ts";

/** How an evaluation uses its checkpoint, for error messages. */
const EVALUATE: CheckpointUse = { action: "evaluate", keeper: "an evaluation" };

/** One batch's line: `Batch 1 Length: 80 Loss: 0.000001 Cost: 0.00`. */
function formatEvaluation(batchNumber: number, evaluation: Evaluation): string {
  return `Batch ${batchNumber} Length: ${evaluation.batch.length} Loss: ${
    evaluation.loss.toFixed(6)
  } Cost: ${evaluation.cost.toFixed(2)}`;
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
  const checkpoint = await readCheckpoint(options.checkpoint!);
  if (checkpoint.task !== task.name) {
    throw new UsageError(
      `Cannot evaluate ${checkpoint.path}: it is a checkpoint of ${checkpoint.task}, not ` +
        `${task.name}; evaluate it with that task's command`,
    );
  }
  const saved = checkpointParams(task, checkpoint, EVALUATE);
  const params = resolveParams(task.params, options.params, saved);
  task.check(params);
  checkSameModel(task, checkpoint, saved, params, EVALUATE);
  if (options.image !== undefined) await checkWritableFile(options.image, "image file");
  const layout = paramLayout(task.config(params));
  const weights = fromReferenceTensors(
    layout,
    checkpoint.tensors,
    "",
    `checkpoint ${checkpoint.path}`,
  );
  const elements = task.evaluationElements?.(params, saved) ?? task.elements(params);
  const capacity = task.capacity(params);
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

  console.log(
    `Evaluating ${checkpoint.path} (${task.name}, seed ${checkpoint.seed}, trained ` +
      `${checkpoint.batch} batches on ${checkpoint.backend})`,
  );
  const before = saved as Record<string, number | string>;
  const after = params as Record<string, number | string>;
  const changed = Object.keys(after).filter((name) => after[name] !== before[name]);
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
    `Data: seed ${options.seed}, batches 1 to ${options.batches} of ` +
      `${layout.config.batchSize} sequence(s), on the CPU reference`,
  );
  let first: Evaluation | undefined;
  let loss = 0, cost = 0;
  for (let batchNumber = 1; batchNumber <= options.batches; batchNumber++) {
    const batch = generateBatch(elements, options.seed, batchNumber);
    const evaluation = evaluateBatch(model, weights, batch);
    first ??= evaluation;
    loss += evaluation.loss;
    cost += evaluation.cost;
    console.log(formatEvaluation(batchNumber, evaluation));
  }
  console.log(
    `Mean of ${options.batches} batch(es): Loss: ${(loss / options.batches).toFixed(6)} ` +
      `Cost: ${(cost / options.batches).toFixed(2)} bits per sequence`,
  );
  if (options.image !== undefined && first) {
    const picture = evaluationPicture(first, { scale: options.scale });
    await writeFileAtomic(options.image, encodePng(picture.image));
    const { width, height } = picture.image;
    console.log(
      `Picture of batch 1, sequence 0: ${options.image} (${width}×${height} pixels, ` +
        `${options.scale} per cell; 0 dark blue, 1 yellow)`,
    );
    console.log(
      `  ${picture.steps} columns, one per step; the output phase starts at step ` +
        `${first.batch.inputSteps}`,
    );
    console.log(
      `  rows from the top: ${
        picture.panels.map((panel) => `${panel.name} (${panel.rows})`).join(", ")
      }`,
    );
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
