/**
 * Why the fused kernels read weights from a texture (lib/gpu/ntm/param_texture.ts): the LSTM's
 * matrix-vector product at the copy task's shape (4H = 400 rows of I + M + H = 132 columns, as
 * 33 vec4s), one workgroup of 8 lanes each taking rows as shaders/ntm/forward.wgsl does, with the
 * weights fetched from a storage buffer (the baseline) or from an `rgba32float` texture. (Here a
 * texture row holds one matrix row; the fused kernels' texture packs the whole store into rows of
 * a power-of-two width and computes each texel's coordinates from its quad index.)
 * Each dispatch runs the product 50 times (52,800 multiply-adds, 211 KB of weights each time);
 * 20 dispatches go in one submit. `deno bench -A bench/gpu_weight_fetch_bench.ts`.
 *
 * @module
 */

import {
  createGpuContext,
  pipeline,
  prepareDispatch,
  type PreparedKernel,
  requestAdapter,
  runKernels,
  storageBuffer,
} from "../lib/gpu/context.ts";
import { randomUniform } from "../lib/random.ts";

const ROWS = 400;
const QUADS = 33;
const PRODUCTS = 50;
const DISPATCHES = 20;

/** The kernel around `weightQuad`, a WGSL expression of row `j` and column quad `c`. */
function source(binding: string, weightQuad: string): string {
  return `
${binding}
@group(0) @binding(1) var<storage, read_write> product: array<f32>;
var<workgroup> x: array<vec4<f32>, ${QUADS}>;

@compute @workgroup_size(8)
fn main(@builtin(local_invocation_index) lane: u32) {
  for (var c = lane; c < ${QUADS}u; c += 8u) {
    x[c] = vec4<f32>(f32(c) * 0.01);
  }
  workgroupBarrier();
  for (var repeat = 0u; repeat < ${PRODUCTS}u; repeat++) {
    for (var j = lane; j < ${ROWS}u; j += 8u) {
      var sum = 0.0;
      for (var c = 0u; c < ${QUADS}u; c++) {
        sum += dot(${weightQuad}, x[c]);
      }
      product[j] = sum;
    }
    workgroupBarrier();
  }
}`;
}

const context = (await requestAdapter()) ? await createGpuContext() : null;
const ignore = context === null;
const group = `LSTM matrix-vector product ${ROWS}×${4 * QUADS}, 8 lanes, ×${PRODUCTS} per dispatch`;
let buffer: PreparedKernel[] = [];
let texture: PreparedKernel[] = [];
if (context) {
  const weights = Float32Array.from({ length: ROWS * QUADS * 4 }, (_, i) => randomUniform(1, 0, i));
  const product = storageBuffer(context, "product", 4 * ROWS);
  const weightBuffer = storageBuffer(context, "weights", weights);
  const weightTexture = context.device.createTexture({
    label: "weights texture",
    size: [QUADS, ROWS],
    format: "rgba32float",
    usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
  });
  const paddedRow = 64;
  const rows = new Float32Array(ROWS * paddedRow * 4);
  for (let j = 0; j < ROWS; j++) {
    rows.set(weights.subarray(j * QUADS * 4, (j + 1) * QUADS * 4), j * paddedRow * 4);
  }
  context.device.queue.writeTexture({ texture: weightTexture }, rows, {
    bytesPerRow: 16 * paddedRow,
  }, [QUADS, ROWS]);
  const fromBuffer = await pipeline(
    context,
    "weights from a storage buffer",
    source(
      "@group(0) @binding(0) var<storage, read> weights: array<vec4<f32>>;",
      `weights[j * ${QUADS}u + c]`,
    ),
  );
  const fromTexture = await pipeline(
    context,
    "weights from a texture",
    source(
      "@group(0) @binding(0) var weights: texture_2d<f32>;",
      "textureLoad(weights, vec2<u32>(c, j), 0)",
    ),
  );
  const repeated = (kernel: PreparedKernel) => Array.from({ length: DISPATCHES }, () => kernel);
  buffer = repeated(prepareDispatch(context, fromBuffer, [weightBuffer, product], [1]));
  texture = repeated(
    prepareDispatch(context, fromTexture, [weightTexture.createView(), product], [1]),
  );
  await runKernels(context, [...buffer, ...texture]);
}

Deno.bench(
  `storage buffer, ${DISPATCHES} dispatches`,
  { group, baseline: true, ignore },
  async () => {
    await runKernels(context!, buffer);
  },
);
Deno.bench(`texture, ${DISPATCHES} dispatches`, { group, ignore }, async () => {
  await runKernels(context!, texture);
});
