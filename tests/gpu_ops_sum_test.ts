import assert from "node:assert/strict";
import { sumAll as sumAllReference, sumRows as sumRowsReference } from "../lib/cpu/sum.ts";
import { storageBuffer } from "../lib/gpu/context.ts";
import { sumAll, sumRows } from "../lib/gpu/ops/sum.ts";
import { assertClose } from "./helpers/assert_close.ts";
import { createTestContext, runAndRead } from "./helpers/gpu_context.ts";
import { randomFloats } from "./helpers/random_floats.ts";

const context = await createTestContext();
const ignore = context === null;

Deno.test({
  name: "sumRows() matches the CPU reference, overwriting and accumulating",
  ignore,
  async fn(t) {
    const gpu = context!;
    for (const [count, width] of [[1, 1], [7, 3], [130, 65], [22, 400]]) {
      for (const accumulate of [false, true]) {
        await t.step(`${count}x${width}${accumulate ? " +=" : ""}`, async () => {
          const rows = randomFloats(6, count * width, count * width);
          const start = accumulate ? randomFloats(7, width, width) : new Float32Array(width);
          const expected = start.slice();
          sumRowsReference(expected, rows, count, width);
          const input = storageBuffer(gpu, "rows", new Float32Array([1, ...rows]));
          const output = storageBuffer(gpu, "sums", start);
          const got = await runAndRead(gpu, [
            await sumRows(
              gpu,
              { input: { buffer: input, offset: 1 }, output: { buffer: output } },
              {
                count,
                width,
                accumulate,
              },
            ),
          ], output);
          assertClose(got, expected, { atol: 1e-6 * count, rtol: 1e-6 }, "sumRows");
        });
      }
    }
  },
});

Deno.test({
  name: "sumAll() matches the CPU reference, overwriting and accumulating",
  ignore,
  async fn(t) {
    const gpu = context!;
    for (const count of [1, 255, 257, 5000]) {
      for (const accumulate of [false, true]) {
        await t.step(`${count}${accumulate ? " +=" : ""}`, async () => {
          const values = randomFloats(8, count, count);
          const expected = (accumulate ? 2 : 0) + sumAllReference(values);
          const input = storageBuffer(gpu, "values", values);
          const output = storageBuffer(gpu, "total", new Float32Array([9, accumulate ? 2 : 0]));
          const got = await runAndRead(gpu, [
            await sumAll(gpu, { input: { buffer: input }, output: { buffer: output, offset: 1 } }, {
              count,
              accumulate,
            }),
          ], output);
          assertClose(got, [9, expected], { atol: 1e-6 * Math.sqrt(count), rtol: 1e-6 }, "sumAll");
        });
      }
    }
  },
});

Deno.test({
  name: "sumRows() rejects an output shorter than the width",
  ignore,
  async fn() {
    const gpu = context!;
    const input = storageBuffer(gpu, "input", 4 * 12);
    const output = storageBuffer(gpu, "output", 4 * 3);
    await assert.rejects(
      sumRows(gpu, { input: { buffer: input }, output: { buffer: output } }, {
        count: 3,
        width: 4,
      }),
      { name: "RangeError", message: /Cannot prepare sumRows: output \[4\] needs 4 elements/ },
    );
  },
});
