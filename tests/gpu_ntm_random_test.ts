import { bceLoss, bceLossBackward, bitCost } from "../lib/cpu/loss.ts";
import { CpuNtm } from "../lib/cpu/ntm.ts";
import { referenceRmsprop, rmspropStep } from "../lib/cpu/rmsprop.ts";
import type { HeadKind, NTMConfig } from "../lib/config.ts";
import { runKernels } from "../lib/gpu/context.ts";
import { GpuNtm } from "../lib/gpu/ntm/model.ts";
import { initParams, paramLayout } from "../lib/params.ts";
import { randomBit, randomInt } from "../lib/random.ts";
import { assertClose } from "./helpers/assert_close.ts";
import { createTestContext } from "./helpers/gpu_context.ts";
import { randomFloats } from "./helpers/random_floats.ts";

const context = await createTestContext();
const ignore = context === null;

/** NTM-SPEC: values within 1e-5 absolute, gradients within 1e-4 relative or 1e-6 absolute. */
const VALUE = { atol: 1e-5, rtol: 0 };
const GRADIENT = { atol: 1e-6, rtol: 1e-4 };
/** NTM-SPEC: optimizer steps within 1e-6 absolute. */
const STEP = { atol: 1e-6, rtol: 0 };
const OPTIMIZER = referenceRmsprop(1e-3);

/** A configuration and a batch drawn from `seed`: the shapes the fused kernels must handle. */
interface Case {
  readonly config: NTMConfig;
  readonly inputSteps: number;
  readonly outputSteps: number;
  /** Lanes per batch row of the fused kernels: 8 on llvmpipe, 128 or more on a real GPU. */
  readonly workgroupSize: number;
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
    inputSteps: draw(9, 1, 5),
    outputSteps: draw(10, 1, 5),
    workgroupSize: [8, 16, 32, 64, 128, 256, 8, 16, 32, 64][seed % 10],
    seed,
  };
}

function describe({ config, inputSteps, outputSteps, workgroupSize }: Case): string {
  return `heads [${config.heads}], L ${config.controllerLayers}, N ${config.memoryN}, ` +
    `M ${config.memoryM}, H ${config.controllerSize}, I ${config.inputs}, O ${config.outputs}, ` +
    `B ${config.batchSize}, T_in ${inputSteps}, T_out ${outputSteps}, ${workgroupSize} lanes`;
}

const CASES = Array.from({ length: 20 }, (_, index) => drawCase(100 + index));

Deno.test({
  name: "GpuNtm forward, loss, backward, gradients and RMSprop step match the CPU float32 " +
    "reference on 20 random configurations",
  ignore,
  async fn(t) {
    for (const testCase of CASES) {
      await t.step(describe(testCase), async () => {
        const { config, inputSteps, outputSteps, workgroupSize, seed } = testCase;
        const layout = paramLayout(config);
        const params = initParams(layout, seed);
        const steps = { inputSteps, outputSteps };
        const total = inputSteps + outputSteps;
        const { batchSize: B, inputs: I, outputs: O } = config;
        const input = randomFloats(seed, 3, inputSteps * B * I, 0, 1);
        const target = randomFloats(seed, 4, outputSteps * B * O, 0, 1).map(Math.round);
        const cpu = new CpuNtm(layout, { capacity: total });
        const expected = cpu.forward(params, input, steps);
        const dOutputs = new Float32Array(expected.length);
        bceLossBackward(expected, target, dOutputs);
        const grads = new Float32Array(layout.size);
        cpu.backward(params, dOutputs, grads);

        const gpu = await GpuNtm.create(context!, layout, {
          capacity: total + 1,
          workgroupSize,
          optimizer: OPTIMIZER,
        });
        try {
          gpu.writeParams(params);
          gpu.writeBatch({ input, target, ...steps, length: outputSteps });
          await runKernels(context!, gpu.trainingStep);
          const outputs = await gpu.readOutputs(inputSteps, outputSteps);
          assertClose(outputs, expected, VALUE, "outputs");
          const [record] = await gpu.readRecords(1);
          assertClose([record.loss], [bceLoss(expected, target)], VALUE, "loss");
          const cost = bitCost(outputs, target, B);
          assertClose([record.cost], [cost], { atol: 0, rtol: 1e-6 }, "cost of the GPU's outputs");
          for (let k = 0; k < config.heads.length; k++) {
            assertClose(await gpu.readWeightings(k, total), cpu.weightings(k), VALUE, `w.${k}`);
          }
          assertClose(await gpu.readFinalMemory(total), cpu.finalMemory(), VALUE, "memory_final");
          const gpuGrads = await gpu.readGrads();
          for (const entry of layout.entries.filter((entry) => entry.trainable)) {
            const slice = (store: Float32Array) =>
              store.subarray(entry.offset, entry.offset + entry.size);
            assertClose(slice(gpuGrads), slice(grads), GRADIENT, `grad.${entry.name}`);
          }
          // The optimizer step against rmspropStep on the GPU's own gradients.
          const stepped = params.slice();
          const state = {
            squareAverage: new Float32Array(layout.trainableSize),
            momentumBuffer: new Float32Array(layout.trainableSize),
          };
          rmspropStep(OPTIMIZER, stepped, gpuGrads, state, layout.trainableSize);
          assertClose(await gpu.readParams(), stepped, STEP, "step1");
          const gpuState = await gpu.readOptimizerState();
          assertClose(gpuState.squareAverage, state.squareAverage, { atol: 0, rtol: 1e-6 }, "v");
          assertClose(gpuState.momentumBuffer, state.momentumBuffer, STEP, "momentum buffer");
        } finally {
          gpu.dispose();
        }
      });
    }
  },
});
