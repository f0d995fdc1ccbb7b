/**
 * Training checkpoints: `<dir>/<task>-<seed>-batch-<n>.safetensors` with the parameters under the
 * PyTorch reference's names (so the file loads into the reference), the RMSprop state and the
 * run's metadata, and beside it `<same>.json` with the training history, as the reference writes
 * it. Both files are written atomically, the history first, so a checkpoint file always has its
 * history.
 *
 * The random generator is counter-based (`lib/random.ts`), so the `next_batch` metadata, the
 * number of the next batch to train, is its whole state.
 *
 * @module
 */

import { join } from "node:path";
import { type NTMConfig, UsageError } from "../config.ts";
import {
  fromReferenceTensors,
  loadTensors,
  type ParamLayout,
  toReferenceTensors,
} from "../params.ts";
import type { TrainingState } from "../train/backend.ts";
import { writeFilesAtomic } from "./atomic_write.ts";
import { parseInteger } from "./number_text.ts";
import { encodeSafetensors, readSafetensors, type Tensor } from "./safetensors.ts";

/** The `format` metadata value of this project's checkpoints. */
export const CHECKPOINT_FORMAT = "ntm-webgpu-checkpoint";

/** The version written in `format_version`; loading accepts this version only. */
export const CHECKPOINT_VERSION = 1;

/** Per-batch training history, as the reference's `<checkpoint>.json`. */
export interface TrainingHistory {
  /** Mean BCE loss of each batch, batch 1 first (non-finite values go to JSON as null). */
  readonly loss: readonly number[];
  /** Bit errors per sequence of each batch. */
  readonly cost: readonly number[];
  /** Sequence length T of each batch. */
  readonly seq_lengths: readonly number[];
}

/** What a checkpoint records about its run. */
export interface CheckpointInfo {
  /** The task's reference name, e.g. `copy-task`. */
  readonly task: string;
  /** Every task param by name. */
  readonly params: Readonly<Record<string, number | string>>;
  /** The run's seed: the initial parameters and every batch's data derive from it. */
  readonly seed: number;
  /** Batches completed; the next batch number (the RNG position) is `batch + 1`. */
  readonly batch: number;
  /** The backend that trained it. */
  readonly backend: string;
}

/** A checkpoint as written: its info, the state to resume from, and the history. */
export interface Checkpoint extends CheckpointInfo {
  /** Parameters and RMSprop state after batch `batch`. */
  readonly state: TrainingState;
  /** One entry per batch, `batch` entries in all. */
  readonly history: TrainingHistory;
}

/** A checkpoint's safetensors file as read, before its tensors are matched to a config. */
export interface CheckpointFile extends CheckpointInfo {
  /** The safetensors path it was read from. */
  readonly path: string;
  /** The number of the next batch to train: the RNG position, `batch + 1`. */
  readonly nextBatch: number;
  /** Every tensor in the file: parameters under reference names, `optimizer.*` state. */
  readonly tensors: Map<string, Tensor>;
}

/** A checkpoint as read with its history, before its tensors are matched to a config. */
export interface LoadedCheckpoint extends CheckpointFile {
  /** The history file's columns, `batch` entries each; JSON nulls read back as NaN. */
  readonly history: TrainingHistory;
}

/** The path without extension of a checkpoint: `<dir>/<task>-<seed>-batch-<n>`. */
export function checkpointBase(
  directory: string,
  task: string,
  seed: number,
  batch: number,
): string {
  return join(directory, `${task}-${seed}-batch-${batch}`);
}

/** Name of the square-average tensor of trainable tensor `name`. */
export function squareAverageName(name: string): string {
  return `optimizer.square_avg.${name}`;
}

/** Name of the momentum-buffer tensor of trainable tensor `name`. */
export function momentumBufferName(name: string): string {
  return `optimizer.momentum_buffer.${name}`;
}

/** The reference fixtures' description of a config, stored as the `config` metadata. */
export function referenceConfig(config: NTMConfig): Record<string, unknown> {
  return {
    num_inputs: config.inputs,
    num_outputs: config.outputs,
    controller_size: config.controllerSize,
    controller_layers: config.controllerLayers,
    memory_n: config.memoryN,
    memory_m: config.memoryM,
    heads: config.heads,
    batch_size: config.batchSize,
  };
}

/** Numbers for JSON: NaN and infinities (a diverged run) become null. */
function jsonNumbers(values: readonly number[]): (number | null)[] {
  return values.map((value) => Number.isFinite(value) ? value : null);
}

/**
 * Writes a checkpoint's two files and returns the safetensors path. Only the paths named
 * `<base>.json` and `<base>.safetensors` are written, both through temporary files renamed
 * once both are complete (`writeFilesAtomic`).
 */
export async function writeCheckpoint(
  directory: string,
  layout: ParamLayout,
  checkpoint: Checkpoint,
): Promise<string> {
  const base = checkpointBase(directory, checkpoint.task, checkpoint.seed, checkpoint.batch);
  const { state, history } = checkpoint;
  const tensors = toReferenceTensors(layout, state.params);
  for (const entry of layout.entries.filter((entry) => entry.trainable)) {
    const range = [entry.offset, entry.offset + entry.size] as const;
    tensors.push([squareAverageName(entry.name), {
      shape: entry.shape,
      data: state.squareAverage.slice(...range),
    }]);
    tensors.push([momentumBufferName(entry.name), {
      shape: entry.shape,
      data: state.momentumBuffer.slice(...range),
    }]);
  }
  const metadata = {
    format: CHECKPOINT_FORMAT,
    format_version: String(CHECKPOINT_VERSION),
    task: checkpoint.task,
    params: JSON.stringify(checkpoint.params),
    config: JSON.stringify(referenceConfig(layout.config)),
    seed: String(checkpoint.seed),
    batch: String(checkpoint.batch),
    next_batch: String(checkpoint.batch + 1),
    backend: checkpoint.backend,
  };
  const historyText = JSON.stringify({
    loss: jsonNumbers(history.loss),
    cost: jsonNumbers(history.cost),
    seq_lengths: history.seq_lengths,
  });
  // The history first: a checkpoint file never stands without its history beside it.
  await writeFilesAtomic([
    [`${base}.json`, historyText],
    [`${base}.safetensors`, encodeSafetensors(tensors, metadata)],
  ]);
  return `${base}.safetensors`;
}

/** The history file beside a checkpoint file. */
export function historyPath(checkpointPath: string): string {
  return checkpointPath.replace(/\.safetensors$/, "") + ".json";
}

function parseHistory(text: string, source: string, batch: number): TrainingHistory {
  const fail = (detail: string): never => {
    throw new UsageError(`Cannot read history ${source}: ${detail}`);
  };
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail(`it is not valid JSON (${(error as Error).message})`);
  }
  /** A column of numbers of at least 0 (null for a diverged batch's loss or cost). */
  const column = (name: string, nulls: boolean): number[] => {
    const values = raw?.[name];
    const valid = (value: unknown) =>
      (nulls && value === null) || (typeof value === "number" && value >= 0);
    if (!Array.isArray(values) || !values.every(valid)) {
      return fail(
        `"${name}" is not a list of numbers of at least 0${nulls ? " (or null)" : ""}`,
      );
    }
    if (values.length !== batch) {
      fail(`"${name}" holds ${values.length} entries, the checkpoint reached batch ${batch}`);
    }
    return values.map((value) => value ?? NaN);
  };
  return {
    loss: column("loss", true),
    cost: column("cost", true),
    seq_lengths: column("seq_lengths", false),
  };
}

/**
 * Reads a checkpoint's safetensors file (`path` with or without `.safetensors`, or its `.json`
 * history's path), without the history: enough to evaluate it. A missing, truncated or corrupt
 * file, or one that is not this project's checkpoint, raises UsageError.
 */
export async function readCheckpointFile(path: string): Promise<CheckpointFile> {
  const base = path.replace(/\.(safetensors|json)$/, "");
  const file = `${base}.safetensors`;
  const info = await Deno.stat(file).catch(() => undefined);
  if (!info?.isFile) {
    throw new UsageError(
      `Cannot read checkpoint ${path}: ${file} is not a file; give a checkpoint's .safetensors ` +
        "file or its .json history",
    );
  }
  const { tensors, metadata } = await readSafetensors(file);
  const fail = (detail: string): never => {
    throw new UsageError(`Cannot read checkpoint ${file}: ${detail}`);
  };
  if (metadata.format !== CHECKPOINT_FORMAT) {
    fail(`it is not a training checkpoint (no "format": "${CHECKPOINT_FORMAT}" metadata)`);
  }
  if (metadata.format_version !== String(CHECKPOINT_VERSION)) {
    fail(`format version ${metadata.format_version} is not supported (only ${CHECKPOINT_VERSION})`);
  }
  const integer = (name: string, low: number, high: number): number =>
    parseInteger(metadata[name] ?? "", low, high) ??
      fail(
        `metadata "${name}" is ${
          JSON.stringify(metadata[name])
        }, not an integer in [${low}, ${high}]`,
      );
  const seed = integer("seed", 0, 0xffff_ffff);
  const batch = integer("batch", 0, 0x7fff_ffff);
  // Files written before next_batch was recorded resume at batch + 1.
  const nextBatch = metadata.next_batch === undefined
    ? batch + 1
    : integer("next_batch", 1, 0x8000_0000);
  if (nextBatch !== batch + 1) {
    fail(
      `metadata "next_batch" is ${nextBatch}, but after batch ${batch} the next is ${batch + 1}`,
    );
  }
  let params: Record<string, number | string> = {};
  try {
    params = JSON.parse(metadata.params ?? "");
  } catch {
    fail(`metadata "params" is not JSON`);
  }
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    fail(`metadata "params" is not an object`);
  }
  return {
    path: file,
    nextBatch,
    task: metadata.task ?? "",
    params,
    seed,
    batch,
    backend: metadata.backend ?? "",
    tensors,
  };
}

/**
 * Reads a checkpoint (`path` with or without `.safetensors`, or its `.json` history's path) and
 * its history: everything a run resumes from. A missing, truncated or corrupt file, or one that
 * is not this project's checkpoint, raises UsageError.
 */
export async function readCheckpoint(path: string): Promise<LoadedCheckpoint> {
  const checkpoint = await readCheckpointFile(path);
  const history = historyPath(checkpoint.path);
  let historyText: string;
  try {
    historyText = await Deno.readTextFile(history);
  } catch (error) {
    throw new UsageError(
      `Cannot read checkpoint ${checkpoint.path}: its history ${history} cannot be read ` +
        `(${(error as Error).message})`,
    );
  }
  return { ...checkpoint, history: parseHistory(historyText, history, checkpoint.batch) };
}

/**
 * The training state of a loaded checkpoint for `layout`: every parameter and optimizer tensor
 * must be present with the shape the config gives it, or UsageError names the first that is not.
 */
export function checkpointState(layout: ParamLayout, checkpoint: LoadedCheckpoint): TrainingState {
  const source = `checkpoint ${checkpoint.path}`;
  const params = fromReferenceTensors(layout, checkpoint.tensors, "", source);
  const squareAverage = new Float32Array(layout.trainableSize);
  const momentumBuffer = new Float32Array(layout.trainableSize);
  const trainable = layout.entries.filter((entry) => entry.trainable);
  loadTensors(
    trainable,
    checkpoint.tensors,
    (entry) => squareAverageName(entry.name),
    squareAverage,
    source,
  );
  loadTensors(
    trainable,
    checkpoint.tensors,
    (entry) => momentumBufferName(entry.name),
    momentumBuffer,
    source,
  );
  return { params, squareAverage, momentumBuffer };
}
