/**
 * What a task hands the trainer: one batch of sequences.
 *
 * @module
 */

/** One batch of a task: inputs, targets and the sequence lengths they share. */
export interface TaskBatch {
  /** Input steps, `[T_in, B, I]`; the output phase is fed zeros. */
  readonly input: Float32Array;
  /** Targets of the output phase, `[T_out, B, O]`. */
  readonly target: Float32Array;
  /** T_in. */
  readonly inputSteps: number;
  /** T_out. */
  readonly outputSteps: number;
  /** The sequence length T the training history records. */
  readonly length: number;
}
