import assert from "node:assert/strict";
import { UsageError } from "../lib/config.ts";
import { type GpuContext, type PreparedKernel, storageBuffer } from "../lib/gpu/context.ts";
import { contentAddressing } from "../lib/gpu/ops/content.ts";
import { matmul } from "../lib/gpu/ops/matmul.ts";
import { softmax } from "../lib/gpu/ops/softmax.ts";
import { sumRows } from "../lib/gpu/ops/sum.ts";
import { createTestContext, runAndRead } from "./helpers/gpu_context.ts";

const context = await createTestContext();
const ignore = context === null;

/** A zeroed region of `length` floats. */
function zeros(gpu: GpuContext, length: number) {
  return { buffer: storageBuffer(gpu, "zeros", 4 * length) };
}

/** On a software adapter, preparing fails with the loop limit's message; elsewhere it works. */
async function assertLoopLimit(gpu: GpuContext, prepare: Promise<PreparedKernel>, op: string) {
  if (!gpu.isSoftware) {
    await prepare;
    return;
  }
  await assert.rejects(
    prepare,
    (error: Error) =>
      error instanceof UsageError &&
      error.message.startsWith(`Cannot prepare ${op}: an invocation may run up to`) &&
      /stops every loop after 65535/.test(error.message),
  );
}

Deno.test({
  name: "Tensor ops refuse shapes whose loops pass a software adapter's loop limit",
  ignore,
  async fn(t) {
    const gpu = context!;
    const long = 70_000;
    await t.step("matmul over k = 70000", async () => {
      const [a, b, c] = [zeros(gpu, long), zeros(gpu, long), zeros(gpu, 1)];
      await assertLoopLimit(gpu, matmul(gpu, { a, b, c }, { m: 1, n: 1, k: long }), "matmul");
    });
    await t.step("sumRows over 70000 rows (and over 65000)", async () => {
      const input = zeros(gpu, long), output = zeros(gpu, 1);
      await assertLoopLimit(
        gpu,
        sumRows(gpu, { input, output }, { count: long, width: 1 }),
        "sumRows",
      );
      // Just within the limit it runs every iteration: 65000 ones add up to 65000.
      const ones = { buffer: storageBuffer(gpu, "ones", new Float32Array(65_000).fill(1)) };
      const sum = await sumRows(gpu, { input: ones, output }, { count: 65_000, width: 1 });
      assert.deepEqual(await runAndRead(gpu, [sum], output.buffer), new Float32Array([65_000]));
    });
    await t.step("softmax over rows of 2^21", async () => {
      const cols = 2 ** 21;
      await assertLoopLimit(
        gpu,
        softmax(gpu, { x: zeros(gpu, cols), y: zeros(gpu, cols) }, { rows: 1, cols }),
        "softmax",
      );
    });
    await t.step("content addressing over memory rows of 70000", async () => {
      const memory = zeros(gpu, long), key = zeros(gpu, long);
      const [beta, similarity, weights] = [zeros(gpu, 1), zeros(gpu, 1), zeros(gpu, 1)];
      await assertLoopLimit(
        gpu,
        contentAddressing(gpu, { memory, key, beta, similarity, weights }, {
          batch: 1,
          n: 1,
          m: long,
        }),
        "contentAddressing",
      );
    });
  },
});
