/**
 * The float arrays the CPU reference runs on: Float32Array to match the PyTorch reference and
 * train, Float64Array for finite-difference gradient checks.
 *
 * @module
 */

/** A float array of either precision. */
export type Floats = Float32Array | Float64Array;

/** Makes a zeroed float array of a given length, in the precision of a model. */
export type Allocate = (length: number) => Floats;

/** Allocates plain arrays of the given precision. */
export function plainAllocator(precision: "float32" | "float64"): Allocate {
  return precision === "float32"
    ? (length) => new Float32Array(length)
    : (length) => new Float64Array(length);
}
