/**
 * A checkpoint's params, as the commands that load one (resume, evaluate) read and change them:
 * `-p` may change training and data params, never the shapes of the checkpoint's tensors.
 *
 * @module
 */

import { UsageError } from "../config.ts";
import type { LoadedCheckpoint } from "../io/checkpoint.ts";
import { paramLayout } from "../params.ts";
import type { ParamValues, TaskDefinition, TaskSchema } from "../train/task.ts";
import { formatParamValue, resolveParams } from "./params.ts";

/** What a command does with a checkpoint, for its error messages. */
export interface CheckpointUse {
  /** The action, before the checkpoint's path: `resume from`, `evaluate`. */
  readonly action: string;
  /** Who keeps the checkpoint's model: `a resumed run`, `an evaluation`. */
  readonly keeper: string;
}

/** A checkpoint's params, checked against the task's schema. */
export function checkpointParams<S extends TaskSchema>(
  task: TaskDefinition<S>,
  checkpoint: LoadedCheckpoint,
  use: CheckpointUse,
): ParamValues<S> {
  try {
    return resolveParams(task.params, [], checkpoint.params);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(
      `Cannot ${use.action} ${checkpoint.path}: its metadata holds a bad param (${error.message})`,
    );
  }
}

/**
 * Throws UsageError unless `params` give the model of `saved` (the checkpoint's params): the
 * message names the `-p` values that reshape it, alone or together (such as heads and
 * num_heads).
 */
export function checkSameModel<S extends TaskSchema>(
  task: TaskDefinition<S>,
  checkpoint: LoadedCheckpoint,
  saved: ParamValues<S>,
  params: ParamValues<S>,
  use: CheckpointUse,
): void {
  const before = saved as Record<string, number | string>;
  const after = params as Record<string, number | string>;
  const model = (candidate: Record<string, number | string>) => {
    try {
      const { entries } = paramLayout(task.config(candidate as ParamValues<S>));
      return JSON.stringify(entries.map((entry) => [entry.name, entry.shape]));
    } catch {
      return "invalid";
    }
  };
  if (model(before) === model(after)) return;
  // The params that reshape: alone on the checkpoint's, or when put back to its value (such as
  // heads and num_heads, which reshape only together).
  const changed = Object.keys(after).filter((name) =>
    after[name] !== before[name] &&
    (model({ ...before, [name]: after[name] }) !== model(before) ||
      model({ ...after, [name]: before[name] }) !== model(after))
  );
  throw new UsageError(
    `Cannot ${use.action} ${checkpoint.path}: ${
      changed.map((name) => `-p ${name}=${formatParamValue(after[name])}`).join(", ")
    } would change its model (it has ${
      changed.map((name) => `${name}=${formatParamValue(before[name])}`).join(", ")
    }); ${use.keeper} keeps the checkpoint's model, so leave ${
      changed.length === 1 ? "that -p" : "those -p"
    } out`,
  );
}
