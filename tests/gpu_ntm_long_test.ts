import assert from "node:assert/strict";
import { resolveParams } from "../lib/cli/params.ts";
import { type NTMConfig, UsageError } from "../lib/config.ts";
import { CpuBackend } from "../lib/cpu/backend.ts";
import { referenceRmsprop } from "../lib/cpu/rmsprop.ts";
import { GpuBackend } from "../lib/gpu/backend.ts";
import { loopIterationLimit, SOFTWARE_LOOP_ITERATION_LIMIT } from "../lib/gpu/context.ts";
import { backwardLoops, forwardLoops } from "../lib/gpu/ntm/loop_bounds.ts";
import { fittingWorkgroupSize, GpuNtm, type GpuNtmOptions } from "../lib/gpu/ntm/model.ts";
import { ntmShape } from "../lib/gpu/ntm/shape.ts";
import { stepFits } from "../lib/gpu/ntm/step_ranges.ts";
import { initParams, type ParamLayout, paramLayout } from "../lib/params.ts";
import { generateBatch, trainingSetup } from "../lib/train/task.ts";
import { copyElements, copyTask } from "../tasks/copy.ts";
import { createTestContext } from "./helpers/gpu_context.ts";
import { assertLossHistoriesAgree, assertTrainingStepMatchesCpu } from "./helpers/ntm_agreement.ts";
import { randomFloats } from "./helpers/random_floats.ts";

const context = await createTestContext();
const ignore = context === null;

const OPTIMIZER = referenceRmsprop(1e-4);

/** The copy task's default params with `overrides` (`name=value`). */
function copyParams(...overrides: string[]) {
  return resolveParams(copyTask.params, overrides);
}

/** Runs one training step of a model for `layout` on `batch` and checks it against the CPU. */
async function checkStep(
  layout: ParamLayout,
  batch: Parameters<typeof assertTrainingStepMatchesCpu>[3],
  options: Omit<GpuNtmOptions, "optimizer">,
): Promise<GpuNtm["stepsPerDispatch"]> {
  const gpu = await GpuNtm.create(context!, layout, { ...options, optimizer: OPTIMIZER });
  try {
    await assertTrainingStepMatchesCpu(gpu, layout, initParams(layout, 5), batch, OPTIMIZER);
    return gpu.stepsPerDispatch;
  } finally {
    gpu.dispose();
  }
}

Deno.test({
  name: "GpuNtm matches the CPU reference on a 41-step copy sequence at the copy task's size",
  ignore,
  async fn(t) {
    for (const batchSize of [1, 2]) {
      const params = copyParams(`batch_size=${batchSize}`, "sequence_min_len=20");
      const layout = paramLayout(copyTask.config(params));
      const batch = generateBatch(copyElements(params), 3, 1);
      assert.equal(batch.inputSteps + batch.outputSteps, 41);
      const capacity = copyTask.capacity(params);
      await t.step(`batch ${batchSize}, default loop budget`, async () => {
        const steps = await checkStep(layout, batch, { capacity });
        if (context!.isSoftware) assert.ok(steps.backward < 41, "several dispatches");
      });
    }
    await t.step("batch 4, heads write, read, read, 2 layers, default loop budget", async () => {
      const params = copyParams(
        "batch_size=4",
        "sequence_min_len=20",
        "controller_layers=2",
        "controller_size=32",
        "memory_n=32",
        "heads=write,read,read",
      );
      const layout = paramLayout(copyTask.config(params));
      const batch = generateBatch(copyElements(params), 6, 1);
      assert.equal(batch.inputSteps + batch.outputSteps, 41);
      const steps = await checkStep(layout, batch, { capacity: copyTask.capacity(params) });
      if (context!.isSoftware) assert.ok(steps.backward < 41, "several dispatches");
    });
    await t.step("batch 1, the whole loop limit as the budget (the bounds hold)", async () => {
      const params = copyParams("sequence_min_len=20");
      const layout = paramLayout(copyTask.config(params));
      const steps = await checkStep(layout, generateBatch(copyElements(params), 3, 1), {
        capacity: copyTask.capacity(params),
        loopBudget: SOFTWARE_LOOP_ITERATION_LIMIT,
      });
      if (context!.isSoftware) {
        const shape = ntmShape(layout, 41, 8);
        const most = (loops: { perDispatch: number; perStep: number }) =>
          Math.floor((SOFTWARE_LOOP_ITERATION_LIMIT - loops.perDispatch) / loops.perStep);
        assert.deepEqual(steps, {
          forward: most(forwardLoops(shape)),
          backward: most(backwardLoops(shape)),
        });
      }
    });
  },
});

/** A small model whose sequences of 301 steps run far past the loop limit in one dispatch. */
const small: NTMConfig = {
  inputs: 9,
  outputs: 8,
  controllerSize: 16,
  controllerLayers: 1,
  memoryN: 256,
  memoryM: 8,
  heads: ["read", "write"],
  batchSize: 1,
};

Deno.test({
  name: "GpuNtm splits a sequence far past the loop limit between dispatches and matches the CPU",
  ignore,
  async fn(t) {
    const params = copyParams("sequence_min_len=150", "sequence_max_len=150");
    const layout = paramLayout(small);
    const batch = generateBatch(copyElements(params), 4, 1);
    const total = batch.inputSteps + batch.outputSteps;
    const shape = ntmShape(layout, total, 8);
    for (const loops of [forwardLoops(shape), backwardLoops(shape)]) {
      assert.ok(loops.perDispatch + total * loops.perStep > 3 * SOFTWARE_LOOP_ITERATION_LIMIT);
    }
    await t.step("default loop budget", async () => {
      const steps = await checkStep(layout, batch, { capacity: total, workgroupSize: 8 });
      if (context!.isSoftware) assert.ok(steps.forward < total / 2 && steps.backward < total / 3);
    });
    await t.step("the whole loop limit as the budget", async () => {
      await checkStep(layout, batch, {
        capacity: total,
        workgroupSize: 8,
        loopBudget: SOFTWARE_LOOP_ITERATION_LIMIT,
      });
    });
  },
});

Deno.test({
  name: "The loop bounds hold for split sums: 32 lanes over one column quad, the whole limit as " +
    "the budget",
  ignore,
  async fn() {
    // One memory quad (M 4) over 128 rows and a controller of 2 quads: with 32 lanes every
    // split sum has many slices; a write head's erase and add gradients take two split sums.
    const config: NTMConfig = {
      inputs: 3,
      outputs: 2,
      controllerSize: 8,
      controllerLayers: 1,
      memoryN: 128,
      memoryM: 4,
      heads: ["write", "read"],
      batchSize: 1,
    };
    const layout = paramLayout(config);
    // Long enough that a dispatch of each kernel runs as many steps as its bound allows.
    const most = (loops: { perDispatch: number; perStep: number }) =>
      Math.floor((SOFTWARE_LOOP_ITERATION_LIMIT - loops.perDispatch) / loops.perStep);
    const shape = ntmShape(layout, 1000, 32);
    const total = Math.max(most(forwardLoops(shape)), most(backwardLoops(shape))) + 3;
    const inputSteps = Math.ceil(total / 2);
    const outputSteps = total - inputSteps;
    const batch = {
      input: randomFloats(7, 3, inputSteps * config.inputs, 0, 1),
      target: randomFloats(7, 4, outputSteps * config.outputs, 0, 1).map(Math.round),
      inputSteps,
      outputSteps,
      outputStart: inputSteps,
    };
    const steps = await checkStep(layout, batch, {
      capacity: total,
      workgroupSize: 32,
      loopBudget: SOFTWARE_LOOP_ITERATION_LIMIT,
    });
    if (context!.isSoftware) assert.ok(steps.forward < total && steps.backward < total);
  },
});

Deno.test({
  name: "GpuNtm takes more lanes, or says what to change, when one step exceeds the loop budget",
  ignore,
  async fn(t) {
    const wide = paramLayout({ ...small, controllerSize: 100, memoryN: 1024, memoryM: 128 });
    const limit = loopIterationLimit(context!);
    await t.step("the lanes it picks", () => {
      const lanes = fittingWorkgroupSize(context!, wide, 41, limit / 2);
      if (context!.isSoftware) {
        assert.equal(lanes, 16);
        assert.ok(!stepFits(ntmShape(wide, 41, 8), limit / 2));
        assert.ok(stepFits(ntmShape(wide, 41, 16), limit / 2));
      }
    });
    await t.step("lanes the caller fixed", async () => {
      if (!context!.isSoftware) return;
      await assert.rejects(
        GpuNtm.create(context!, wide, { capacity: 41, optimizer: OPTIMIZER, workgroupSize: 8 }),
        (error: Error) =>
          error instanceof UsageError &&
          /one step of its fused (forward|backward) kernel may run \d+ loop iterations/.test(
            error.message,
          ) && /memory_n 1024, memory_m 128/.test(error.message) &&
          /--backend cpu/.test(error.message),
      );
    });
    await t.step("a budget that is not positive, or past a software adapter's limit", async () => {
      // A hardware adapter has no loop limit (Infinity), so only 0 is out of range there.
      for (const loopBudget of context!.isSoftware ? [0, limit + 1] : [0]) {
        await assert.rejects(
          GpuNtm.create(context!, paramLayout(small), {
            capacity: 4,
            optimizer: OPTIMIZER,
            loopBudget,
          }),
          new RegExp(`loop budget must be positive and at most ${limit}, got ${loopBudget}$`),
        );
      }
    });
  },
});

Deno.test({
  name: "GpuBackend and CpuBackend agree on 5 copy-task batches at the default size (lengths " +
    "up to 20)",
  ignore,
  async fn() {
    const setup = trainingSetup(copyTask, copyParams(), 3);
    const cpu = new CpuBackend(setup);
    const gpu = await GpuBackend.create(context!, setup);
    try {
      const expected = await cpu.train(1, 5);
      const actual = await gpu.train(1, 5);
      assert.ok(Math.max(...expected.map((record) => record.length)) === 20);
      assertLossHistoriesAgree(actual, expected);
    } finally {
      gpu.dispose();
      cpu.dispose();
    }
  },
});
