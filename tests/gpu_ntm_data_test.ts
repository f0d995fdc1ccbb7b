import assert from "node:assert/strict";
import { resolveParams } from "../lib/cli/params.ts";
import { UsageError } from "../lib/config.ts";
import {
  readFloats,
  runKernels,
  SOFTWARE_LOOP_ITERATION_LIMIT,
  storageBuffer,
} from "../lib/gpu/context.ts";
import { dataLoops } from "../lib/gpu/ntm/loop_bounds.ts";
import { ntmShape } from "../lib/gpu/ntm/shape.ts";
import { GpuTaskData } from "../lib/gpu/ntm/task_data.ts";
import { paramLayout } from "../lib/params.ts";
import type { TrainingSetup } from "../lib/train/backend.ts";
import {
  generateBatch,
  type TaskDefinition,
  type TaskSchema,
  trainingSetup,
} from "../lib/train/task.ts";
import { copyTask } from "../tasks/copy.ts";
import { repeatCopyTask } from "../tasks/repeat_copy.ts";
import { associativeRecallTask } from "../tasks/associative_recall.ts";
import { prioritySortTask } from "../tasks/priority_sort.ts";
import { dynamicNgramsTask, NGRAM_ATTEMPTS } from "../tasks/dynamic_ngrams.ts";
import { createTestContext } from "./helpers/gpu_context.ts";

const context = await createTestContext();
const ignore = context === null;

/** Generates batches `first…first+count-1` on the GPU and on the CPU and compares them bit for bit. */
async function checkTask<S extends TaskSchema>(
  task: TaskDefinition<S>,
  assignments: string[],
  seed: number,
  first: number,
  count: number,
) {
  const params = resolveParams(task.params, assignments);
  const config = task.config(params);
  const capacity = task.capacity(params);
  const shape = ntmShape(paramLayout(config), capacity, 8);
  const batch = storageBuffer(context!, "test batch", 4 * shape.batchSize);
  const steps = storageBuffer(context!, "test steps", 4 * 8);
  const data = await GpuTaskData.create(
    context!,
    shape,
    trainingSetup(task, params, seed).deviceData!,
    seed,
    { batch, steps },
  );
  try {
    data.start(first);
    const elements = task.elements(params);
    const { batchSize: B, inputs: I, outputs: O } = config;
    for (let index = 0; index < count; index++) {
      const batchNumber = first + index;
      await runKernels(context!, [data.kernel]);
      const expected = generateBatch(elements, seed, batchNumber);
      const record = new Uint32Array((await readFloats(context!, steps, 0, 6)).buffer);
      assert.deepEqual(
        Array.from(record),
        [
          expected.inputSteps,
          expected.outputSteps,
          expected.outputStart,
          expected.length,
          batchNumber,
          index,
        ],
        `step record of batch ${batchNumber}`,
      );
      const input = await readFloats(context!, batch, 0, expected.inputSteps * B * I);
      const target = await readFloats(
        context!,
        batch,
        shape.batchTarget,
        expected.outputSteps * B * O,
      );
      assert.deepEqual(new Uint32Array(input.buffer), new Uint32Array(expected.input.buffer));
      assert.deepEqual(new Uint32Array(target.buffer), new Uint32Array(expected.target.buffer));
    }
  } finally {
    data.dispose();
    batch.destroy();
    steps.destroy();
  }
}

Deno.test({
  name: "GpuTaskData generates the copy task's batches bit for bit like the CPU",
  ignore,
  async fn() {
    await checkTask(copyTask, ["batch_size=3", "sequence_max_len=7"], 10, 1, 6);
    await checkTask(copyTask, ["batch_size=2"], 4_000_000_007, 123_456, 3);
  },
});

Deno.test({
  name: "GpuTaskData generates the repeat copy task's batches bit for bit like the CPU",
  ignore,
  async fn() {
    await checkTask(
      repeatCopyTask,
      ["batch_size=3", "sequence_max_len=4", "repeat_max=3"],
      7,
      1,
      6,
    );
    await checkTask(repeatCopyTask, ["batch_size=1"], 99, 50_000, 3);
  },
});

Deno.test({
  name: "GpuTaskData generates the associative recall task's batches bit for bit like the CPU",
  ignore,
  async fn() {
    await checkTask(
      associativeRecallTask,
      ["batch_size=3", "sequence_width=4", "item_len=2", "max_items=4"],
      5,
      1,
      6,
    );
    await checkTask(associativeRecallTask, ["batch_size=2"], 4_000_000_007, 77_777, 3);
  },
});

Deno.test({
  name: "GpuTaskData generates the priority sort task's batches bit for bit like the CPU",
  ignore,
  async fn() {
    await checkTask(
      prioritySortTask,
      ["batch_size=3", "sequence_width=4", "sequence_len=9", "sorted_len=6", "num_heads=1"],
      6,
      1,
      6,
    );
    await checkTask(prioritySortTask, ["batch_size=2", "num_heads=1"], 4_000_000_007, 31_337, 3);
    // A batch with two equal priorities (vectors 9 and 18): ties keep input order on both.
    await checkTask(
      prioritySortTask,
      ["sequence_len=64", "sorted_len=64", "sequence_width=2", "num_heads=1"],
      3,
      46907,
      1,
    );
  },
});

Deno.test({
  name: "GpuTaskData generates the dynamic N-grams task's batches bit for bit like the CPU",
  ignore,
  async fn() {
    await checkTask(dynamicNgramsTask, ["batch_size=2", "sequence_len=40", "ngram=3"], 10, 1, 3);
    await checkTask(dynamicNgramsTask, ["ngram=1", "sequence_len=30"], 5, 9, 2);
    // The default 200 bits of 6-grams, at a large seed and batch number.
    await checkTask(dynamicNgramsTask, ["batch_size=1"], 4_000_000_007, 654_321, 2);
    const params = resolveParams(dynamicNgramsTask.params, []);
    const loops = trainingSetup(dynamicNgramsTask, params, 1).deviceData!.loops;
    // Bit t walks t + 1 bits, each drawing its table entry in up to NGRAM_ATTEMPTS attempts.
    const walk = (t: number) => t + 2 + (t + 1) * (NGRAM_ATTEMPTS + 1);
    assert.deepEqual(loops, { input: walk(198), target: walk(199) });
  },
});

/**
 * Builds `task` with `assignments` at 8 lanes, asserts that the data kernel's loop bound passes
 * the software limit, and on a software adapter that preparing the kernel is refused naming it.
 */
async function assertDataRefused<S extends TaskSchema>(
  task: TaskDefinition<S>,
  assignments: string[],
): Promise<TrainingSetup> {
  const setup = trainingSetup(task, resolveParams(task.params, assignments), 1);
  const shape = ntmShape(setup.layout, setup.capacity, 8);
  const bound = dataLoops(shape, setup.deviceData!.loops);
  assert.ok(bound > SOFTWARE_LOOP_ITERATION_LIMIT, `${bound}`);
  if (!context!.isSoftware) return setup;
  const batch = storageBuffer(context!, "test batch", 4 * shape.batchSize);
  const steps = storageBuffer(context!, "test steps", 4 * 8);
  try {
    await assert.rejects(
      () => GpuTaskData.create(context!, shape, setup.deviceData!, 1, { batch, steps }),
      (error: Error) =>
        error instanceof UsageError &&
        error.message.startsWith(
          `Cannot prepare ntm task data: an invocation may run up to ${bound} loop iterations`,
        ),
    );
  } finally {
    batch.destroy();
    steps.destroy();
  }
  return setup;
}

Deno.test({
  name:
    "GpuTaskData counts the twin's loops: dynamic N-grams runs at batch 4 and is refused at 8 " +
    "on a software adapter",
  ignore,
  async fn() {
    const params = resolveParams(dynamicNgramsTask.params, ["batch_size=4"]);
    const setup = trainingSetup(dynamicNgramsTask, params, 1);
    const shape = ntmShape(setup.layout, setup.capacity, 8);
    assert.ok(dataLoops(shape, setup.deviceData!.loops) < SOFTWARE_LOOP_ITERATION_LIMIT);
    // Batch 4, near the limit, is generated in full.
    await checkTask(dynamicNgramsTask, ["batch_size=4"], 12, 3, 1);
    await assertDataRefused(dynamicNgramsTask, ["batch_size=8"]);
  },
});

Deno.test({
  name:
    "GpuTaskData counts the twin's loops: priority sort at batch 64 is refused on a software adapter",
  ignore,
  async fn() {
    const setup = await assertDataRefused(prioritySortTask, ["batch_size=64", "num_heads=1"]);
    assert.deepEqual(setup.deviceData!.loops, { input: 0, target: 21 ** 2 });
    // Without the twin's loops the kernel's own would fit.
    const shape = ntmShape(setup.layout, setup.capacity, 8);
    assert.ok(dataLoops(shape, { input: 0, target: 0 }) < SOFTWARE_LOOP_ITERATION_LIMIT);
  },
});
