/**
 * What an evaluation runs, checked before anything is computed: the `-p` changes (data params
 * only), each checkpoint read with its params and weights, and several checkpoints held to one
 * model and one set of data.
 *
 * @module
 */

import { UsageError } from "../config.ts";
import { type CheckpointFile, readCheckpointFile } from "../io/checkpoint.ts";
import { fromReferenceTensors, modelShape, type ParamLayout, paramLayout } from "../params.ts";
import {
  paramRecord,
  type ParamValues,
  type TaskDefinition,
  type TaskSchema,
} from "../train/task.ts";
import { changedParams, checkCheckpointTask, checkpointParams } from "./checkpoint_params.ts";
import { parseAssignment, resolveParams } from "./params.ts";

/** A checkpoint, read and checked, with everything its evaluation needs. */
export interface CheckpointPlan<S extends TaskSchema> {
  /** The checkpoint's file, without its history. */
  readonly file: CheckpointFile;
  /** The checkpoint's params. */
  readonly saved: ParamValues<S>;
  /** Its params with the `-p` changes. */
  readonly params: ParamValues<S>;
  /** The names of the params `-p` changed. */
  readonly changed: readonly (keyof S & string)[];
  /** The model's parameter table. */
  readonly layout: ParamLayout;
  /** The model's parameters. */
  readonly weights: Float32Array;
}

/**
 * Throws UsageError unless every `-p` assignment names one of the task's data params: an
 * evaluation keeps the checkpoint's model and training params.
 */
export function checkDataAssignments<S extends TaskSchema>(
  task: TaskDefinition<S>,
  assignments: readonly string[],
): void {
  for (const assignment of assignments) {
    const [name] = parseAssignment(assignment);
    if (task.dataParams.includes(name)) continue;
    throw new UsageError(
      `Cannot evaluate with -p ${name}: ${
        Object.hasOwn(task.params, name)
          ? "it is a param of the model or its training, which an evaluation keeps"
          : `${task.name} has no such param`
      }; the data params -p may change are ${task.dataParams.join(", ")}`,
    );
  }
}

/**
 * Reads the checkpoint at `path` and applies the data-param `assignments` (checked by
 * `checkDataAssignments`) to its params.
 */
export async function planCheckpoint<S extends TaskSchema>(
  task: TaskDefinition<S>,
  path: string,
  assignments: readonly string[],
): Promise<CheckpointPlan<S>> {
  const file = await readCheckpointFile(path);
  checkCheckpointTask(task, file, "evaluate", "evaluate");
  const saved = checkpointParams(task, file, "evaluate");
  const params = resolveParams(task.params, assignments, saved);
  try {
    task.check(params);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(
      `${error.message}; the params -p does not set are the checkpoint's, so set both`,
    );
  }
  const layout = paramLayout(task.config(params));
  const weights = fromReferenceTensors(layout, file.tensors, "", `checkpoint ${file.path}`);
  return { file, saved, params, changed: changedParams(saved, params), layout, weights };
}

/**
 * Throws UsageError unless `other` has the model of `first` and is evaluated on the same data:
 * the same data params, and for a task that feeds evaluation data on its training scale
 * (`evaluationElements`), the same training data params.
 */
export function checkSameSetup<S extends TaskSchema>(
  task: TaskDefinition<S>,
  first: CheckpointPlan<S>,
  other: CheckpointPlan<S>,
): void {
  const fail = (detail: string): never => {
    throw new UsageError(`Cannot evaluate ${other.file.path} beside ${first.file.path}: ${detail}`);
  };
  if (modelShape(first.layout) !== modelShape(other.layout)) {
    fail("their models differ; evaluate them one at a time");
  }
  const differing = (values: (plan: CheckpointPlan<S>) => ParamValues<S>) =>
    task.dataParams.filter((name) =>
      paramRecord(values(first))[name] !== paramRecord(values(other))[name]
    ).map((name) =>
      `${name} ${paramRecord(values(other))[name]}, not ${paramRecord(values(first))[name]}`
    ).join("; ");
  const data = differing((plan) => plan.params);
  if (data !== "") {
    fail(
      `their data params differ (${data}); set them with -p to evaluate both on the same data`,
    );
  }
  const trained = differing((plan) => plan.saved);
  if (task.evaluationElements && trained !== "") {
    fail(
      `they were trained on different data params (${trained}), and ${task.name} feeds ` +
        "evaluation data on the training scale; evaluate them one at a time",
    );
  }
}
