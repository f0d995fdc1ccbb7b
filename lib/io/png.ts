/**
 * PNG files of 8-bit RGB images: what the evaluation pictures are saved as. `node:zlib` deflates
 * the rows and computes the chunk checksums.
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

/** Encodes `image` as a PNG file (8-bit RGB, no interlacing, no row filters). */
export function encodePng(image: RgbImage): Uint8Array {
  const { width, height, pixels } = image;
  for (const [name, side] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(side) || side < 1 || side > MAX_SIDE) {
      throw new RangeError(
        `Cannot encode a PNG: ${name} ${side} is not an integer from 1 to ${MAX_SIDE}`,
      );
    }
  }
  if (pixels.length !== width * height * 3) {
    throw new RangeError(
      `Cannot encode a PNG: ${pixels.length} bytes of pixels, ${width}×${height} RGB needs ` +
        `${width * height * 3}`,
    );
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB, deflate, no filter, no interlace
  // Each row is preceded by its filter type, 0 (none).
  const rowBytes = width * 3;
  const rows = new Uint8Array(height * (1 + rowBytes));
  for (let y = 0; y < height; y++) {
    rows.set(pixels.subarray(y * rowBytes, (y + 1) * rowBytes), y * (1 + rowBytes) + 1);
  }
  const parts = [
    PNG_SIGNATURE,
    chunk("IHDR", header),
    chunk("IDAT", new Uint8Array(deflateSync(rows))),
    chunk("IEND", new Uint8Array(0)),
  ];
  const file = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    file.set(part, offset);
    offset += part.length;
  }
  return file;
}
