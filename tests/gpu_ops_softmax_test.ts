import assert from "node:assert/strict";
import { softmaxRows, softmaxRowsBackward } from "../lib/cpu/softmax.ts";
import { storageBuffer } from "../lib/gpu/context.ts";
import { softmax, softmaxBackward } from "../lib/gpu/ops/softmax.ts";
import { assertClose } from "./helpers/assert_close.ts";
import { createTestContext, runAndRead } from "./helpers/gpu_context.ts";
import { randomFloats } from "./helpers/random_floats.ts";

const context = await createTestContext();
const ignore = context === null;
const tolerance = { atol: 1e-7, rtol: 1e-5 };

Deno.test({
  name: "softmax() and softmaxBackward() match the CPU reference",
  ignore,
  async fn(t) {
    const gpu = context!;
    for (const [rows, cols] of [[1, 1], [3, 3], [8, 128], [5, 65], [2, 300]]) {
      await t.step(`${rows}x${cols}`, async () => {
        const length = rows * cols;
        const x = randomFloats(4, cols, length, -20, 20);
        const dy = randomFloats(5, cols, length);
        const y = new Float32Array(length), dx = new Float32Array(length);
        softmaxRows(x, rows, cols, y);
        softmaxRowsBackward(y, dy, rows, cols, dx);
        const xBuffer = storageBuffer(gpu, "x", new Float32Array([0, 0, ...x]));
        const yBuffer = storageBuffer(gpu, "y", length * 4);
        const gotY = await runAndRead(gpu, [
          await softmax(gpu, { x: { buffer: xBuffer, offset: 2 }, y: { buffer: yBuffer } }, {
            rows,
            cols,
          }),
        ], yBuffer);
        assertClose(gotY, y, tolerance, `softmax ${rows}x${cols}`);
        const savedBuffer = storageBuffer(gpu, "saved y", y);
        const dyBuffer = storageBuffer(gpu, "dy", dy);
        const dxBuffer = storageBuffer(gpu, "dx", length * 4 + 12);
        const gotDx = await runAndRead(
          gpu,
          [
            await softmaxBackward(gpu, {
              y: { buffer: savedBuffer },
              dy: { buffer: dyBuffer },
              dx: { buffer: dxBuffer, offset: 3 },
            }, { rows, cols }),
          ],
          dxBuffer,
          3,
          length,
        );
        assertClose(gotDx, dx, tolerance, `softmaxBackward ${rows}x${cols}`);
      });
    }
  },
});

Deno.test({
  name: "softmax() rejects a region shorter than rows x cols",
  ignore,
  async fn() {
    const gpu = context!;
    const x = storageBuffer(gpu, "x", 4 * 12);
    const y = storageBuffer(gpu, "y", 4 * 11);
    await assert.rejects(
      softmax(gpu, { x: { buffer: x }, y: { buffer: y } }, { rows: 3, cols: 4 }),
      { name: "RangeError", message: /Cannot prepare softmax: y \[3, 4\] needs 12 elements/ },
    );
  },
});
