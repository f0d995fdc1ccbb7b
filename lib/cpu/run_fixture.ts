/**
 * Runs a reference fixture's batch through the CPU model: forward, backward and two optimizer
 * steps on the same batch.
 *
 * @module
 */

import type { Fixture, FixtureRun } from "../verify/fixture.ts";
import { bceLoss, bceLossBackward } from "./loss.ts";
import { CpuNtm, type CpuNtmOptions } from "./ntm.ts";
import { rmspropStep } from "./rmsprop.ts";
import { totalSteps } from "../sequence_steps.ts";

/** The kernels a fixture run computes with, and where their arrays come from. */
export type FixtureKernels = Pick<CpuNtmOptions, "kernels" | "allocate">;

/**
 * Computes everything a fixture holds, on the CPU, in the given precision, with the plain
 * kernels unless told otherwise (the optimizer steps always use the plain `rmspropStep`).
 */
export function runFixtureCpu(
  fixture: Fixture,
  precision: "float32" | "float64" = "float32",
  kernels: FixtureKernels = {},
): FixtureRun {
  const { layout } = fixture;
  const model = new CpuNtm(layout, { capacity: totalSteps(fixture), precision, ...kernels });
  const params = model.allocate(layout.size);
  params.set(fixture.params);
  const input = model.allocate(fixture.input.length);
  input.set(fixture.input);
  const grads = model.allocate(layout.size);
  const dOutputs = model.allocate(fixture.target.length);
  const state = {
    squareAverage: model.allocate(layout.trainableSize),
    momentumBuffer: model.allocate(layout.trainableSize),
  };
  const gradientStep = () => {
    const outputs = model.forward(params, input, fixture);
    bceLossBackward(outputs, fixture.target, dOutputs);
    model.backward(params, dOutputs, grads);
    return outputs;
  };

  const output = gradientStep().slice();
  const loss = bceLoss(output, fixture.target);
  const weightings = layout.config.heads.map((_, k) => model.weightings(k).slice());
  const memoryFinal = model.finalMemory().slice();
  const firstGrads = grads.slice();
  rmspropStep(fixture.optimizer, params, grads, state, layout.trainableSize);
  const step1 = params.slice();
  gradientStep();
  rmspropStep(fixture.optimizer, params, grads, state, layout.trainableSize);
  return { output, loss, weightings, memoryFinal, grads: firstGrads, step1, step2: params.slice() };
}
