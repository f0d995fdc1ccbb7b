/**
 * The evaluation command of every task (`deno task copy evaluate CHECKPOINT… …`): runs each
 * checkpoint's model forward on the same fresh batches, often longer than it was trained on,
 * prints the loss and cost of each batch and their mean (and, for a task that knows its optimal
 * predictions, theirs beside them and both cross-entropies in bits), and draws a sequence of the
 * first batch as a PNG picture, animated with one frame per checkpoint when there are several.
 * Bad input exits with status 2 and one line naming the problem, before anything is computed.
 *
 * @module
 */

import { UsageError } from "../config.ts";
import { CpuNtm } from "../cpu/ntm.ts";
import {
  evaluateBatch,
  type Evaluation,
  measurePredictions,
  type PredictionMeasures,
} from "../eval/evaluate.ts";
import { evaluationPicture, MAX_PICTURE_PIXELS, pictureLayout } from "../eval/picture.ts";
import { writeFileAtomic } from "../io/atomic_write.ts";
import { encodeAnimatedPng, encodePng } from "../io/png.ts";
import { generateBatch, type TaskDefinition, type TaskSchema } from "../train/task.ts";
import { taskCommand } from "./command_line.ts";
import { runCommand } from "./exit.ts";
import {
  checkDataAssignments,
  type CheckpointPlan,
  checkSameSetup,
  planCheckpoint,
} from "./evaluate_plan.ts";
import {
  defaultEvaluationSeed,
  evaluationUsage,
  parseEvaluationOptions,
} from "./evaluate_options.ts";
import { describeParamChanges } from "./checkpoint_params.ts";
import { checkImagePath } from "./paths.ts";

/** How long each checkpoint's frame shows in an animated picture. */
export const FRAME_MS = 700;

/** Means of measures over batches. */
class MeanMeasures {
  #count = 0;
  #loss = 0;
  #cost = 0;
  #bits = 0;

  add(measures: PredictionMeasures): void {
    this.#count++;
    this.#loss += measures.loss;
    this.#cost += measures.cost;
    this.#bits += measures.crossEntropyBits;
  }

  mean(): PredictionMeasures {
    return {
      loss: this.#loss / this.#count,
      cost: this.#cost / this.#count,
      crossEntropyBits: this.#bits / this.#count,
    };
  }
}

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

/** Prints what is evaluated: the checkpoint, the params `-p` changed, the data. */
function printHeading<S extends TaskSchema>(
  task: TaskDefinition<S>,
  plan: CheckpointPlan<S>,
  seed: number,
  batches: number,
): void {
  const { file } = plan;
  console.log(
    `Evaluating ${file.path} (${task.name}, seed ${file.seed}, trained ${file.batch} batches` +
      `${file.backend === "" ? "" : ` on ${file.backend}`})`,
  );
  console.log(describeParamChanges(plan.saved, plan.params));
  console.log(
    `Data: seed ${seed}, batches 1 to ${batches} of ${plan.layout.config.batchSize} ` +
      "sequence(s), on the CPU reference",
  );
  if (seed === file.seed) {
    console.log(
      `Note: seed ${seed} is the checkpoint's training seed, so these batches share their ` +
        `random draws with its training batches 1 to ${batches}`,
    );
  }
}

async function evaluateTask<S extends TaskSchema>(
  task: TaskDefinition<S>,
  args: readonly string[],
): Promise<number> {
  const options = parseEvaluationOptions(args, task.name);
  if (options.help) {
    console.log(evaluationUsage(task, taskCommand(task.name)));
    return 0;
  }
  checkDataAssignments(task, options.params);
  const plans: CheckpointPlan<S>[] = [];
  for (const path of options.checkpoints) {
    plans.push(await planCheckpoint(task, path, options.params));
    checkSameSetup(task, plans[0], plans.at(-1)!);
  }
  const { config } = plans[0].layout;
  if (options.sequence > config.batchSize) {
    throw new UsageError(
      `Cannot use option --sequence=${options.sequence}: batch 1 holds sequences 1 to ` +
        `${config.batchSize}; raise batch_size with -p batch_size=N`,
    );
  }
  const capacity = task.capacity(plans[0].params);
  if (options.image !== undefined) {
    await checkImagePath(options.image);
    const { width, height } = pictureLayout(config, capacity, options.scale);
    if (width * height * plans.length > MAX_PICTURE_PIXELS) {
      throw new UsageError(
        `Cannot draw sequences of up to ${capacity} steps with --scale ${options.scale}: ` +
          `${plans.length} frame(s) of ${width}×${height} pixels is more than the ` +
          `${MAX_PICTURE_PIXELS} pixels a picture may have; lower the scale or the lengths`,
      );
    }
  }
  let model: CpuNtm;
  try {
    model = new CpuNtm(plans[0].layout, { capacity });
  } catch (error) {
    // Sequences too long to hold in memory are the params' fault.
    if (!(error instanceof RangeError)) throw error;
    throw new UsageError(
      `Cannot evaluate sequences of up to ${capacity} steps: ${error.message}; lower the ` +
        "lengths or batch_size",
    );
  }
  const seed = options.seed ?? defaultEvaluationSeed(plans[0].file.seed);

  const pictured: Evaluation[] = [];
  for (const plan of plans) {
    if (plan !== plans[0]) console.log("");
    printHeading(task, plan, seed, options.batches);
    const elements = task.evaluationElements?.(plan.params, plan.saved) ??
      task.elements(plan.params);
    const network = new MeanMeasures(), optimum = new MeanMeasures();
    for (let batchNumber = 1; batchNumber <= options.batches; batchNumber++) {
      const batch = generateBatch(elements, seed, batchNumber);
      const evaluation = evaluateBatch(model, plan.weights, batch);
      if (batchNumber === 1) pictured.push(evaluation);
      network.add(evaluation);
      let line = formatEvaluation(task, batchNumber, evaluation);
      if (task.optimum !== undefined) {
        const predictions = task.optimum.predict(plan.params, batch);
        const best = measurePredictions(predictions, batch, config.batchSize);
        optimum.add(best);
        const loss = best.loss.toFixed(6), cost = best.cost.toFixed(2);
        line += ` ${task.optimum.name}: Loss: ${loss} Cost: ${cost}`;
      }
      console.log(line);
    }
    const mean = network.mean();
    console.log(
      `Mean of ${options.batches} batch(es): Loss: ${mean.loss.toFixed(6)} ` +
        `Cost: ${mean.cost.toFixed(2)} bits per sequence`,
    );
    if (task.optimum !== undefined) {
      const best = optimum.mean();
      console.log(
        `${task.optimum.name}, same batches: Loss: ${best.loss.toFixed(6)} ` +
          `Cost: ${best.cost.toFixed(2)} bits per sequence`,
      );
      const gap = mean.crossEntropyBits - best.crossEntropyBits;
      console.log(
        `Cross-entropy: ${mean.crossEntropyBits.toFixed(2)} bits per sequence, ` +
          `${Math.abs(gap).toFixed(2)} ${gap < 0 ? "below" : "above"} the ` +
          `${task.optimum.name}'s ${best.crossEntropyBits.toFixed(2)}`,
      );
    }
  }
  if (options.image !== undefined) {
    const pictures = pictured.map((evaluation) =>
      evaluationPicture(evaluation, { sequence: options.sequence - 1, scale: options.scale })
    );
    const frames = pictures.map((picture) => picture.image);
    await writeFileAtomic(
      options.image,
      frames.length === 1 ? encodePng(frames[0]) : encodeAnimatedPng(frames, FRAME_MS),
    );
    const [{ image, steps, panels }] = pictures;
    const { inputSteps, outputSteps, outputStart } = pictured[0].batch;
    console.log("");
    console.log(
      `Picture of batch 1, sequence ${options.sequence}: ${options.image} (${image.width}×` +
        `${image.height} pixels, ${options.scale} per cell${
          frames.length === 1
            ? ""
            : `; ${frames.length} frames, one per checkpoint in the order given, ${FRAME_MS} ms each`
        })`,
    );
    console.log(
      outputStart === inputSteps
        ? `  ${steps} columns, one per step: ${inputSteps} input steps, then ${outputSteps} ` +
          "output steps"
        : `  ${steps} columns, one per step: ${inputSteps} input steps; the ${outputSteps} ` +
          `output steps start at column ${outputStart + 1}`,
    );
    console.log(
      `  rows from the top: ${panels.map((panel) => `${panel.name} (${panel.rows})`).join(", ")}`,
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
