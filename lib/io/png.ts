/**
 * PNG files of 8-bit RGB images, still or animated (APNG): what the evaluation pictures are saved
 * as. `node:zlib` deflates the rows and computes the chunk checksums.
 *
 * @module
 */

import { crc32, deflateSync } from "node:zlib";

/** An 8-bit RGB image, rows top to bottom, pixels left to right. */
export interface RgbImage {
  /** Pixels per row. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** `[height, width, 3]`: red, green, blue of each pixel. */
  readonly pixels: Uint8Array;
}

/** The eight bytes every PNG file starts with. */
export const PNG_SIGNATURE: Uint8Array = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);

/** PNG limits width and height to 2^31 - 1. */
const MAX_SIDE = 0x7fff_ffff;

/** One chunk: length, type, data, and the CRC-32 of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(12 + data.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, data.length);
  bytes.set(new TextEncoder().encode(type), 4);
  bytes.set(data, 8);
  view.setUint32(8 + data.length, crc32(bytes.subarray(4, 8 + data.length)));
  return bytes;
}

/** Big-endian bytes: each value as `[value, bytes]`, 4 or 2 bytes wide. */
function fields(...values: [number, 2 | 4][]): Uint8Array {
  const bytes = new Uint8Array(values.reduce((total, [, size]) => total + size, 0));
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const [value, size] of values) {
    if (size === 4) view.setUint32(offset, value);
    else view.setUint16(offset, value);
    offset += size;
  }
  return bytes;
}

/** Throws RangeError unless `image` is a valid RGB image of at least one pixel. */
function checkImage(image: RgbImage, what: string): void {
  const { width, height, pixels } = image;
  for (const [name, side] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(side) || side < 1 || side > MAX_SIDE) {
      throw new RangeError(
        `Cannot encode ${what}: ${name} ${side} is not an integer from 1 to ${MAX_SIDE}`,
      );
    }
  }
  if (pixels.length !== width * height * 3) {
    throw new RangeError(
      `Cannot encode ${what}: ${pixels.length} bytes of pixels, ${width}×${height} RGB needs ` +
        `${width * height * 3}`,
    );
  }
}

/** The image's rows, each preceded by its filter type 0 (none), deflated. */
function deflateRows(image: RgbImage): Uint8Array {
  const { width, height, pixels } = image;
  const rowBytes = width * 3;
  const rows = new Uint8Array(height * (1 + rowBytes));
  for (let y = 0; y < height; y++) {
    rows.set(pixels.subarray(y * rowBytes, (y + 1) * rowBytes), y * (1 + rowBytes) + 1);
  }
  return new Uint8Array(deflateSync(rows));
}

/** The header of an image: size, bit depth 8, RGB, deflate, no filter, no interlace. */
function header(image: RgbImage): Uint8Array {
  const bytes = new Uint8Array(13);
  bytes.set(fields([image.width, 4], [image.height, 4]));
  bytes.set([8, 2, 0, 0, 0], 8);
  return bytes;
}

/** The chunks in order, as one file. */
function concatenate(parts: Uint8Array[]): Uint8Array {
  const file = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    file.set(part, offset);
    offset += part.length;
  }
  return file;
}

/** Encodes `image` as a PNG file (8-bit RGB, no interlacing, no row filters). */
export function encodePng(image: RgbImage): Uint8Array {
  checkImage(image, "a PNG");
  return concatenate([
    PNG_SIGNATURE,
    chunk("IHDR", header(image)),
    chunk("IDAT", deflateRows(image)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/**
 * Encodes `frames` (all of one size) as an animated PNG that loops forever, showing each frame for
 * `frameMs` milliseconds. Viewers without APNG support show the first frame.
 */
export function encodeAnimatedPng(frames: readonly RgbImage[], frameMs: number): Uint8Array {
  if (frames.length === 0) throw new RangeError("Cannot encode an animated PNG: no frames");
  if (!Number.isInteger(frameMs) || frameMs < 1 || frameMs > 0xffff) {
    throw new RangeError(
      `Cannot encode an animated PNG: frameMs ${frameMs} is not an integer from 1 to 65535`,
    );
  }
  const [first] = frames;
  frames.forEach((frame, index) => {
    checkImage(frame, `frame ${index} of an animated PNG`);
    if (frame.width !== first.width || frame.height !== first.height) {
      throw new RangeError(
        `Cannot encode an animated PNG: frame ${index} is ${frame.width}×${frame.height}, ` +
          `frame 0 is ${first.width}×${first.height}; every frame must have one size`,
      );
    }
  });
  const parts = [
    PNG_SIGNATURE,
    chunk("IHDR", header(first)),
    // Frame count, then plays: 0 loops forever.
    chunk("acTL", fields([frames.length, 4], [0, 4])),
  ];
  // fcTL and fdAT chunks share one sequence, from 0.
  let sequence = 0;
  frames.forEach((frame, index) => {
    // Size, offset (0, 0), delay frameMs/1000 s, dispose none, blend source.
    parts.push(chunk(
      "fcTL",
      concatenate([
        fields([sequence++, 4], [frame.width, 4], [frame.height, 4], [0, 4], [0, 4]),
        fields([frameMs, 2], [1000, 2]),
        Uint8Array.of(0, 0),
      ]),
    ));
    const data = deflateRows(frame);
    parts.push(
      index === 0
        ? chunk("IDAT", data)
        : chunk("fdAT", concatenate([fields([sequence++, 4]), data])),
    );
  });
  parts.push(chunk("IEND", new Uint8Array(0)));
  return concatenate(parts);
}
