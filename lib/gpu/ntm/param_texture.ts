/**
 * The parameter texture: a copy of the padded parameter store (lib/gpu/ntm/param_layout.ts) as
 * `rgba32float` texels, quad `q` (floats 4q … 4q+3) at column `q % width`, row `q / width`
 * (shaders/ntm/shape.wgsl `param_texel`). The fused forward and backward kernels read their
 * weight matrices from it: on llvmpipe a texel fetch costs well under a storage-buffer vec4 load,
 * and the matrix-vector products are most of those kernels' work (bench/RESULTS.md).
 *
 * The store buffer stays the source of truth. `GpuNtm.writeParams` uploads the whole store to
 * both, and the update kernel (shaders/ntm/weight_gradients.wgsl) writes every weight-matrix quad
 * it updates to both, so the weight matrices, the only tensors read through the texture, always
 * agree. Biases are read from the buffer; their texels keep the uploaded values.
 *
 * @module
 */

import { UsageError } from "../../config.ts";
import { type GpuContext, readFloats, submit } from "../context.ts";

/** The texture's size in texels. */
export interface ParamTextureSize {
  readonly width: number;
  readonly height: number;
}

/**
 * The texture for a store of `floats`: the narrowest power-of-two width from 64 whose square
 * holds every quad (so the texture is never taller than wide, and each row is a whole multiple of
 * the 256 bytes a texture upload's rows need).
 */
export function paramTextureSize(floats: number): ParamTextureSize {
  const quads = Math.ceil(floats / 4);
  let width = 64;
  while (width * width < quads) width *= 2;
  return { width, height: Math.max(1, Math.ceil(quads / width)) };
}

/** Throws a UsageError when the texture does not fit the device's limits. */
export function checkParamTexture(size: ParamTextureSize, limits: GPUSupportedLimits): void {
  if (size.width > limits.maxTextureDimension2D) {
    throw new UsageError(
      `Cannot build the WebGPU NTM: its parameters need a ${size.width}×${size.height} texture, ` +
        `the device's textures are at most ${limits.maxTextureDimension2D} wide; lower ` +
        `controller_size, memory_n, memory_m or the number of heads`,
    );
  }
}

/** Creates the (zero) texture of `size`. */
export function createParamTexture(context: GpuContext, size: ParamTextureSize): GPUTexture {
  return context.device.createTexture({
    label: "ntm params texture",
    size: [size.width, size.height],
    format: "rgba32float",
    usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.STORAGE_BINDING |
      GPUTextureUsage.COPY_DST | GPUTextureUsage.COPY_SRC,
  });
}

/** Uploads a padded store (`packStore`) into the texture; texels past its end become zero. */
export function uploadParamTexture(
  context: GpuContext,
  texture: GPUTexture,
  store: Float32Array,
): void {
  const texels = new Float32Array(4 * texture.width * texture.height);
  texels.set(store);
  context.device.queue.writeTexture(
    { texture },
    texels,
    { bytesPerRow: 16 * texture.width, rowsPerImage: texture.height },
    [texture.width, texture.height],
  );
}

/** Reads the texture back as the padded store of `floats` it holds. */
export async function readParamTexture(
  context: GpuContext,
  texture: GPUTexture,
  floats: number,
): Promise<Float32Array> {
  const rows = context.device.createBuffer({
    label: "ntm params texture rows",
    size: 16 * texture.width * texture.height,
    usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
  });
  try {
    const encoder = context.device.createCommandEncoder({ label: "ntm params texture rows" });
    encoder.copyTextureToBuffer(
      { texture },
      { buffer: rows, bytesPerRow: 16 * texture.width, rowsPerImage: texture.height },
      [texture.width, texture.height],
    );
    submit(context, encoder);
    return await readFloats(context, rows, 0, floats);
  } finally {
    rows.destroy();
  }
}
