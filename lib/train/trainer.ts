/**
 * The training loop, the same for every backend: trains in chunks of about a second that
 * end at report and checkpoint boundaries (a stop request is polled between them), keeps the
 * per-batch history, prints reports, appends metrics and writes checkpoints.
 *
 * @module
 */

import {
  type Checkpoint,
  type CheckpointInfo,
  type TrainingHistory,
  writeCheckpoint,
} from "../io/checkpoint.ts";
import type { ParamLayout } from "../params.ts";
import type { TrainingBackend } from "./backend.ts";

/** The mean figures of one report window. */
export interface TrainingReport {
  /** The last batch of the window. */
  readonly batch: number;
  /** Mean BCE loss over the window. */
  readonly loss: number;
  /** Mean bit errors per sequence over the window. */
  readonly cost: number;
  /** Training time per sequence (time inside the backend, divided by batches × batch size). */
  readonly msPerSequence: number;
  /** Seconds since the trainer started. */
  readonly elapsedSeconds: number;
}

/** Where and how the trainer writes checkpoints. */
export interface CheckpointTarget {
  /** The existing, writable folder the files go to. */
  readonly directory: string;
  /** The layout that names and shapes the tensors written. */
  readonly layout: ParamLayout;
  /** The run's task, params, seed and backend (the batch is filled in per checkpoint). */
  readonly info: Omit<CheckpointInfo, "batch">;
}

/** A progress display between reports. */
export interface ProgressDisplay {
  /** Batch `batch` completed; `fraction` of the current report window is done. */
  update(batch: number, fraction: number): void;
  /** Removes the display before a line is printed. */
  clear(): void;
}

/** Everything `train` needs. */
export interface TrainerOptions {
  /** The device that trains; its state must be the one after batch `completed`. */
  readonly backend: TrainingBackend;
  /** Sequences per batch, for the time per sequence. */
  readonly batchSize: number;
  /** Batches already trained (0, or a checkpoint's batch); training starts at the next one. */
  readonly completed: number;
  /** The last batch number to train. */
  readonly numBatches: number;
  /** The history of the completed batches (empty, or a checkpoint's). */
  readonly history: TrainingHistory;
  /** A report every this many batches, and at the last batch. */
  readonly reportInterval: number;
  /** A checkpoint every this many batches and at the last batch; 0 writes none. */
  readonly checkpointInterval: number;
  /** Where checkpoints go; needed when `checkpointInterval` > 0. */
  readonly checkpoints?: CheckpointTarget;
  /**
   * A file that gets one JSON line per report. If an append fails, the trainer prints why and
   * trains on without it.
   */
  readonly metricsFile?: string;
  /** Prints one line (reports, checkpoint notes). */
  readonly print: (line: string) => void;
  /** Shown between reports and cleared before each printed line; none when absent. */
  readonly progress?: ProgressDisplay;
  /** Polled between chunks; when true the trainer checkpoints what it completed and stops. */
  readonly stopRequested?: () => boolean;
  /**
   * The time one chunk of training aims at, so that a stop request waits about this long, or one
   * batch if that takes longer: default 1 s. The first chunk's limit is one batch; each later
   * limit comes from the time per batch of the last chunk that ran to its limit (or took too
   * long), and is at most four times the limit before. Infinity trains from boundary to boundary.
   */
  readonly chunkSeconds?: number;
  /** The clock, in milliseconds: `performance.now` by default. */
  readonly now?: () => number;
}

/** How a run ended. */
export interface TrainingOutcome {
  /** Batches completed. */
  readonly completed: number;
  /** The history of every batch completed, including those before a resume. */
  readonly history: TrainingHistory;
  /** True when `stopRequested` ended the run early. */
  readonly interrupted: boolean;
  /** Every checkpoint written, in order. */
  readonly checkpointPaths: readonly string[];
}

/** The report line, as the reference prints it. */
export function formatReport(report: TrainingReport): string {
  const ms = report.msPerSequence;
  const time = ms >= 10 ? ms.toFixed(0) : ms.toFixed(2);
  return `Batch ${report.batch} Loss: ${report.loss.toFixed(6)} Cost: ${
    report.cost.toFixed(2)
  } Time: ${time} ms/sequence`;
}

/** The metrics-file line of a report. */
export function metricsLine(report: TrainingReport): string {
  return JSON.stringify({
    batch: report.batch,
    loss: report.loss,
    cost: report.cost,
    ms_per_seq: report.msPerSequence,
    seq_per_s: 1000 / report.msPerSequence,
    elapsed_s: report.elapsedSeconds,
  }) + "\n";
}

/** The default `chunkSeconds`: Ctrl-C stops a run within about a second. */
export const DEFAULT_CHUNK_SECONDS = 1;

const nextMultiple = (value: number, interval: number) =>
  (Math.floor(value / interval) + 1) * interval;

const mean = (values: readonly number[]) =>
  values.reduce((sum, value) => sum + value, 0) / values.length;

/** Trains batches `completed + 1 … numBatches`, or until a stop is requested. */
export async function train(options: TrainerOptions): Promise<TrainingOutcome> {
  const { backend, numBatches, reportInterval, checkpointInterval } = options;
  if (!(Number.isInteger(reportInterval) && reportInterval >= 1)) {
    throw new RangeError(`Cannot train: report interval must be a positive integer`);
  }
  if (checkpointInterval > 0 && !options.checkpoints) {
    throw new RangeError(`Cannot train: checkpoints are enabled but have no target`);
  }
  const now = options.now ?? (() => performance.now());
  const chunkMs = 1000 * (options.chunkSeconds ?? DEFAULT_CHUNK_SECONDS);
  if (!(chunkMs > 0)) {
    throw new RangeError(`Cannot train: chunk seconds must be positive, got ${chunkMs / 1000}`);
  }
  const started = now();
  const history = {
    loss: [...options.history.loss],
    cost: [...options.history.cost],
    seq_lengths: [...options.history.seq_lengths],
  };
  const checkpointPaths: string[] = [];
  let completed = options.completed;
  let windowBatches = 0;
  let windowMs = 0;
  let checkpointed = completed;
  let chunkLimit = Number.isFinite(chunkMs) ? 1 : Infinity;
  let metricsFile = options.metricsFile;

  const saveCheckpoint = async () => {
    const target = options.checkpoints!;
    const checkpoint: Checkpoint = {
      ...target.info,
      batch: completed,
      state: await backend.readState(),
      history,
    };
    const path = await writeCheckpoint(target.directory, target.layout, checkpoint);
    checkpointPaths.push(path);
    checkpointed = completed;
    options.progress?.clear();
    options.print(`Saved checkpoint ${path}`);
  };

  while (completed < numBatches && !options.stopRequested?.()) {
    let end = Math.min(numBatches, nextMultiple(completed, reportInterval));
    if (checkpointInterval > 0) end = Math.min(end, nextMultiple(completed, checkpointInterval));
    end = Math.min(end, completed + chunkLimit);
    const first = completed + 1;
    const windowStart = Math.floor(completed / reportInterval) * reportInterval;
    const windowSize = Math.min(reportInterval, numBatches - windowStart);
    const chunkStart = now();
    const records = await backend.train(first, end - completed, (done) => {
      options.progress?.update(completed + done, (completed + done - windowStart) / windowSize);
    });
    const chunkTime = now() - chunkStart;
    windowMs += chunkTime;
    // A chunk cut short by a boundary carries the call's fixed cost on fewer batches: it only
    // lowers the limit when it took too long.
    if (records.length === chunkLimit || chunkTime > chunkMs) {
      const fitting = Math.floor(chunkMs / (chunkTime / records.length));
      if (!Number.isNaN(fitting)) chunkLimit = Math.max(1, Math.min(4 * chunkLimit, fitting));
    }
    for (const record of records) {
      history.loss.push(record.loss);
      history.cost.push(record.cost);
      history.seq_lengths.push(record.length);
    }
    windowBatches += records.length;
    completed = end;
    // A backend that computes synchronously never yields; give signal handlers (Ctrl-C) a turn.
    await new Promise((resolve) => setTimeout(resolve, 0));

    if (completed % reportInterval === 0 || completed === numBatches) {
      // The window's batches, from the history (a resumed run includes those trained before).
      const from = Math.ceil(completed / reportInterval) * reportInterval - reportInterval;
      const report: TrainingReport = {
        batch: completed,
        loss: mean(history.loss.slice(from, completed)),
        cost: mean(history.cost.slice(from, completed)),
        msPerSequence: windowMs / (windowBatches * options.batchSize),
        elapsedSeconds: (now() - started) / 1000,
      };
      options.progress?.clear();
      options.print(formatReport(report));
      if (metricsFile !== undefined) {
        try {
          await Deno.writeTextFile(metricsFile, metricsLine(report), { append: true });
        } catch (error) {
          // Training goes on: losing the metrics is better than losing the run.
          options.print(
            `Cannot append to metrics file ${metricsFile}: ${(error as Error).message}; ` +
              "training goes on without it",
          );
          metricsFile = undefined;
        }
      }
      windowBatches = 0;
      windowMs = 0;
    }
    if (
      checkpointInterval > 0 && (completed % checkpointInterval === 0 || completed === numBatches)
    ) {
      await saveCheckpoint();
    }
  }
  const interrupted = completed < numBatches;
  if (interrupted && checkpointInterval > 0 && checkpointed < completed) await saveCheckpoint();
  options.progress?.clear();
  return { completed, history, interrupted, checkpointPaths };
}
