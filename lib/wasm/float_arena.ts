/**
 * Float32Array views bump-allocated in one WebAssembly.Memory, so Wasm kernels can work on them
 * in place. The memory is sized once, up front, and never grows: growing a memory detaches
 * every view into it, which would silently break arrays already handed out.
 *
 * @example
 * ```ts
 * const build = (allocate: (length: number) => Float32Array) => ({
 *   weights: allocate(400 * 129),
 *   gradients: allocate(400 * 129),
 * });
 * const arena = new FloatArena(measureArena(build));
 * const { weights, gradients } = build(arena.allocate);
 * ```
 *
 * @module
 */

/** Bytes in a WebAssembly page. */
const PAGE_BYTES = 65536;
/** Pages a 32-bit WebAssembly memory can hold (4 GiB). */
const MAX_PAGES = 65536;
/** Every array starts on a 16-byte boundary, the width of a v128 load. */
const ALIGNMENT = 16;

function alignedBytes(length: number): number {
  return Math.ceil((length * 4) / ALIGNMENT) * ALIGNMENT;
}

/** A fixed-size WebAssembly.Memory handing out zeroed Float32Array views. */
export class FloatArena {
  /** The memory every view lies in. */
  readonly memory: WebAssembly.Memory;
  #used = 0;

  /** Reserves at least `bytes` bytes (rounded up to whole pages). */
  constructor(bytes: number) {
    if (!Number.isInteger(bytes) || bytes < 0) {
      throw new RangeError(`Cannot build a float arena of ${bytes} bytes: need an integer ≥ 0`);
    }
    const pages = Math.max(1, Math.ceil(bytes / PAGE_BYTES));
    if (pages > MAX_PAGES) {
      throw new RangeError(
        `Cannot build a float arena of ${bytes} bytes: a WebAssembly memory holds at most 4 GiB`,
      );
    }
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  }

  /** Bytes the arena holds. */
  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  /** Bytes handed out so far, alignment included. */
  get used(): number {
    return this.#used;
  }

  /** A zeroed array of `length` floats in the arena (an arrow, so it can be passed around). */
  readonly allocate = (length: number): Float32Array => {
    if (!Number.isInteger(length) || length < 0) {
      throw new RangeError(`Cannot allocate ${length} floats: need an integer ≥ 0`);
    }
    const bytes = alignedBytes(length);
    if (this.#used + bytes > this.capacity) {
      throw new RangeError(
        `Cannot allocate ${length} floats: the Wasm arena holds ${this.capacity} bytes and ` +
          `${this.#used} are used; size it with measureArena() before allocating`,
      );
    }
    const array = new Float32Array(this.memory.buffer, this.#used, length);
    this.#used += bytes;
    return array;
  };

  /** Whether `array` is a Float32Array view into this arena's memory. */
  contains(array: ArrayBufferView): boolean {
    return array instanceof Float32Array && array.buffer === this.memory.buffer;
  }
}

/**
 * The bytes an arena needs for `build`, found by running it with an allocator that only counts
 * (it hands out empty arrays, so `build` must allocate and not yet write).
 */
export function measureArena(build: (allocate: (length: number) => Float32Array) => void): number {
  let bytes = 0;
  build((length) => {
    bytes += alignedBytes(length);
    return new Float32Array(0);
  });
  return bytes;
}
