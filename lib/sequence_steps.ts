/**
 * The phases of one sequence, shared by the CPU model, the GPU model and the tasks: the steps
 * fed the task's input, and the steps whose outputs are trained.
 *
 * Most tasks answer after they read (copy, recall, sort): the output phase starts where the input
 * ends and is fed zeros. A task that predicts as it reads (dynamic N-grams) trains outputs from
 * step 0, while the input still runs.
 *
 * @module
 */

/** The lengths of one sequence's phases. */
export interface SequenceSteps {
  /** T_in ≥ 1: the steps fed the task's input, from step 0 (the delimiter step included). */
  readonly inputSteps: number;
  /** T_out: the steps whose outputs are trained, from `outputStart`. */
  readonly outputSteps: number;
  /**
   * The first step whose output is trained: T_in when the answer follows the input, less (down to
   * 0) when outputs are trained while the input runs. Steps past T_in are fed zeros.
   */
  readonly outputStart: number;
}

/** The steps a sequence runs: `outputStart + T_out`. */
export function totalSteps(steps: SequenceSteps): number {
  return steps.outputStart + steps.outputSteps;
}

/**
 * Throws RangeError unless `steps` is a sequence a model can run: integers with T_in ≥ 1,
 * T_out ≥ 1 and `outputStart ≤ T_in ≤ outputStart + T_out` (no input step after the last trained
 * output). `action` names what needed them, as in `Cannot <action>: …`.
 */
export function checkSequenceSteps(steps: SequenceSteps, action: string): void {
  const { inputSteps, outputSteps, outputStart } = steps;
  if (outputStart === undefined) {
    throw new RangeError(
      `Cannot ${action}: the steps have no outputStart; give inputSteps (${inputSteps}) when the ` +
        "outputs follow the input, or 0 when they are trained from the first step",
    );
  }
  const named = `inputSteps ${inputSteps}, outputSteps ${outputSteps}, outputStart ${outputStart}`;
  if (![inputSteps, outputSteps, outputStart].every(Number.isInteger)) {
    throw new RangeError(`Cannot ${action}: the steps must be integers, got ${named}`);
  }
  if (inputSteps < 1 || outputSteps < 1) {
    throw new RangeError(
      `Cannot ${action}: it needs at least one input and one output step, got ${named}`,
    );
  }
  if (outputStart < 0 || outputStart > inputSteps || inputSteps > outputStart + outputSteps) {
    throw new RangeError(
      `Cannot ${action}: 0 ≤ outputStart ≤ inputSteps ≤ outputStart + outputSteps must hold, ` +
        `got ${named}`,
    );
  }
}
