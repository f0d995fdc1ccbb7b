/**
 * A checkpoint's task and params, as the commands that load one (resume, evaluate, history) check,
 * read and change them: none may change the shapes of the checkpoint's tensors.
 *
 * @module
 */

import { UsageError } from "../config.ts";
import type { CheckpointFile } from "../io/checkpoint.ts";
import { modelShape, paramLayout } from "../params.ts";
import {
  paramRecord,
  type ParamValues,
  type TaskDefinition,
  type TaskSchema,
} from "../train/task.ts";
import { taskCommand } from "./command_line.ts";
import { formatParamValue, resolveParams } from "./params.ts";

/**
 * A checkpoint's params, checked against the task's schema; `action` (`resume from`, `evaluate`)
 * names what failed.
 */
export function checkpointParams<S extends TaskSchema>(
  task: TaskDefinition<S>,
  checkpoint: CheckpointFile,
  action: string,
): ParamValues<S> {
  try {
    return resolveParams(task.params, [], checkpoint.params);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(
      `Cannot ${action} ${checkpoint.path}: its metadata holds a bad param (${error.message})`,
    );
  }
}

/**
 * Throws UsageError unless `checkpoint` is one of `task`'s; `action` (`resume from`, `evaluate`)
 * names what failed, and `subcommand` (`evaluate`, or empty for training) what to run instead.
 */
export function checkCheckpointTask<S extends TaskSchema>(
  task: TaskDefinition<S>,
  checkpoint: CheckpointFile,
  action: string,
  subcommand: string,
): void {
  if (checkpoint.task === task.name) return;
  const command = [taskCommand(checkpoint.task), subcommand].filter((part) => part !== "");
  throw new UsageError(
    `Cannot ${action} ${checkpoint.path}: it is a checkpoint of ${checkpoint.task}, not ` +
      `${task.name}; use ${command.join(" ")}`,
  );
}

/** The names of the params whose values differ between `saved` and `params`, in schema order. */
export function changedParams<S extends TaskSchema>(
  saved: ParamValues<S>,
  params: ParamValues<S>,
): (keyof S & string)[] {
  const before = paramRecord(saved), after = paramRecord(params);
  return Object.keys(after).filter((name) => after[name] !== before[name]);
}

/**
 * The params of a loaded checkpoint as a command uses them, in one line: `Params: the
 * checkpoint's`, or `Params: the checkpoint's, with rmsprop_lr=0.00001 (was 0.00003)`.
 */
export function describeParamChanges<S extends TaskSchema>(
  saved: ParamValues<S>,
  params: ParamValues<S>,
): string {
  const changed = changedParams(saved, params);
  if (changed.length === 0) return "Params: the checkpoint's";
  const before = paramRecord(saved), after = paramRecord(params);
  return `Params: the checkpoint's, with ${
    changed.map((name) =>
      `${name}=${formatParamValue(after[name])} (was ${formatParamValue(before[name])})`
    ).join(", ")
  }`;
}

/**
 * Throws UsageError unless `params` give the model of `saved` (the checkpoint's params), as a
 * resumed run needs: the message names the `-p` values that reshape it, alone or together (such
 * as heads and num_heads).
 */
export function checkSameModel<S extends TaskSchema>(
  task: TaskDefinition<S>,
  checkpoint: CheckpointFile,
  saved: ParamValues<S>,
  params: ParamValues<S>,
): void {
  const before = paramRecord(saved), after = paramRecord(params);
  const model = (candidate: Readonly<Record<string, number | string>>) => {
    try {
      return modelShape(paramLayout(task.config(candidate as ParamValues<S>)));
    } catch {
      return "invalid";
    }
  };
  if (model(before) === model(after)) return;
  // The params that reshape: alone on the checkpoint's, or when put back to its value (such as
  // heads and num_heads, which reshape only together).
  const changed = changedParams(saved, params).filter((name) =>
    model({ ...before, [name]: after[name] }) !== model(before) ||
    model({ ...after, [name]: before[name] }) !== model(after)
  );
  throw new UsageError(
    `Cannot resume from ${checkpoint.path}: ${
      changed.map((name) => `-p ${name}=${formatParamValue(after[name])}`).join(", ")
    } would change its model (it has ${
      changed.map((name) => `${name}=${formatParamValue(before[name])}`).join(", ")
    }); a resumed run keeps the checkpoint's model, so leave ${
      changed.length === 1 ? "that -p" : "those -p"
    } out`,
  );
}
