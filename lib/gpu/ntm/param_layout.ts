/**
 * The flat parameter store as the fused kernels read it: the tensors of `paramLayout`, in the
 * same order, but each starting on a 4-float boundary and the rows of every trainable tensor of
 * more than one dimension (weight matrices, and the controller's initial state `[L, 1, H]`, a row
 * per layer) padded to a multiple of 4 floats, so every row starts on a quad. The update kernel
 * then stores whole rows with aligned `vec4<f32>` stores, and no two of its invocations store
 * into one quad (WGSL lets a store to one component of a vector touch all of it); the fused
 * kernels fetch weight rows as texels of the parameter texture (lib/gpu/ntm/param_texture.ts).
 * Padding holds zeros and stays zero through training (its gradient is zero, so RMSprop never
 * moves it).
 *
 * Gradients and the optimizer state use the same layout. `packStore` and `unpackStore` convert
 * at the edges (uploads, `readState`, checkpoints), so the rest of the project only sees the
 * reference layout.
 *
 * @module
 */

import type { ParamEntry, ParamLayout } from "../../params.ts";

/** Rounds a float count up to whole `vec4<f32>`s. */
export function padToVec4(count: number): number {
  return Math.ceil(count / 4) * 4;
}

/** One tensor in the padded store. */
export interface GpuTensor {
  /** The tensor in the reference layout. */
  readonly entry: ParamEntry;
  /** First float in the padded store (a multiple of 4). */
  readonly offset: number;
  /** Rows: every dimension but the last of a padded tensor (`hasPaddedRows`), else 1. */
  readonly rows: number;
  /** Floats per row before padding. */
  readonly cols: number;
  /** Floats per row after padding (a multiple of 4 for padded tensors). */
  readonly stride: number;
  /** Floats the tensor occupies, padding included (a multiple of 4). */
  readonly size: number;
}

/** The padded store of one config. */
export interface GpuParamLayout {
  /** The reference layout it mirrors. */
  readonly layout: ParamLayout;
  /** Every tensor, in the reference order (trainable ones first). */
  readonly tensors: readonly GpuTensor[];
  /** Total floats. */
  readonly size: number;
  /** Floats in the trainable prefix `[0, trainableSize)`, the optimizer's range. */
  readonly trainableSize: number;
  /** Looks a tensor up by its reference name. */
  tensor(name: string): GpuTensor;
}

/** Weight matrices are the trainable 2-D tensors; the parameter texture mirrors them. */
export function isWeightMatrix(entry: ParamEntry): boolean {
  return entry.trainable && entry.shape.length === 2;
}

/** Trainable tensors of more than one dimension get rows padded to whole quads. */
function hasPaddedRows(entry: ParamEntry): boolean {
  return entry.trainable && entry.shape.length > 1;
}

/** Builds the padded store's table for a reference layout. */
export function gpuParamLayout(layout: ParamLayout): GpuParamLayout {
  let offset = 0;
  const tensors = layout.entries.map((entry): GpuTensor => {
    const padded = hasPaddedRows(entry);
    const cols = padded ? entry.shape[entry.shape.length - 1] : entry.size;
    const rows = entry.size / cols;
    const stride = padded ? padToVec4(cols) : cols;
    const tensor = { entry, offset, rows, cols, stride, size: padToVec4(rows * stride) };
    offset += tensor.size;
    return tensor;
  });
  const byName = new Map(tensors.map((tensor) => [tensor.entry.name, tensor]));
  const trainableSize = tensors.filter((tensor) => tensor.entry.trainable)
    .reduce((sum, tensor) => sum + tensor.size, 0);
  return {
    layout,
    tensors,
    size: offset,
    trainableSize,
    tensor(name: string): GpuTensor {
      const found = byName.get(name);
      if (!found) throw new RangeError(`Unknown parameter "${name}"`);
      return found;
    },
  };
}

function selected(gpu: GpuParamLayout, trainableOnly: boolean): readonly GpuTensor[] {
  return trainableOnly ? gpu.tensors.filter((tensor) => tensor.entry.trainable) : gpu.tensors;
}

/**
 * Copies a store in the reference layout into the padded layout: the whole store
 * (`layout.size` floats), or with `trainableOnly` its trainable prefix (gradients, optimizer
 * state: `layout.trainableSize` floats).
 */
export function packStore(
  gpu: GpuParamLayout,
  store: ArrayLike<number>,
  trainableOnly = false,
): Float32Array {
  const expected = trainableOnly ? gpu.layout.trainableSize : gpu.layout.size;
  if (store.length !== expected) {
    throw new RangeError(
      `Cannot pack a store for the GPU: it holds ${store.length} floats, the layout needs ${expected}`,
    );
  }
  const packed = new Float32Array(trainableOnly ? gpu.trainableSize : gpu.size);
  for (const { entry, offset, rows, cols, stride } of selected(gpu, trainableOnly)) {
    for (let row = 0; row < rows; row++) {
      for (let col = 0; col < cols; col++) {
        packed[offset + row * stride + col] = store[entry.offset + row * cols + col];
      }
    }
  }
  return packed;
}

/** The inverse of `packStore`: drops the padding and returns the reference layout. */
export function unpackStore(
  gpu: GpuParamLayout,
  packed: Float32Array,
  trainableOnly = false,
): Float32Array {
  const expected = trainableOnly ? gpu.trainableSize : gpu.size;
  if (packed.length !== expected) {
    throw new RangeError(
      `Cannot unpack a GPU store: it holds ${packed.length} floats, the layout needs ${expected}`,
    );
  }
  const store = new Float32Array(trainableOnly ? gpu.layout.trainableSize : gpu.layout.size);
  for (const { entry, offset, rows, cols, stride } of selected(gpu, trainableOnly)) {
    for (let row = 0; row < rows; row++) {
      store.set(
        packed.subarray(offset + row * stride, offset + row * stride + cols),
        entry.offset + row * cols,
      );
    }
  }
  return store;
}
