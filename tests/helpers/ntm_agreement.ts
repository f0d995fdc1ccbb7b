/**
 * The assertion the fused GPU NTM's tests make: one training step of a `GpuNtm` on a batch
 * (forward, loss, backward, weight gradients and RMSprop) against the CPU float32 reference,
 * within the NTM-SPEC tolerances.
 *
 * @module
 */

import assert from "node:assert/strict";
import { bceLoss, bceLossBackward, bitCost } from "../../lib/cpu/loss.ts";
import { CpuNtm } from "../../lib/cpu/ntm.ts";
import { type RmspropSettings, rmspropStep } from "../../lib/cpu/rmsprop.ts";
import { runKernels } from "../../lib/gpu/context.ts";
import type { GpuNtm } from "../../lib/gpu/ntm/model.ts";
import type { ParamLayout } from "../../lib/params.ts";
import { type SequenceSteps, totalSteps } from "../../lib/sequence_steps.ts";
import type { BatchRecord } from "../../lib/train/backend.ts";
import { assertClose } from "./assert_close.ts";

/** NTM-SPEC: values within 1e-5 absolute, gradients within 1e-4 relative or 1e-6 absolute. */
const VALUE = { atol: 1e-5, rtol: 0 };
const GRADIENT = { atol: 1e-6, rtol: 1e-4 };
/** NTM-SPEC: optimizer steps within 1e-6 absolute. */
const STEP = { atol: 1e-6, rtol: 0 };

/** A batch with its lengths. */
export interface StepBatch extends SequenceSteps {
  /** `[T_in, B, I]`. */
  readonly input: Float32Array;
  /** `[T_out, B, O]`. */
  readonly target: Float32Array;
}

/**
 * Runs one training step of `gpu` (built for `layout` with `optimizer`, any state) from `params`
 * on `batch`, and asserts that outputs, loss, cost, weightings, final memory, gradients, the
 * updated parameters and the optimizer state match the CPU reference.
 */
export async function assertTrainingStepMatchesCpu(
  gpu: GpuNtm,
  layout: ParamLayout,
  params: Float32Array,
  batch: StepBatch,
  optimizer: RmspropSettings,
): Promise<void> {
  const { input, target, inputSteps, outputSteps, outputStart } = batch;
  const steps = { inputSteps, outputSteps, outputStart };
  const total = totalSteps(steps);
  const { config } = layout;
  const cpu = new CpuNtm(layout, { capacity: total });
  const expected = cpu.forward(params, input, steps);
  const dOutputs = new Float32Array(expected.length);
  bceLossBackward(expected, target, dOutputs);
  const grads = new Float32Array(layout.size);
  cpu.backward(params, dOutputs, grads);

  const trainable = layout.trainableSize;
  gpu.writeParams(params);
  gpu.writeOptimizerState(new Float32Array(trainable), new Float32Array(trainable));
  gpu.writeBatch({ input, target, ...steps, length: outputSteps });
  await runKernels(gpu.context, gpu.trainingStep);
  const outputs = await gpu.readOutputs(steps);
  assertClose(outputs, expected, VALUE, "outputs");
  const [record] = await gpu.readRecords(1);
  assertClose([record.loss], [bceLoss(expected, target)], VALUE, "loss");
  const cost = bitCost(outputs, target, config.batchSize);
  assertClose([record.cost], [cost], { atol: 0, rtol: 1e-6 }, "cost of the GPU's outputs");
  for (let k = 0; k < config.heads.length; k++) {
    assertClose(await gpu.readWeightings(k, total), cpu.weightings(k), VALUE, `w.${k}`);
  }
  assertClose(await gpu.readFinalMemory(total), cpu.finalMemory(), VALUE, "memory_final");
  const gpuGrads = await gpu.readGrads();
  for (const entry of layout.entries.filter((entry) => entry.trainable)) {
    const slice = (store: Float32Array) => store.subarray(entry.offset, entry.offset + entry.size);
    assertClose(slice(gpuGrads), slice(grads), GRADIENT, `grad.${entry.name}`);
  }
  // The optimizer step against rmspropStep on the GPU's own gradients.
  const stepped = params.slice();
  const state = {
    squareAverage: new Float32Array(trainable),
    momentumBuffer: new Float32Array(trainable),
  };
  rmspropStep(optimizer, stepped, gpuGrads, state, trainable);
  assertClose(await gpu.readParams(), stepped, STEP, "step1");
  const gpuState = await gpu.readOptimizerState();
  assertClose(gpuState.squareAverage, state.squareAverage, { atol: 0, rtol: 1e-6 }, "v");
  assertClose(gpuState.momentumBuffer, state.momentumBuffer, STEP, "momentum buffer");
}

/**
 * Asserts that two backends' records of the same batches agree: the same batch numbers and lengths,
 * and losses within 1e-4 (issue 3: the first 100 batches of CPU and WebGPU histories).
 */
export function assertLossHistoriesAgree(
  actual: readonly BatchRecord[],
  expected: readonly BatchRecord[],
): void {
  assert.deepEqual(actual.map((record) => record.batch), expected.map((record) => record.batch));
  assert.deepEqual(actual.map((record) => record.length), expected.map((record) => record.length));
  const worst = Math.max(...actual.map((record, i) => Math.abs(record.loss - expected[i].loss)));
  assert.ok(worst <= 1e-4, `loss histories differ by up to ${worst.toExponential(2)}`);
}
