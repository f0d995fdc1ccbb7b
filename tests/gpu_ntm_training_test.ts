import assert from "node:assert/strict";
import { resolveParams } from "../lib/cli/params.ts";
import { type NTMConfig, UsageError } from "../lib/config.ts";
import { CpuBackend } from "../lib/cpu/backend.ts";
import { referenceRmsprop } from "../lib/cpu/rmsprop.ts";
import { GpuBackend } from "../lib/gpu/backend.ts";
import { createGpuContext, GpuKernelError, readFloats, runKernels } from "../lib/gpu/context.ts";
import { GpuNtm } from "../lib/gpu/ntm/model.ts";
import { paramTextureSize, readParamTexture } from "../lib/gpu/ntm/param_texture.ts";
import { isWeightMatrix } from "../lib/gpu/ntm/param_layout.ts";
import { checkDeviceLimits, ntmShape } from "../lib/gpu/ntm/shape.ts";
import { initParams, MAX_STORE_SIZE, paramLayout } from "../lib/params.ts";
import { randomBit } from "../lib/random.ts";
import type { TrainingSetup } from "../lib/train/backend.ts";
import { trainingSetup } from "../lib/train/task.ts";
import { copyTask } from "../tasks/copy.ts";
import { dynamicNgramsTask } from "../tasks/dynamic_ngrams.ts";
import { createTestContext } from "./helpers/gpu_context.ts";
import { assertLossHistoriesAgree } from "./helpers/ntm_agreement.ts";

const context = await createTestContext();
const ignore = context === null;

/** The copy task at a size llvmpipe trains quickly, with any other params. */
function copySetup(seed: number, ...assignments: string[]): TrainingSetup {
  const params = resolveParams(copyTask.params, [
    "controller_size=16",
    "memory_n=16",
    "memory_m=8",
    "sequence_max_len=5",
    ...assignments,
  ]);
  return trainingSetup(copyTask, params, seed);
}

Deno.test({
  name: "GpuBackend and CpuBackend give the same loss history over the first 100 batches",
  ignore,
  async fn() {
    const setup = copySetup(21);
    const cpu = new CpuBackend(setup);
    // Small record capacity and submits: several rounds and chunks per train call.
    const gpu = await GpuBackend.create(context!, setup, {
      recordCapacity: 16,
      batchesPerSubmit: 7,
    });
    try {
      const expected = await cpu.train(1, 100);
      const progress: number[] = [];
      const actual = [
        ...await gpu.train(1, 40, (done) => progress.push(done)),
        ...await gpu.train(41, 60),
      ];
      assert.deepEqual(progress, [7, 14, 16, 23, 30, 32, 39, 40]);
      assertLossHistoriesAgree(actual, expected);
      const state = await gpu.readState();
      assert.equal(state.params.length, setup.layout.size);
      assert.equal(state.squareAverage.length, setup.layout.trainableSize);
      assert.ok(state.momentumBuffer.some((value) => value !== 0), "the optimizer state moved");
    } finally {
      gpu.dispose();
      cpu.dispose();
    }
  },
});

Deno.test({
  name: "GpuBackend follows a learning-rate schedule batch by batch, as the CPU does",
  ignore,
  async fn() {
    // A large rate after batch 4, then a small one after 8: ignoring either switch would part
    // the histories by far more than the tolerance (checked below against the unscheduled run).
    const schedule = "rmsprop_lr_schedule=4:3e-2,8:1e-5";
    const cpu = new CpuBackend(copySetup(8, schedule));
    const gpu = await GpuBackend.create(context!, copySetup(8, schedule), { batchesPerSubmit: 3 });
    const unscheduled = await GpuBackend.create(context!, copySetup(8));
    try {
      const expected = await cpu.train(1, 12);
      const actual = [...await gpu.train(1, 6), ...await gpu.train(7, 6)];
      assertLossHistoriesAgree(actual, expected);
      const plain = await unscheduled.train(1, 12);
      assert.ok(Math.abs(plain[5].loss - actual[5].loss) > 1e-3, "the schedule changed training");
    } finally {
      gpu.dispose();
      unscheduled.dispose();
      cpu.dispose();
    }
  },
});

Deno.test({
  name: "GpuBackend trains dynamic N-grams (outputs from step 0) with the CPU's loss history",
  ignore,
  async fn() {
    const params = resolveParams(dynamicNgramsTask.params, [
      "controller_size=8",
      "memory_n=8",
      "memory_m=4",
      "sequence_len=12",
      "ngram=3",
      "batch_size=2",
    ]);
    const setup = trainingSetup(dynamicNgramsTask, params, 4);
    const cpu = new CpuBackend(setup);
    const gpu = await GpuBackend.create(context!, setup, { batchesPerSubmit: 5 });
    try {
      const expected = await cpu.train(1, 20);
      const actual = await gpu.train(1, 20);
      assert.deepEqual(expected.map((record) => record.length), expected.map(() => 12));
      assertLossHistoriesAgree(actual, expected);
    } finally {
      gpu.dispose();
      cpu.dispose();
    }
  },
});

Deno.test({
  name: "GpuBackend.create's warm-up step leaves the initial state and the first batch as set",
  ignore,
  async fn() {
    const setup = copySetup(5);
    const gpu = await GpuBackend.create(context!, setup);
    const cpu = new CpuBackend(setup);
    try {
      const state = await gpu.readState();
      assert.deepEqual(state.params, setup.initial.params);
      assert.deepEqual(state.squareAverage, setup.initial.squareAverage);
      assert.deepEqual(state.momentumBuffer, setup.initial.momentumBuffer);
      const [actual] = await gpu.train(1, 1);
      const [expected] = await cpu.train(1, 1);
      assert.equal(actual.batch, 1);
      assert.equal(actual.length, expected.length);
      assert.ok(
        Math.abs(actual.loss - expected.loss) <= 1e-6 + 1e-5 * Math.abs(expected.loss),
        `first loss ${actual.loss} against the CPU's ${expected.loss}`,
      );
    } finally {
      gpu.dispose();
      cpu.dispose();
    }
  },
});

const small: NTMConfig = {
  inputs: 3,
  outputs: 2,
  controllerSize: 8,
  controllerLayers: 1,
  memoryN: 8,
  memoryM: 4,
  heads: ["read", "write"],
  batchSize: 2,
};

Deno.test({
  name: "GpuNtm and GpuBackend reject shapes and inputs they cannot run, with clear errors",
  ignore,
  async fn(t) {
    const limits = context!.device.limits;
    await t.step("workgroup memory too small", () => {
      const huge = { ...small, controllerSize: limits.maxComputeWorkgroupStorageSize / 8 };
      assert.throws(
        () => checkDeviceLimits(ntmShape(paramLayout(huge), 4, 8), limits),
        (error: Error) =>
          error instanceof UsageError && /bytes of workgroup memory/.test(error.message),
      );
    });
    await t.step("tape larger than a storage binding", () => {
      const long = ntmShape(paramLayout({ ...small, batchSize: 64, memoryN: 1000 }), 100_000, 8);
      assert.throws(
        () => checkDeviceLimits(long, limits),
        (error: Error) => error instanceof UsageError && /its tape needs/.test(error.message),
      );
    });
    await t.step("capacity and workgroup size", () => {
      assert.throws(() => ntmShape(paramLayout(small), 0, 8), UsageError);
      assert.throws(() => ntmShape(paramLayout(small), 4, 0), UsageError);
      const wide = ntmShape(paramLayout(small), 4, limits.maxComputeInvocationsPerWorkgroup + 1);
      assert.throws(() => checkDeviceLimits(wide, limits), /invocations per workgroup/);
    });
    await t.step("parameters too many for the device's textures", () => {
      // The largest store (MAX_STORE_SIZE floats) fits 8192×8192 texels, the least width WebGPU
      // promises; so a device that offers less.
      const shape = ntmShape(paramLayout({ ...small, controllerSize: 100 }), 4, 8);
      assert.deepEqual(shape.paramTexture, { width: 128, height: 93 });
      const narrow = {
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxTextureDimension2D: 64,
      } as GPUSupportedLimits;
      assert.throws(
        () => checkDeviceLimits(shape, narrow),
        (error: Error) =>
          error instanceof UsageError &&
          /parameters need a 128×93 texture, the device's textures are at most 64 wide/
            .test(error.message),
      );
      checkDeviceLimits(shape, limits);
    });
    await t.step("more heads than the write mask holds", () => {
      const heads = Array.from({ length: 32 }, () => "read" as const);
      assert.throws(() => ntmShape(paramLayout({ ...small, heads }), 4, 8), /at most 31 heads/);
    });
    await t.step("batches that do not fit the model", async () => {
      const model = await GpuNtm.create(context!, paramLayout(small), {
        capacity: 4,
        optimizer: referenceRmsprop(1e-4),
      });
      try {
        const batch = (inputSteps: number, outputSteps: number) => ({
          input: new Float32Array(inputSteps * 2 * 3),
          target: new Float32Array(outputSteps * 2 * 2),
          inputSteps,
          outputSteps,
          outputStart: inputSteps,
          length: outputSteps,
        });
        assert.throws(() => model.writeBatch(batch(3, 2)), /holds at most 4/);
        assert.throws(
          () => model.writeBatch(batch(2, 0)),
          /^RangeError: Cannot upload a batch: it needs at least one input and one output step, got inputSteps 2, outputSteps 0, outputStart 2$/,
        );
        assert.throws(
          () => model.writeBatch(batch(0, 2)),
          /at least one input and one output step, got inputSteps 0,/,
        );
        assert.throws(
          () => model.writeBatch({ ...batch(3, 1), outputStart: 1 }),
          /outputStart ≤ inputSteps ≤ outputStart \+ outputSteps must hold, got inputSteps 3, outputSteps 1, outputStart 1/,
        );
        assert.throws(
          () => model.writeBatch({ ...batch(2, 2), input: new Float32Array(5) }),
          /input holds 5 values, \[2, 2, 3\] needs 12/,
        );
      } finally {
        model.dispose();
      }
    });
    await t.step("a task without a WGSL data twin", async () => {
      const { deviceData: _, ...setup } = copySetup(1);
      await assert.rejects(GpuBackend.create(context!, setup), /no WGSL twin/);
    });
  },
});

Deno.test("paramTextureSize: the narrowest power-of-two width from 64 whose square holds the store", () => {
  assert.deepEqual(paramTextureSize(0), { width: 64, height: 1 });
  assert.deepEqual(paramTextureSize(1), { width: 64, height: 1 });
  assert.deepEqual(paramTextureSize(4 * 4096), { width: 64, height: 64 });
  assert.deepEqual(paramTextureSize(4 * 4096 + 1), { width: 128, height: 33 });
  assert.deepEqual(paramTextureSize(MAX_STORE_SIZE), { width: 8192, height: 8192 });
});

Deno.test({
  name: "GpuNtm's parameter texture holds the uploaded store and the updated weight matrices",
  ignore,
  async fn() {
    // Odd sizes: rows and biases that do not fill whole quads, layers whose biases start inside
    // one.
    const config: NTMConfig = {
      ...small,
      controllerSize: 7,
      controllerLayers: 2,
      memoryM: 5,
      outputs: 3,
    };
    const layout = paramLayout(config);
    const model = await GpuNtm.create(context!, layout, {
      capacity: 6,
      optimizer: referenceRmsprop(1e-2),
    });
    try {
      const { size } = model.shape.params;
      const texture = () => readParamTexture(context!, model.buffers.paramTexture, size);
      const buffer = () => readFloats(context!, model.buffers.params, 0, size);
      const initial = initParams(layout, 3);
      model.writeParams(initial);
      const uploaded = await buffer();
      assert.deepEqual(await texture(), uploaded);
      const bits = (stream: number, count: number) =>
        Float32Array.from({ length: count }, (_, index) => randomBit(4, stream, index));
      model.writeBatch({
        input: bits(1, 3 * 2 * config.inputs),
        target: bits(2, 3 * 2 * config.outputs),
        inputSteps: 3,
        outputSteps: 3,
        outputStart: 3,
        length: 3,
      });
      await runKernels(context!, [...model.trainingStep, ...model.trainingStep]);
      const updated = await buffer();
      const mirrored = await texture();
      const matrices = model.shape.params.tensors.filter((tensor) => isWeightMatrix(tensor.entry));
      assert.equal(matrices.length, 2 * 2 + config.heads.length + 1);
      for (const { entry, offset, size: floats } of matrices) {
        const weights = updated.subarray(offset, offset + floats);
        const moved = weights.filter((value, i) => value !== uploaded[offset + i]).length;
        assert.ok(moved > floats / 2, `only ${moved} of ${entry.name}'s ${floats} floats moved`);
        assert.deepEqual(mirrored.subarray(offset, offset + floats), weights, entry.name);
      }
    } finally {
      model.dispose();
    }
  },
});

Deno.test({
  name:
    "GpuBackend.train reports a device lost mid-round as a GpuKernelError naming the training kernels",
  ignore,
  async fn() {
    // A context of its own: losing the shared one would fail the other tests of this file.
    const lossy = await createGpuContext();
    const gpu = await GpuBackend.create(lossy, copySetup(3), { batchesPerSubmit: 4 });
    let destroyed = false;
    await assert.rejects(
      gpu.train(1, 64, () => {
        if (!destroyed) lossy.device.destroy();
        destroyed = true;
      }),
      (error: Error) =>
        error instanceof GpuKernelError && error === lossy.lost &&
        /^WebGPU kernel "ntm task data \w+, ntm forward, .*ntm update" failed: device lost/.test(
          error.message,
        ),
    );
  },
});
