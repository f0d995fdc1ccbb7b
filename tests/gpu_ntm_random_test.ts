import assert from "node:assert/strict";
import type { HeadKind, NTMConfig } from "../lib/config.ts";
import { referenceRmsprop } from "../lib/cpu/rmsprop.ts";
import { backwardLoops } from "../lib/gpu/ntm/loop_bounds.ts";
import { GpuNtm } from "../lib/gpu/ntm/model.ts";
import { ntmShape } from "../lib/gpu/ntm/shape.ts";
import { initParams, paramLayout } from "../lib/params.ts";
import { randomBit, randomInt } from "../lib/random.ts";
import { createTestContext } from "./helpers/gpu_context.ts";
import { assertTrainingStepMatchesCpu } from "./helpers/ntm_agreement.ts";
import { randomFloats } from "./helpers/random_floats.ts";

const context = await createTestContext();
const ignore = context === null;

const OPTIMIZER = referenceRmsprop(1e-3);

/** A configuration and a batch drawn from `seed`: the shapes the fused kernels must handle. */
interface Case {
  readonly config: NTMConfig;
  readonly inputSteps: number;
  readonly outputSteps: number;
  /** T_in in three cases of four; in every fourth, earlier, so outputs overlap the input. */
  readonly outputStart: number;
  /** Lanes per batch row of the fused kernels: 8 on llvmpipe, 128 or more on a real GPU. */
  readonly workgroupSize: number;
  /**
   * Steps per dispatch of the fused backward (the forward runs at least as many): 1 to 3, so
   * that every case crosses dispatches with its carried state.
   */
  readonly backwardSteps: number;
  readonly seed: number;
}

function drawCase(seed: number): Case {
  const draw = (index: number, low: number, high: number) => randomInt(seed, 1, index, low, high);
  const headCount = draw(0, 1, 4);
  const heads: HeadKind[] = Array.from(
    { length: headCount },
    (_, k) => randomBit(seed, 2, k) ? "write" : "read",
  );
  heads[draw(1, 0, headCount - 1)] = "read";
  const inputSteps = draw(9, 1, 5), outputSteps = draw(10, 1, 5);
  return {
    config: {
      inputs: draw(2, 1, 6),
      outputs: draw(3, 1, 6),
      controllerSize: draw(4, 3, 24),
      controllerLayers: draw(5, 1, 2),
      memoryN: draw(6, 3, 24),
      memoryM: draw(7, 2, 8),
      heads,
      batchSize: draw(8, 1, 4),
    },
    inputSteps,
    outputSteps,
    outputStart: seed % 4 === 0
      ? draw(11, Math.max(0, inputSteps - outputSteps), inputSteps - 1)
      : inputSteps,
    workgroupSize: [8, 16, 32, 64, 128, 256, 8, 16, 32, 64][seed % 10],
    backwardSteps: 1 + seed % 3,
    seed,
  };
}

function describe(testCase: Case): string {
  const { config, inputSteps, outputSteps, outputStart, workgroupSize, backwardSteps } = testCase;
  return `heads [${config.heads}], L ${config.controllerLayers}, N ${config.memoryN}, ` +
    `M ${config.memoryM}, H ${config.controllerSize}, I ${config.inputs}, O ${config.outputs}, ` +
    `B ${config.batchSize}, T_in ${inputSteps}, T_out ${outputSteps}, ` +
    `outputs from step ${outputStart}, ${workgroupSize} lanes, ` +
    `${backwardSteps}-step backward dispatches`;
}

const CASES = Array.from({ length: 20 }, (_, index) => drawCase(100 + index));

Deno.test({
  name: "GpuNtm forward, loss, backward, gradients and RMSprop step match the CPU float32 " +
    "reference on 20 random configurations",
  ignore,
  async fn(t) {
    for (const testCase of CASES) {
      await t.step(describe(testCase), async () => {
        const { config, inputSteps, outputSteps, outputStart, workgroupSize, backwardSteps, seed } =
          testCase;
        const layout = paramLayout(config);
        // Room for T_in + T_out steps (at least 3), more than the sequence's outputStart + T_out.
        const capacity = inputSteps + outputSteps + 1;
        const loops = backwardLoops(ntmShape(layout, capacity, workgroupSize));
        const { batchSize: B, inputs: I, outputs: O } = config;
        const batch = {
          input: randomFloats(seed, 3, inputSteps * B * I, 0, 1),
          target: randomFloats(seed, 4, outputSteps * B * O, 0, 1).map(Math.round),
          inputSteps,
          outputSteps,
          outputStart,
        };
        const gpu = await GpuNtm.create(context!, layout, {
          capacity,
          workgroupSize,
          loopBudget: loops.perDispatch + backwardSteps * loops.perStep,
          optimizer: OPTIMIZER,
        });
        try {
          assert.equal(gpu.stepsPerDispatch.backward, backwardSteps);
          await assertTrainingStepMatchesCpu(
            gpu,
            layout,
            initParams(layout, seed),
            batch,
            OPTIMIZER,
          );
        } finally {
          gpu.dispose();
        }
      });
    }
  },
});
