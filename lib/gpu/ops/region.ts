/**
 * Operands of the tensor ops: regions of storage buffers, and the checks every op runs on them
 * before it prepares a dispatch (sizes, bounds, aliasing), with errors that name the op and the
 * bad operand.
 *
 * @module
 */

/**
 * A tensor inside a storage buffer: float32 elements from `offset` on (in elements, not bytes;
 * default 0). Offsets reach the kernels through a small uniform, so they need no alignment.
 */
export interface TensorRegion {
  /** The storage buffer holding the tensor, row-major float32. */
  readonly buffer: GPUBuffer;
  /** Index of the tensor's first float32 element in the buffer; default 0. */
  readonly offset?: number;
}

/** The element offset of a region (0 when unset). */
export function regionOffset(region: TensorRegion): number {
  return region.offset ?? 0;
}

/** Throws a RangeError unless every named size is a positive integer. */
export function checkSizes(op: string, sizes: Readonly<Record<string, number>>): void {
  for (const [name, value] of Object.entries(sizes)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(
        `Cannot prepare ${op}: ${name} must be a positive integer, got ${value}`,
      );
    }
  }
}

/**
 * Throws a RangeError unless `region` holds `length` elements: a non-negative integer offset
 * and `offset + length` within the buffer. `shape` describes the expected shape for the message.
 */
export function checkRegion(
  op: string,
  name: string,
  region: TensorRegion,
  length: number,
  shape: readonly number[],
): void {
  const offset = regionOffset(region);
  if (!Number.isInteger(offset) || offset < 0) {
    throw new RangeError(
      `Cannot prepare ${op}: ${name}'s offset must be a non-negative integer, got ${offset}`,
    );
  }
  const capacity = Math.floor(region.buffer.size / 4);
  if (offset + length > capacity) {
    throw new RangeError(
      `Cannot prepare ${op}: ${name} [${shape.join(", ")}] needs ${length} elements from offset ` +
        `${offset}, but buffer "${region.buffer.label}" holds ${capacity}`,
    );
  }
}

/**
 * Throws a RangeError if a written operand shares its buffer with another operand: WebGPU
 * forbids binding one buffer both read-only and writable in a dispatch.
 */
export function checkOutputsApart(
  op: string,
  outputs: Readonly<Record<string, TensorRegion>>,
  inputs: Readonly<Record<string, TensorRegion>>,
): void {
  const others = Object.entries({ ...inputs, ...outputs });
  for (const [name, region] of Object.entries(outputs)) {
    for (const [otherName, other] of others) {
      if (otherName !== name && other.buffer === region.buffer) {
        throw new RangeError(
          `Cannot prepare ${op}: ${name} shares buffer "${region.buffer.label}" with ` +
            `${otherName}; a written operand needs a buffer of its own`,
        );
      }
    }
  }
}

/** Runs `checkRegion` on each named operand against its shape (`[rows, cols]`, `[count]`, …). */
export function checkShapes(
  op: string,
  operands: Readonly<Record<string, readonly [TensorRegion, readonly number[]]>>,
): void {
  for (const [name, [region, shape]] of Object.entries(operands)) {
    checkRegion(op, name, region, shape.reduce((product, size) => product * size, 1), shape);
  }
}
