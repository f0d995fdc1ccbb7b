/**
 * A counter-based random generator: every draw is a pure function of (seed, stream, index).
 *
 * The same three 32-bit integers always give the same draw, on the CPU and in WGSL
 * (`shaders/common/random.wgsl` is the twin, tested to agree bit for bit). Nothing is carried
 * between draws, so a training run resumes exactly from a batch number.
 *
 * Streams used by this project:
 * - stream `n` (1 ≤ n < 2^31): the task data of batch number n;
 * - stream `INIT_STREAM + t`: the initial values of parameter tensor t.
 *
 * @module
 */

/** First stream used for parameter initialisation; data streams lie below it. */
export const INIT_STREAM = 0x8000_0000;

/** A 32-bit integer finaliser (lowbias32) with full avalanche; bijective on u32. */
export function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The draw at (seed, stream, index) as an unsigned 32-bit integer. */
export function randomU32(seed: number, stream: number, index: number): number {
  const seedState = mix32((seed ^ 0x9e3779b9) >>> 0);
  const streamState = mix32((seedState ^ stream) >>> 0);
  return mix32((streamState ^ index) >>> 0);
}

/** A uniform draw in [0, 1) with 24 bits, exact in float32. */
export function randomUniform(seed: number, stream: number, index: number): number {
  return (randomU32(seed, stream, index) >>> 8) / 16777216;
}

/** A fair coin: 0 or 1, from the top bit of the draw. */
export function randomBit(seed: number, stream: number, index: number): number {
  return randomU32(seed, stream, index) >>> 31;
}

/** A uniform integer in [low, high] (inclusive); the range may hold at most 65536 values. */
export function randomInt(
  seed: number,
  stream: number,
  index: number,
  low: number,
  high: number,
): number {
  const count = high - low + 1;
  if (!(count >= 1 && count <= 65536)) {
    throw new RangeError(`Cannot draw an integer in [${low}, ${high}]: at most 65536 values`);
  }
  return low + (((randomU32(seed, stream, index) >>> 16) * count) >>> 16);
}

/** A standard normal draw by Box-Muller from the uniforms at indices 2·index and 2·index+1. */
export function randomNormal(seed: number, stream: number, index: number): number {
  const radius = ((randomU32(seed, stream, 2 * index) >>> 8) + 0.5) / 16777216;
  const angle = (randomU32(seed, stream, 2 * index + 1) >>> 8) / 16777216;
  return Math.sqrt(-2 * Math.log(radius)) * Math.cos(2 * Math.PI * angle);
}
