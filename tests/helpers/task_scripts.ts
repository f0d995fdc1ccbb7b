/**
 * The task scripts, and the arguments of a model small enough for the CLI tests to train it in
 * milliseconds.
 *
 * @module
 */

import assert from "node:assert/strict";
import { runScript, type ScriptRun } from "./run_deno.ts";

/** The path of each task's script. */
export const TASKS = {
  copy: new URL("../../tasks/copy.ts", import.meta.url).pathname,
  repeatCopy: new URL("../../tasks/repeat_copy.ts", import.meta.url).pathname,
  associativeRecall: new URL("../../tasks/associative_recall.ts", import.meta.url).pathname,
  prioritySort: new URL("../../tasks/priority_sort.ts", import.meta.url).pathname,
  dynamicNgrams: new URL("../../tasks/dynamic_ngrams.ts", import.meta.url).pathname,
};

/** An NTM of any task small enough to train a few batches in milliseconds, on the CPU. */
export const TINY_NTM = [
  "-p",
  "controller_size=4",
  "-p",
  "memory_n=4",
  "-p",
  "memory_m=2",
  "--backend",
  "cpu",
];

/** The tiny NTM on vectors of 2 bits, for every task with a `sequence_width`. */
export const TINY_MODEL = [...TINY_NTM, "-p", "sequence_width=2"];

/** The tiny NTM on copy sequences of at most 3 vectors. */
export const TINY = [...TINY_MODEL, "-p", "sequence_max_len=3"];

/**
 * Trains task `script` with `args` for `batches` batches in `dir`, its checkpoints in `dir`
 * itself, and expects it to succeed.
 */
export async function trainInto(
  dir: string,
  script: string,
  args: readonly string[],
  batches: number,
): Promise<ScriptRun> {
  const run = await runScript(
    script,
    [...args, "-p", `num_batches=${batches}`, "--checkpoint-path", "."],
    dir,
  );
  assert.equal(run.code, 0, run.stderr);
  return run;
}
