/**
 * The byte-level encodings of the WebAssembly binary format (spec chapter 5): LEB128 integers,
 * little-endian floats, names, vectors and sections.
 *
 * @module
 */

/** A run of bytes being assembled. */
export type Bytes = number[];

/** Unsigned LEB128, as used for counts, sizes and indices. */
export function unsignedLeb128(value: number): Bytes {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new RangeError(`Cannot encode ${value} as unsigned LEB128: it must be a u32`);
  }
  const bytes: Bytes = [];
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    bytes.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return bytes;
}

/** Signed LEB128, as used for `i32.const`. */
export function signedLeb128(value: number): Bytes {
  if (!Number.isInteger(value) || value < -0x8000_0000 || value > 0x7fff_ffff) {
    throw new RangeError(`Cannot encode ${value} as signed LEB128: it must be an i32`);
  }
  const bytes: Bytes = [];
  let rest = value;
  while (true) {
    const low = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (low & 0x40) === 0) || (rest === -1 && (low & 0x40) !== 0);
    bytes.push(done ? low : low | 0x80);
    if (done) return bytes;
  }
}

/** A float32 in little-endian byte order. */
export function float32Bytes(value: number): Bytes {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value, true);
  return [view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3)];
}

/** A name: its UTF-8 length, then its bytes. */
export function name(text: string): Bytes {
  const utf8 = new TextEncoder().encode(text);
  return [...unsignedLeb128(utf8.length), ...utf8];
}

/** A vector: the item count, then the items' bytes in order. */
export function vector(items: readonly Bytes[]): Bytes {
  return [...unsignedLeb128(items.length), ...items.flat()];
}

/** A section: its id, its byte size, then its contents. */
export function section(id: number, contents: Bytes): Bytes {
  return [id, ...unsignedLeb128(contents.length), ...contents];
}
