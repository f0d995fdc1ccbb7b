/**
 * Runs a reference fixture's batch through the fused WebGPU NTM: forward, loss, backward and two
 * optimizer steps on the same batch, like `runFixtureCpu`. The update kernel stores the
 * gradients it applies, so the first training step yields both the gradients and step1.
 *
 * @module
 */

import { type GpuContext, runKernels } from "../context.ts";
import type { Fixture, FixtureRun } from "../../verify/fixture.ts";
import { totalSteps } from "../../sequence_steps.ts";
import { GpuNtm } from "./model.ts";

/** Computes everything a fixture holds, on the GPU, in float32. */
export async function runFixtureWebgpu(context: GpuContext, fixture: Fixture): Promise<FixtureRun> {
  const { layout, inputSteps, outputSteps, outputStart } = fixture;
  const steps = totalSteps(fixture);
  const model = await GpuNtm.create(context, layout, {
    capacity: steps,
    optimizer: fixture.optimizer,
  });
  try {
    model.writeParams(fixture.params);
    model.writeBatch({
      input: fixture.input,
      target: fixture.target,
      inputSteps,
      outputSteps,
      outputStart,
      length: outputSteps,
    });
    await runKernels(context, model.trainingStep);
    const output = await model.readOutputs(fixture);
    const [record] = await model.readRecords(1);
    const weightings = await Promise.all(
      layout.config.heads.map((_, k) => model.readWeightings(k, steps)),
    );
    const memoryFinal = await model.readFinalMemory(steps);
    const grads = await model.readGrads();
    const step1 = await model.readParams();
    await runKernels(context, model.trainingStep);
    const step2 = await model.readParams();
    return { output, loss: record.loss, weightings, memoryFinal, grads, step1, step2 };
  } finally {
    model.dispose();
  }
}
