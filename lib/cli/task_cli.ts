/**
 * The command line of a task file: `evaluate` as the first argument runs the evaluation
 * command, anything else the training command.
 *
 * @module
 */

import type { TaskDefinition, TaskSchema } from "../train/task.ts";
import { runEvaluationCli } from "./evaluate_cli.ts";
import { runTrainingCli } from "./train_cli.ts";

/**
 * Runs a task's command line and returns its exit status: `evaluate …` evaluates a checkpoint,
 * anything else trains (see `runTrainingCli` and `runEvaluationCli`).
 */
export function runTaskCli<S extends TaskSchema>(
  task: TaskDefinition<S>,
  args: readonly string[],
): Promise<number> {
  return args[0] === "evaluate"
    ? runEvaluationCli(task, args.slice(1))
    : runTrainingCli(task, args);
}
