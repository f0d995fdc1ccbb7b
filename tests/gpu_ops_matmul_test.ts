import assert from "node:assert/strict";
import { plainKernels } from "../lib/cpu/linear_kernels.ts";
import { readFloats, runKernels, storageBuffer } from "../lib/gpu/context.ts";
import { matmul, type MatmulShape } from "../lib/gpu/ops/matmul.ts";
import { assertClose } from "./helpers/assert_close.ts";
import { createTestContext } from "./helpers/gpu_context.ts";
import { randomFloats } from "./helpers/random_floats.ts";

const context = await createTestContext();
const ignore = context === null;
const tolerance = { atol: 1e-5, rtol: 1e-5 };

/** `[rows, cols]` row-major → `[cols, rows]`. */
function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const result = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) result[c * rows + r] = values[r * cols + c];
  }
  return result;
}

/** The CPU twin: plainKernels' three products, adding into `c`. */
function matmulReference(a: Float32Array, b: Float32Array, c: Float32Array, shape: MatmulShape) {
  const { m, n, k } = shape;
  if (shape.transposeA && shape.transposeB) {
    plainKernels.matVecAdd(c, b, transpose(a, k, m), n, k, m);
  } else if (shape.transposeA) {
    plainKernels.outerAdd(c, a, b, m, n, k);
  } else if (shape.transposeB) {
    plainKernels.matVecAdd(c, b, a, n, k, m);
  } else {
    plainKernels.matTVecAdd(c, b, a, k, n, m);
  }
}

/** Runs matmul with A, B and C at offsets 3, 7 and 5 of their buffers; returns C. */
async function runMatmul(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  shape: MatmulShape,
): Promise<Float32Array> {
  const gpu = context!;
  const padded = (values: Float32Array, offset: number) => {
    const data = new Float32Array(offset + values.length + 2).fill(99);
    data.set(values, offset);
    return data;
  };
  const aBuffer = storageBuffer(gpu, "test A", padded(a, 3));
  const bBuffer = storageBuffer(gpu, "test B", padded(b, 7));
  const cBuffer = storageBuffer(gpu, "test C", padded(c, 5));
  const kernel = await matmul(gpu, {
    a: { buffer: aBuffer, offset: 3 },
    b: { buffer: bBuffer, offset: 7 },
    c: { buffer: cBuffer, offset: 5 },
  }, shape);
  await runKernels(gpu, [kernel]);
  const all = await readFloats(gpu, cBuffer);
  assert.deepEqual([...all.slice(0, 5), ...all.slice(5 + c.length)], [99, 99, 99, 99, 99, 99, 99]);
  return all.slice(5, 5 + c.length);
}

Deno.test({
  name: "matmul() matches plainKernels in every transpose form, with and without accumulate",
  ignore,
  async fn(t) {
    const shapes = [[1, 1, 1], [5, 7, 3], [70, 65, 33], [130, 9, 17], [8, 129, 64]];
    let stream = 1;
    for (const [m, n, k] of shapes) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          for (const accumulate of [false, true]) {
            const shape = { m, n, k, transposeA, transposeB, accumulate };
            const name = `${m}x${n}x${k}${transposeA ? " Aᵀ" : ""}${transposeB ? " Bᵀ" : ""}${
              accumulate ? " +=" : ""
            }`;
            await t.step(name, async () => {
              const a = randomFloats(1, stream++, m * k);
              const b = randomFloats(1, stream++, k * n);
              const c = accumulate ? randomFloats(1, stream++, m * n) : new Float32Array(m * n);
              const expected = c.slice();
              matmulReference(a, b, expected, shape);
              assertClose(await runMatmul(a, b, c, shape), expected, tolerance, `matmul ${name}`);
            });
          }
        }
      }
    }
  },
});

Deno.test({
  name: "matmul() rejects regions too small for the shape and a C sharing a buffer",
  ignore,
  async fn() {
    const gpu = context!;
    const small = storageBuffer(gpu, "small", 4 * 10);
    const other = storageBuffer(gpu, "other", 4 * 100);
    const output = storageBuffer(gpu, "output", 4 * 100);
    await assert.rejects(
      matmul(gpu, { a: { buffer: small }, b: { buffer: other }, c: { buffer: output } }, {
        m: 3,
        n: 4,
        k: 4,
      }),
      {
        name: "RangeError",
        message: /Cannot prepare matmul: A \[3, 4\] needs 12 elements .*"small" holds 10/,
      },
    );
    await assert.rejects(
      matmul(
        gpu,
        { a: { buffer: other }, b: { buffer: other }, c: { buffer: output, offset: 95 } },
        {
          m: 2,
          n: 3,
          k: 1,
        },
      ),
      { name: "RangeError", message: /C \[2, 3\] needs 6 elements from offset 95/ },
    );
    await assert.rejects(
      matmul(gpu, { a: { buffer: other }, b: { buffer: other }, c: { buffer: other } }, {
        m: 2,
        n: 2,
        k: 2,
      }),
      { name: "RangeError", message: /C shares buffer "other" with A/ },
    );
    await assert.rejects(
      matmul(gpu, { a: { buffer: other }, b: { buffer: other }, c: { buffer: output } }, {
        m: 0,
        n: 2.5,
        k: 2,
      }),
      { name: "RangeError", message: /m must be a positive integer, got 0/ },
    );
  },
});
