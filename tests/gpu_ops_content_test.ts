import assert from "node:assert/strict";
import { contentBackward, contentForward } from "../lib/cpu/addressing.ts";
import { storageBuffer } from "../lib/gpu/context.ts";
import { contentAddressing, contentAddressingBackward } from "../lib/gpu/ops/content.ts";
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
  name: "contentAddressing() and its backward match contentForward and contentBackward",
  ignore,
  async fn(t) {
    const gpu = context!;
    for (const [batch, n, m] of [[1, 1, 1], [2, 5, 3], [2, 128, 20], [1, 70, 33]]) {
      await t.step(`${batch}x${n}x${m}`, async () => {
        const memory = randomFloats(25, n * m, batch * n * m);
        memory.fill(0, m, 2 * m); // a zero row (when n > 1): the clamped cosine
        const key = randomFloats(26, n * m, batch * m);
        const beta = randomFloats(27, n * m, batch, 0, 20);
        const dWeights = randomFloats(28, n * m, batch * n);
        const dMemoryStart = randomFloats(29, n * m, batch * n * m);
        const dKeyStart = randomFloats(30, n * m, batch * m);
        const dBetaStart = randomFloats(31, n * m, batch);
        const similarity = new Float32Array(batch * n), weights = new Float32Array(batch * n);
        const dMemory = dMemoryStart.slice(), dKey = dKeyStart.slice();
        const dBeta = dBetaStart.slice();
        for (let b = 0; b < batch; b++) {
          const rows = (values: Float32Array) => values.subarray(b * n, (b + 1) * n);
          const cells = (values: Float32Array) => values.subarray(b * n * m, (b + 1) * n * m);
          const keyRow = key.subarray(b * m, (b + 1) * m);
          const norms = new Float32Array(n);
          contentForward(
            cells(memory),
            keyRow,
            beta[b],
            n,
            m,
            rows(similarity),
            norms,
            rows(weights),
          );
          dBeta[b] += contentBackward(
            cells(memory),
            keyRow,
            beta[b],
            n,
            m,
            rows(similarity),
            norms,
            rows(weights),
            rows(dWeights),
            cells(dMemory),
            dKey.subarray(b * m, (b + 1) * m),
          );
        }
        const memoryRegion = region("memory", memory, 1);
        const keyRegion = region("key", key, 2);
        const betaRegion = region("beta", beta, 3);
        const similarityRegion = region("similarity", new Float32Array(batch * n), 1);
        const weightsRegion = region("weights", new Float32Array(batch * n), 2);
        await runAndRead(gpu, [
          await contentAddressing(gpu, {
            memory: memoryRegion,
            key: keyRegion,
            beta: betaRegion,
            similarity: similarityRegion,
            weights: weightsRegion,
          }, { batch, n, m }),
        ], weightsRegion.buffer);
        assertClose(await read(similarityRegion, batch * n), similarity, tolerance, "similarity");
        assertClose(await read(weightsRegion, batch * n), weights, tolerance, "weights");
        const dMemoryRegion = region("dMemory", dMemoryStart, 1);
        const dKeyRegion = region("dKey", dKeyStart, 2);
        const dBetaRegion = region("dBeta", dBetaStart, 3);
        await runAndRead(gpu, [
          await contentAddressingBackward(gpu, {
            memory: memoryRegion,
            key: keyRegion,
            beta: betaRegion,
            similarity: region("saved similarity", similarity),
            weights: region("saved weights", weights, 1),
            dWeights: region("dWeights", dWeights, 2),
            dMemory: dMemoryRegion,
            dKey: dKeyRegion,
            dBeta: dBetaRegion,
          }, { batch, n, m }),
        ], dBetaRegion.buffer);
        assertClose(await read(dMemoryRegion, batch * n * m), dMemory, tolerance, "dMemory");
        assertClose(await read(dKeyRegion, batch * m), dKey, tolerance, "dKey");
        assertClose(await read(dBetaRegion, batch), dBeta, tolerance, "dBeta");
      });
    }
  },
});

Deno.test({
  name: "contentAddressing() rejects a beta shorter than the batch",
  ignore,
  async fn() {
    const gpu = context!;
    const big = storageBuffer(gpu, "big", 4 * 100);
    const small = storageBuffer(gpu, "small", 4);
    const out = storageBuffer(gpu, "out", 4 * 10);
    await assert.rejects(
      contentAddressing(gpu, {
        memory: { buffer: big },
        key: { buffer: big },
        beta: { buffer: small },
        similarity: { buffer: out },
        weights: { buffer: storageBuffer(gpu, "weights", 40) },
      }, { batch: 2, n: 3, m: 4 }),
      { name: "RangeError", message: /contentAddressing: beta \[2\] needs 2 elements/ },
    );
  },
});
