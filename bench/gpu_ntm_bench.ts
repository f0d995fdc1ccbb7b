/**
 * The fused WebGPU NTM kernels against the CPU reference, at the copy task's shapes (H 100,
 * N 128, M 20, I 9, O 8, one read and one write head, batch 1) on one batch of 10 bit vectors:
 * 11 input steps and 10 output steps, S = 21.
 *
 * Work per sequence (FLOP counts multiply-adds as 2):
 * - forward: ~157 kFLOP per step (LSTM 4H×(I+M+H) matrix-vector product 103k, head layers 18k,
 *   content addressing and memory ~33k, output layer 2k), ~3.3 MFLOP; reads ~250 KB of weights
 *   per step and writes ~21 KB of tape per step.
 * - backward: ~175 kFLOP per step (the transposed products 121k, addressing and memory ~50k),
 *   ~3.7 MFLOP; reads the tape back and writes ~2k floats of gradient tape per step.
 * - training step: forward, loss, backward, then the update kernel: the weight gradients over
 *   the 21 rows, ~2.7 MFLOP, and RMSprop over 66k parameters (28 bytes each).
 *
 * Each GPU bench records 5 passes of a kernel (each as many dispatches as its step ranges: on
 * llvmpipe the loop limit splits S 21 into 2 forward and 2 backward dispatches; see
 * lib/gpu/ntm/step_ranges.ts), or 5 training steps, into one compute pass, submits and waits
 * (no readback): the time is for the 5, as the names say; each CPU baseline runs its twin 5
 * times. `deno bench -A bench/gpu_ntm_bench.ts`.
 *
 * @module
 */

import { bceLossBackward } from "../lib/cpu/loss.ts";
import { CpuNtm } from "../lib/cpu/ntm.ts";
import { referenceRmsprop, rmspropStep } from "../lib/cpu/rmsprop.ts";
import { resolveParams } from "../lib/cli/params.ts";
import {
  createGpuContext,
  type PreparedKernel,
  requestAdapter,
  runKernels,
} from "../lib/gpu/context.ts";
import { GpuNtm } from "../lib/gpu/ntm/model.ts";
import { initParams, paramLayout } from "../lib/params.ts";
import { randomBit } from "../lib/random.ts";
import { copyTask } from "../tasks/copy.ts";

const REPEATS = 5;
/** The copy task's default model: H 100, N 128, M 20, one read and one write head, batch 1. */
const config = copyTask.config(resolveParams(copyTask.params, []));
const length = 10;
const steps = { inputSteps: length + 1, outputSteps: length, outputStart: length + 1 };
const layout = paramLayout(config);
const params = initParams(layout, 10);
const optimizer = referenceRmsprop(1e-4);
const input = new Float32Array(steps.inputSteps * config.inputs);
for (let t = 0; t < length; t++) {
  for (let i = 0; i < 8; i++) input[t * config.inputs + i] = randomBit(10, 1, t * 8 + i);
}
input[length * config.inputs + 8] = 1;
const target = input.filter((_, index) => index < length * config.inputs && index % 9 < 8);

// The CPU reference: plain TypeScript kernels in float32.
const cpu = new CpuNtm(layout, { capacity: 2 * length + 1 });
const cpuParams = params.slice();
const grads = new Float32Array(layout.size);
const dOutputs = new Float32Array(target.length);
const state = {
  squareAverage: new Float32Array(layout.trainableSize),
  momentumBuffer: new Float32Array(layout.trainableSize),
};
function cpuStep(update: boolean) {
  const outputs = cpu.forward(cpuParams, input, steps);
  bceLossBackward(outputs, target, dOutputs);
  cpu.backward(cpuParams, dOutputs, grads);
  if (update) rmspropStep(optimizer, cpuParams, grads, state, layout.trainableSize);
}
cpuStep(false);

const context = (await requestAdapter()) ? await createGpuContext() : null;
const ignore = context === null;
const gpu = context
  ? await GpuNtm.create(context, layout, { capacity: 2 * length + 1, optimizer })
  : null;
if (gpu) {
  gpu.writeParams(params);
  gpu.writeBatch({ input, target, ...steps, length });
  await runKernels(context!, gpu.trainingStep);
}
const repeated = (kernels: () => PreparedKernel[]) =>
  Array.from({ length: REPEATS }, kernels).flat();

Deno.bench("cpu reference ×5", { group: "fused forward, copy task, S 21", baseline: true }, () => {
  for (let r = 0; r < REPEATS; r++) cpu.forward(cpuParams, input, steps);
});
Deno.bench("webgpu, 5 passes in one submit", {
  group: "fused forward, copy task, S 21",
  ignore,
}, async () => {
  await runKernels(context!, repeated(() => [gpu!.kernels.forward]));
});

Deno.bench("cpu reference ×5", { group: "fused backward, copy task, S 21", baseline: true }, () => {
  for (let r = 0; r < REPEATS; r++) cpu.backward(cpuParams, dOutputs, grads);
});
Deno.bench("webgpu, 5 passes in one submit", {
  group: "fused backward, copy task, S 21",
  ignore,
}, async () => {
  await runKernels(context!, repeated(() => [gpu!.kernels.backward]));
});

Deno.bench("cpu reference ×5", { group: "training step, copy task, S 21", baseline: true }, () => {
  for (let r = 0; r < REPEATS; r++) cpuStep(true);
});
Deno.bench("webgpu, 5 steps in one pass", {
  group: "training step, copy task, S 21",
  ignore,
}, async () => {
  await runKernels(context!, repeated(() => gpu!.trainingStep));
});
