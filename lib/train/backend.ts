/**
 * What a training backend does, whichever device it runs on: train a run of batches drawn
 * from a task's generator, report their loss and cost, and hand over its state.
 *
 * @module
 */

import type { RmspropSettings } from "../cpu/rmsprop.ts";
import type { ParamLayout } from "../params.ts";
import type { TaskBatch, TwinLoops } from "./task.ts";

/** Parameters and optimizer state: everything a checkpoint needs to resume. */
export interface TrainingState {
  /** The full flat store (`layout.size`), buffers included. */
  readonly params: Float32Array;
  /** RMSprop running mean of squared gradients (`layout.trainableSize`). */
  readonly squareAverage: Float32Array;
  /** RMSprop momentum buffer (`layout.trainableSize`). */
  readonly momentumBuffer: Float32Array;
}

/** The outcome of one training batch. */
export interface BatchRecord {
  /** Batch number, from 1. */
  readonly batch: number;
  /** Mean BCE loss of the batch. */
  readonly loss: number;
  /** Bit errors per sequence. */
  readonly cost: number;
  /** The batch's sequence length T. */
  readonly length: number;
}

/** What a backend needs to train: shapes, optimizer, data and where to start. */
export interface TrainingSetup {
  /** The model's flat store layout (its config fixes every shape). */
  readonly layout: ParamLayout;
  /** The RMSprop settings every step uses. */
  readonly optimizer: RmspropSettings;
  /** Longest sequence (`outputStart + T_out` steps, `totalSteps`) the task generates. */
  readonly capacity: number;
  /** The run's seed; `batch` and a device data generator draw from it. */
  readonly seed: number;
  /** The task's data for a batch number: a pure function of the seed and the number. */
  readonly batch: (batchNumber: number) => TaskBatch;
  /** The state to start from (fresh initialisation or a checkpoint). */
  readonly initial: TrainingState;
  /**
   * The WGSL twin of `batch` for backends that generate data on the device. Backends that need
   * it say so.
   */
  readonly deviceData?: DeviceData;
}

/** A task's WGSL data twin, ready to build: its source, constants and loops. */
export interface DeviceData {
  /** The task's `task_steps`, `task_input` and `task_target` functions (shaders/tasks/). */
  readonly source: string;
  /** The values of their `override` constants: BATCH, INPUTS, OUTPUTS and the task's own. */
  readonly constants: Readonly<Record<string, number>>;
  /** The loop iterations of one call of `task_input` and of `task_target`. */
  readonly loops: TwinLoops;
}

/** A device that trains. */
export interface TrainingBackend {
  /** `cpu` or `webgpu`. */
  readonly name: string;
  /** One line for the start-up banner: the device and how it computes. */
  readonly description: string;
  /**
   * Trains batch numbers `first … first + count - 1` in order and resolves with their records.
   * `onProgress(done)` is called as batches complete, for progress bars.
   */
  train(
    first: number,
    count: number,
    onProgress?: (done: number) => void,
  ): Promise<BatchRecord[]>;
  /** A copy of the current parameters and optimizer state. */
  readState(): Promise<TrainingState>;
  /** Frees what the backend holds. */
  dispose(): void;
}

/** A fresh optimizer state for a store: zeros. */
export function freshState(layout: ParamLayout, params: Float32Array): TrainingState {
  return {
    params,
    squareAverage: new Float32Array(layout.trainableSize),
    momentumBuffer: new Float32Array(layout.trainableSize),
  };
}
