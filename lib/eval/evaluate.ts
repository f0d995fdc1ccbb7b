/**
 * Evaluation: a trained NTM run forward on a task's batches, on the CPU reference, keeping what
 * the pictures show: the outputs and where every head attended at every step.
 *
 * @module
 */

import type { HeadKind, NTMConfig } from "../config.ts";
import { bceLoss, bitCost } from "../cpu/loss.ts";
import type { CpuNtm } from "../cpu/ntm.ts";
import { totalSteps } from "../sequence_steps.ts";
import type { TaskBatch } from "../train/task.ts";

/** Where one head attended over a whole sequence. */
export interface HeadWeighting {
  /** The head's kind. */
  readonly kind: HeadKind;
  /** Its position in the config's head list, from 0. */
  readonly index: number;
  /** Its final weighting `w` at every step, `[outputStart + T_out, B, N]`. */
  readonly weights: Float32Array;
}

/** One batch run forward with trained parameters, its outputs measured as training does. */
export interface Evaluation extends PredictionMeasures {
  /** The NTM that ran: its sizes give the arrays' shapes. */
  readonly config: NTMConfig;
  /** The batch: its inputs, targets and lengths. */
  readonly batch: TaskBatch;
  /** The network's trained outputs (the T_out steps from `outputStart`), `[T_out, B, O]`. */
  readonly outputs: Float32Array;
  /** One record per head, in the config's head order. */
  readonly weightings: readonly HeadWeighting[];
}

/** Predictions of a batch's targets, measured as training measures the network's outputs. */
export interface PredictionMeasures {
  /** Binary cross-entropy, the mean over every output element (nats). */
  readonly loss: number;
  /** Bit errors per sequence (predictions thresholded at 0.5). */
  readonly cost: number;
  /** Cross-entropy per sequence in bits: `loss · T_out · O / ln 2`. */
  readonly crossEntropyBits: number;
}

/** Measures `predictions` (`[T_out, B, O]`, in [0, 1]) of `batch`'s targets. */
export function measurePredictions(
  predictions: Float32Array,
  batch: TaskBatch,
  batchSize: number,
): PredictionMeasures {
  if (predictions.length !== batch.target.length) {
    throw new RangeError(
      `Cannot measure predictions: they hold ${predictions.length} values, the batch's targets ` +
        `${batch.target.length}`,
    );
  }
  const loss = bceLoss(predictions, batch.target);
  return {
    loss,
    cost: bitCost(predictions, batch.target, batchSize),
    crossEntropyBits: loss * (batch.target.length / batchSize) / Math.LN2,
  };
}

/**
 * Runs `batch` forward through `model` (a float32 CPU NTM, sized for the batch's steps) with
 * parameters `params` (a flat store, see `paramLayout`), and measures it as training does.
 *
 * @example Evaluate a fresh model on one copy-task batch of length 30
 * ```ts
 * const params = resolveParams(copyTask.params, ["sequence_min_len=30", "sequence_max_len=30"]);
 * const setup = trainingSetup(copyTask, params, 1);
 * const model = new CpuNtm(setup.layout, { capacity: setup.capacity });
 * const evaluation = evaluateBatch(model, setup.initial.params, setup.batch(1));
 * console.log(evaluation.cost); // bits wrong of the 240 in the sequence
 * ```
 */
export function evaluateBatch(
  model: CpuNtm,
  params: Float32Array,
  batch: TaskBatch,
): Evaluation {
  const { layout } = model;
  if (params.length !== layout.size) {
    throw new RangeError(
      `Cannot evaluate a batch: params hold ${params.length} values, the model needs ${layout.size}`,
    );
  }
  const { batchSize: B, memoryN: N } = layout.config;
  const steps = totalSteps(batch);
  const outputs = Float32Array.from(model.forward(params, batch.input, batch));
  return {
    config: layout.config,
    batch,
    outputs,
    ...measurePredictions(outputs, batch, B),
    weightings: model.tape.heads.map((head, index) => ({
      kind: layout.config.heads[index],
      index,
      weights: Float32Array.from(head.w.subarray(0, steps * B * N)),
    })),
  };
}
