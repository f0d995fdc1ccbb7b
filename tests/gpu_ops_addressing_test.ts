import assert from "node:assert/strict";
import {
  contentForward,
  sharpenBackward as sharpenBackwardReference,
  sharpenForward,
  shiftBackward as shiftBackwardReference,
  shiftForward,
} from "../lib/cpu/addressing.ts";
import { storageBuffer } from "../lib/gpu/context.ts";
import { cosineSimilarity } from "../lib/gpu/ops/cosine_similarity.ts";
import { sharpen, sharpenBackward } from "../lib/gpu/ops/sharpen.ts";
import { shift, shiftBackward } from "../lib/gpu/ops/shift.ts";
import { assertClose } from "./helpers/assert_close.ts";
import { createTestContext, runAndRead } from "./helpers/gpu_context.ts";
import { randomFloats } from "./helpers/random_floats.ts";

const context = await createTestContext();
const ignore = context === null;
const tolerance = { atol: 1e-6, rtol: 1e-5 };
/** Batch sizes and memory rows: N = 1 and 2 make the shift's neighbours coincide. */
const weightingShapes = [[1, 1], [2, 2], [3, 5], [2, 128], [1, 130]];

/** A GPU buffer holding `values` after `pad` elements of padding, and its region. */
function region(label: string, values: Float32Array, pad = 0) {
  const data = new Float32Array(pad + values.length).fill(-7);
  data.set(values, pad);
  return { buffer: storageBuffer(context!, label, data), offset: pad };
}

Deno.test({
  name: "cosineSimilarity() matches contentForward's similarity, zero rows included",
  ignore,
  async fn(t) {
    const gpu = context!;
    for (const [batch, n, m] of [[1, 1, 1], [2, 5, 3], [3, 128, 20], [1, 70, 33]]) {
      await t.step(`${batch}x${n}x${m}`, async () => {
        const memory = randomFloats(9, n * m, batch * n * m);
        memory.fill(0, 0, m); // a zero row: the denominator is clamped
        const key = randomFloats(10, m, batch * m);
        const expected = new Float32Array(batch * n);
        for (let b = 0; b < batch; b++) {
          contentForward(
            memory.subarray(b * n * m, (b + 1) * n * m),
            key.subarray(b * m, (b + 1) * m),
            1,
            n,
            m,
            expected.subarray(b * n, (b + 1) * n),
            new Float32Array(n),
            new Float32Array(n),
          );
        }
        const similarity = region("similarity", new Float32Array(batch * n), 1);
        const got = await runAndRead(
          gpu,
          [
            await cosineSimilarity(gpu, {
              memory: region("memory", memory, 3),
              key: region("key", key, 2),
              similarity,
            }, { batch, n, m }),
          ],
          similarity.buffer,
          1,
          batch * n,
        );
        assertClose(got, expected, tolerance, `cosineSimilarity ${batch}x${n}x${m}`);
      });
    }
  },
});

Deno.test({
  name: "shift() and shiftBackward() match shiftForward and shiftBackward",
  ignore,
  async fn(t) {
    const gpu = context!;
    for (const [batch, n] of weightingShapes) {
      await t.step(`${batch}x${n}`, async () => {
        const weights = randomFloats(11, n, batch * n, 0, 1);
        const taps = randomFloats(12, n, batch * 3, 0, 1);
        const dShifted = randomFloats(13, n, batch * n);
        const dWeightsStart = randomFloats(14, n, batch * n);
        const dShiftStart = randomFloats(15, n, batch * 3);
        const shifted = new Float32Array(batch * n);
        const dWeights = dWeightsStart.slice(), dShift = dShiftStart.slice();
        for (let b = 0; b < batch; b++) {
          const row = (values: Float32Array) => values.subarray(b * n, (b + 1) * n);
          const tapsRow = taps.subarray(3 * b, 3 * b + 3);
          shiftForward(row(weights), tapsRow, n, row(shifted));
          shiftBackwardReference(
            row(weights),
            tapsRow,
            n,
            row(dShifted),
            row(dWeights),
            dShift.subarray(3 * b, 3 * b + 3),
          );
        }
        const weightsRegion = region("weights", weights, 1);
        const tapsRegion = region("shift", taps, 2);
        const shiftedRegion = region("shifted", new Float32Array(batch * n));
        assertClose(
          await runAndRead(gpu, [
            await shift(gpu, {
              weights: weightsRegion,
              shift: tapsRegion,
              shifted: shiftedRegion,
            }, { batch, n }),
          ], shiftedRegion.buffer),
          shifted,
          tolerance,
          `shift ${batch}x${n}`,
        );
        const dWeightsRegion = region("dWeights", dWeightsStart, 2);
        const dShiftRegion = region("dShift", dShiftStart, 1);
        const kernel = await shiftBackward(gpu, {
          weights: weightsRegion,
          shift: tapsRegion,
          dShifted: region("dShifted", dShifted, 3),
          dWeights: dWeightsRegion,
          dShift: dShiftRegion,
        }, { batch, n });
        const gotWeights = await runAndRead(gpu, [kernel], dWeightsRegion.buffer, 2, batch * n);
        assertClose(gotWeights, dWeights, tolerance, `shiftBackward dWeights ${batch}x${n}`);
        const gotShift = await runAndRead(gpu, [], dShiftRegion.buffer, 1, batch * 3);
        assertClose(gotShift, dShift, tolerance, `shiftBackward dShift ${batch}x${n}`);
      });
    }
  },
});

Deno.test({
  name: "sharpen() and sharpenBackward() match sharpenForward and sharpenBackward, zeros included",
  ignore,
  async fn(t) {
    const gpu = context!;
    for (const [batch, n] of weightingShapes) {
      await t.step(`${batch}x${n}`, async () => {
        const shifted = randomFloats(16, n, batch * n, 0, 1);
        if (n > 1) shifted[1] = 0; // a zero weight: no gradient, no NaN from log 0
        const gamma = randomFloats(17, n, batch, 1, 4);
        const dSharpened = randomFloats(18, n, batch * n);
        const dShiftedStart = randomFloats(19, n, batch * n);
        const dGammaStart = randomFloats(20, n, batch);
        const sharpened = new Float32Array(batch * n);
        const dShifted = dShiftedStart.slice(), dGamma = dGammaStart.slice();
        for (let b = 0; b < batch; b++) {
          const row = (values: Float32Array) => values.subarray(b * n, (b + 1) * n);
          sharpenForward(row(shifted), gamma[b], n, row(sharpened));
          dGamma[b] += sharpenBackwardReference(
            row(shifted),
            gamma[b],
            n,
            row(sharpened),
            row(dSharpened),
            row(dShifted),
          );
        }
        const shiftedRegion = region("shifted", shifted, 1);
        const gammaRegion = region("gamma", gamma, 3);
        const sharpenedRegion = region("sharpened", new Float32Array(batch * n), 2);
        assertClose(
          await runAndRead(
            gpu,
            [
              await sharpen(gpu, {
                shifted: shiftedRegion,
                gamma: gammaRegion,
                sharpened: sharpenedRegion,
              }, { batch, n }),
            ],
            sharpenedRegion.buffer,
            2,
            batch * n,
          ),
          sharpened,
          tolerance,
          `sharpen ${batch}x${n}`,
        );
        const dShiftedRegion = region("dShifted", dShiftedStart);
        const dGammaRegion = region("dGamma", dGammaStart, 1);
        const kernel = await sharpenBackward(gpu, {
          shifted: shiftedRegion,
          gamma: gammaRegion,
          sharpened: region("saved sharpened", sharpened),
          dSharpened: region("dSharpened", dSharpened, 2),
          dShifted: dShiftedRegion,
          dGamma: dGammaRegion,
        }, { batch, n });
        const gotShifted = await runAndRead(gpu, [kernel], dShiftedRegion.buffer);
        assertClose(gotShifted, dShifted, tolerance, `sharpenBackward dShifted ${batch}x${n}`);
        const gotGamma = await runAndRead(gpu, [], dGammaRegion.buffer, 1, batch);
        assertClose(gotGamma, dGamma, tolerance, `sharpenBackward dGamma ${batch}x${n}`);
      });
    }
  },
});

Deno.test({
  name: "shift() and sharpen() reject operands shorter than their shapes",
  ignore,
  async fn() {
    const gpu = context!;
    const weights = storageBuffer(gpu, "weights", 4 * 10);
    const taps = storageBuffer(gpu, "taps", 4 * 5);
    const out = storageBuffer(gpu, "out", 4 * 10);
    await assert.rejects(
      shift(gpu, {
        weights: { buffer: weights },
        shift: { buffer: taps },
        shifted: { buffer: out },
      }, {
        batch: 2,
        n: 5,
      }),
      { name: "RangeError", message: /Cannot prepare shift: shift \[2, 3\] needs 6 elements/ },
    );
    await assert.rejects(
      sharpen(gpu, {
        shifted: { buffer: weights },
        gamma: { buffer: taps, offset: 4 },
        sharpened: { buffer: out },
      }, { batch: 2, n: 5 }),
      { name: "RangeError", message: /sharpen: gamma \[2\] needs 2 elements from offset 4/ },
    );
  },
});
