/**
 * The command line of a task file: `evaluate` or `history` as the first argument runs that
 * command, anything else the training command.
 *
 * @module
 */

import type { TaskDefinition, TaskSchema } from "../train/task.ts";
import { runEvaluationCli } from "./evaluate_cli.ts";
import { runHistoryCli } from "./history_cli.ts";
import { runTrainingCli } from "./train_cli.ts";

/**
 * Runs a task's command line and returns its exit status: `evaluate …` evaluates checkpoints,
 * `history …` shows their training histories, anything else trains (see `runTrainingCli`,
 * `runEvaluationCli` and `runHistoryCli`).
 */
export function runTaskCli<S extends TaskSchema>(
  task: TaskDefinition<S>,
  args: readonly string[],
): Promise<number> {
  if (args[0] === "evaluate") return runEvaluationCli(task, args.slice(1));
  if (args[0] === "history") return runHistoryCli(task, args.slice(1));
  return runTrainingCli(task, args);
}
