/**
 * Seeded test data from the project's counter-based generator (lib/random.ts), so every run and
 * every backend sees the same numbers.
 *
 * @module
 */

import { randomUniform } from "../../lib/random.ts";

/** `length` float32 values uniform in [low, high), drawn from (seed, stream). */
export function randomFloats(
  seed: number,
  stream: number,
  length: number,
  low = -1,
  high = 1,
): Float32Array {
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = low + (high - low) * randomUniform(seed, stream, i);
  return values;
}
