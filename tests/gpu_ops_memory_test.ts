import assert from "node:assert/strict";
import {
  interpolateBackward as interpolateBackwardReference,
  interpolateForward,
} from "../lib/cpu/addressing.ts";
import { writeBackward, writeForward } from "../lib/cpu/memory.ts";
import { storageBuffer } from "../lib/gpu/context.ts";
import { interpolate, interpolateBackward } from "../lib/gpu/ops/interpolate.ts";
import { memoryWrite, memoryWriteBackward } from "../lib/gpu/ops/memory_write.ts";
import { assertClose } from "./helpers/assert_close.ts";
import { createTestContext, runAndRead } from "./helpers/gpu_context.ts";
import { randomFloats } from "./helpers/random_floats.ts";

const context = await createTestContext();
const ignore = context === null;
const tolerance = { atol: 1e-6, rtol: 1e-5 };

/** A GPU buffer holding `values` after `pad` elements of padding, and its region. */
function region(label: string, values: Float32Array, pad = 0) {
  const data = new Float32Array(pad + values.length).fill(-7);
  data.set(values, pad);
  return { buffer: storageBuffer(context!, label, data), offset: pad };
}

/** Reads a region's `count` values. */
function read(where: { buffer: GPUBuffer; offset: number }, count: number) {
  return runAndRead(context!, [], where.buffer, where.offset, count);
}

Deno.test({
  name: "memoryWrite() and memoryWriteBackward() match writeForward and writeBackward",
  ignore,
  async fn(t) {
    const gpu = context!;
    for (const [batch, n, m] of [[1, 1, 1], [2, 5, 3], [2, 128, 20], [1, 70, 33]]) {
      await t.step(`${batch}x${n}x${m}`, async () => {
        const cells = batch * n * m;
        const before = randomFloats(32, cells, cells);
        const weights = randomFloats(33, cells, batch * n, 0, 1);
        const erase = randomFloats(34, cells, batch * m, 0, 1);
        const add = randomFloats(35, cells, batch * m);
        const dAfter = randomFloats(36, cells, cells);
        const dWeightsStart = randomFloats(37, cells, batch * n);
        const dEraseStart = randomFloats(38, cells, batch * m);
        const dAddStart = randomFloats(39, cells, batch * m);
        const after = new Float32Array(cells), dMemory = dAfter.slice();
        const dWeights = dWeightsStart.slice(), dErase = dEraseStart.slice();
        const dAdd = dAddStart.slice();
        for (let b = 0; b < batch; b++) {
          const memoryOf = (values: Float32Array) => values.subarray(b * n * m, (b + 1) * n * m);
          const rowsOf = (values: Float32Array) => values.subarray(b * n, (b + 1) * n);
          const vectorOf = (values: Float32Array) => values.subarray(b * m, (b + 1) * m);
          writeForward(
            memoryOf(before),
            rowsOf(weights),
            vectorOf(erase),
            vectorOf(add),
            n,
            m,
            memoryOf(after),
          );
          writeBackward(
            memoryOf(before),
            rowsOf(weights),
            vectorOf(erase),
            vectorOf(add),
            n,
            m,
            memoryOf(dMemory),
            rowsOf(dWeights),
            vectorOf(dErase),
            vectorOf(dAdd),
          );
        }
        const operands = {
          before: region("before", before, 1),
          weights: region("weights", weights, 2),
          erase: region("erase", erase, 3),
          add: region("add", add),
        };
        const afterRegion = region("after", new Float32Array(cells), 2);
        await runAndRead(gpu, [
          await memoryWrite(gpu, { ...operands, after: afterRegion }, { batch, n, m }),
        ], afterRegion.buffer);
        assertClose(await read(afterRegion, cells), after, tolerance, "memoryWrite after");
        const gradients = {
          dBefore: region("dBefore", new Float32Array(cells), 1),
          dWeights: region("dWeights", dWeightsStart, 2),
          dErase: region("dErase", dEraseStart, 3),
          dAdd: region("dAdd", dAddStart),
        };
        await runAndRead(gpu, [
          await memoryWriteBackward(gpu, {
            ...operands,
            dAfter: region("dAfter", dAfter, 1),
            ...gradients,
          }, { batch, n, m }),
        ], gradients.dAdd.buffer);
        assertClose(await read(gradients.dBefore, cells), dMemory, tolerance, "dBefore");
        assertClose(await read(gradients.dWeights, batch * n), dWeights, tolerance, "dWeights");
        assertClose(await read(gradients.dErase, batch * m), dErase, tolerance, "dErase");
        assertClose(await read(gradients.dAdd, batch * m), dAdd, tolerance, "dAdd");
      });
    }
  },
});

Deno.test({
  name: "interpolate() and interpolateBackward() match interpolateForward and interpolateBackward",
  ignore,
  async fn(t) {
    const gpu = context!;
    for (const [batch, n] of [[1, 1], [3, 5], [2, 128], [1, 130]]) {
      await t.step(`${batch}x${n}`, async () => {
        const content = randomFloats(40, n, batch * n, 0, 1);
        const previous = randomFloats(41, n, batch * n, 0, 1);
        const gate = randomFloats(42, n, batch, 0, 1);
        const dInterpolated = randomFloats(43, n, batch * n);
        const dContentStart = randomFloats(44, n, batch * n);
        const dPreviousStart = randomFloats(45, n, batch * n);
        const dGateStart = randomFloats(46, n, batch);
        const interpolated = new Float32Array(batch * n);
        const dContent = dContentStart.slice(), dPrevious = dPreviousStart.slice();
        const dGate = dGateStart.slice();
        for (let b = 0; b < batch; b++) {
          const rowsOf = (values: Float32Array) => values.subarray(b * n, (b + 1) * n);
          interpolateForward(rowsOf(content), rowsOf(previous), gate[b], n, rowsOf(interpolated));
          dGate[b] += interpolateBackwardReference(
            rowsOf(content),
            rowsOf(previous),
            gate[b],
            n,
            rowsOf(dInterpolated),
            rowsOf(dContent),
            rowsOf(dPrevious),
          );
        }
        const operands = {
          content: region("content", content, 1),
          previous: region("previous", previous, 2),
          gate: region("gate", gate, 3),
        };
        const interpolatedRegion = region("interpolated", new Float32Array(batch * n), 1);
        await runAndRead(gpu, [
          await interpolate(gpu, { ...operands, interpolated: interpolatedRegion }, { batch, n }),
        ], interpolatedRegion.buffer);
        assertClose(
          await read(interpolatedRegion, batch * n),
          interpolated,
          tolerance,
          "interpolate",
        );
        const gradients = {
          dContent: region("dContent", dContentStart, 2),
          dPrevious: region("dPrevious", dPreviousStart),
          dGate: region("dGate", dGateStart, 1),
        };
        await runAndRead(gpu, [
          await interpolateBackward(gpu, {
            ...operands,
            dInterpolated: region("dInterpolated", dInterpolated, 3),
            ...gradients,
          }, { batch, n }),
        ], gradients.dGate.buffer);
        assertClose(await read(gradients.dContent, batch * n), dContent, tolerance, "dContent");
        assertClose(await read(gradients.dPrevious, batch * n), dPrevious, tolerance, "dPrevious");
        assertClose(await read(gradients.dGate, batch), dGate, tolerance, "dGate");
      });
    }
  },
});

Deno.test({
  name: "memoryWrite() rejects an add vector shorter than [batch, m]",
  ignore,
  async fn() {
    const gpu = context!;
    const big = storageBuffer(gpu, "big", 4 * 100);
    const small = storageBuffer(gpu, "small", 4 * 5);
    await assert.rejects(
      memoryWrite(gpu, {
        before: { buffer: big },
        weights: { buffer: big },
        erase: { buffer: big },
        add: { buffer: small },
        after: { buffer: storageBuffer(gpu, "after", 4 * 100) },
      }, { batch: 2, n: 4, m: 3 }),
      { name: "RangeError", message: /memoryWrite: add \[2, 3\] needs 6 elements/ },
    );
  },
});
