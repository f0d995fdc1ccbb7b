import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { encodeAnimatedPng, encodePng, PNG_SIGNATURE, type RgbImage } from "../lib/io/png.ts";

/** CRC-32 (IEEE), bit by bit: an independent check of the chunks' checksums. */
function referenceCrc32(bytes: Uint8Array): number {
  let crc = 0xffff_ffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb8_8320 : crc >>> 1;
  }
  return (crc ^ 0xffff_ffff) >>> 0;
}

interface Chunk {
  readonly type: string;
  readonly data: Uint8Array;
}

/** The chunks of a PNG file after its signature, each checksum checked. */
function readChunks(file: Uint8Array): Chunk[] {
  assert.deepEqual(file.subarray(0, 8), PNG_SIGNATURE);
  const view = new DataView(file.buffer, file.byteOffset);
  const chunks: Chunk[] = [];
  for (let offset = 8; offset < file.length;) {
    const length = view.getUint32(offset);
    const type = new TextDecoder().decode(file.subarray(offset + 4, offset + 8));
    const data = file.subarray(offset + 8, offset + 8 + length);
    assert.equal(
      view.getUint32(offset + 8 + length),
      referenceCrc32(file.subarray(offset + 4, offset + 8 + length)),
      `${type} checksum`,
    );
    chunks.push({ type, data });
    offset += 12 + length;
  }
  return chunks;
}

/** Big-endian u32 at `offset` of `bytes`. */
const u32 = (bytes: Uint8Array, offset: number) =>
  new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset);

/** What the rows of `image` deflate from: each row's filter type 0, then its pixels. */
function filteredRows(image: RgbImage): Uint8Array {
  const rowBytes = image.width * 3;
  const rows: number[] = [];
  for (let y = 0; y < image.height; y++) {
    rows.push(0, ...image.pixels.subarray(y * rowBytes, (y + 1) * rowBytes));
  }
  return Uint8Array.from(rows);
}

/** A 3×2 image whose bytes all differ. */
function testImage(offset: number): RgbImage {
  return {
    width: 3,
    height: 2,
    pixels: Uint8Array.from({ length: 18 }, (_, i) => (offset + i * 37) % 256),
  };
}

Deno.test("encodePng() writes signature, IHDR, IDAT and IEND with valid checksums", () => {
  const image = testImage(0);
  const file = encodePng(image);
  const chunks = readChunks(file);
  assert.deepEqual(chunks.map((chunk) => chunk.type), ["IHDR", "IDAT", "IEND"]);
  assert.deepEqual(
    [u32(chunks[0].data, 0), u32(chunks[0].data, 4), ...chunks[0].data.subarray(8)],
    [3, 2, 8, 2, 0, 0, 0],
  );
  assert.deepEqual(new Uint8Array(inflateSync(chunks[1].data)), filteredRows(image));
  assert.deepEqual(file.subarray(-12), Uint8Array.of(0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130));

  assert.throws(
    () => encodePng({ width: 0, height: 2, pixels: new Uint8Array(0) }),
    /Cannot encode a PNG: width 0 is not an integer from 1 to 2147483647/,
  );
  assert.throws(
    () => encodePng({ width: 2, height: 2, pixels: new Uint8Array(11) }),
    /Cannot encode a PNG: 11 bytes of pixels, 2×2 RGB needs 12/,
  );
});

Deno.test("encodeAnimatedPng() writes acTL, then fcTL and IDAT or fdAT per frame, in sequence", () => {
  const frames = [testImage(0), testImage(1), testImage(2)];
  const chunks = readChunks(encodeAnimatedPng(frames, 250));
  assert.deepEqual(chunks.map((chunk) => chunk.type), [
    "IHDR",
    "acTL",
    "fcTL",
    "IDAT",
    "fcTL",
    "fdAT",
    "fcTL",
    "fdAT",
    "IEND",
  ]);
  // 3 frames, looping forever.
  assert.deepEqual([u32(chunks[1].data, 0), u32(chunks[1].data, 4)], [3, 0]);
  const controls = chunks.filter((chunk) => chunk.type === "fcTL");
  // Sequence numbers run over fcTL and fdAT together: 0, (IDAT), 1, 2, 3, 4.
  assert.deepEqual(controls.map((control) => u32(control.data, 0)), [0, 1, 3]);
  assert.deepEqual(
    chunks.filter((chunk) => chunk.type === "fdAT").map((data) => u32(data.data, 0)),
    [2, 4],
  );
  for (const control of controls) {
    const view = new DataView(control.data.buffer, control.data.byteOffset);
    // Size 3×2 at (0, 0), 250/1000 s, dispose none, blend source.
    assert.deepEqual(
      [4, 8, 12, 16].map((offset) => view.getUint32(offset)),
      [3, 2, 0, 0],
    );
    assert.deepEqual([view.getUint16(20), view.getUint16(22)], [250, 1000]);
    assert.deepEqual([...control.data.subarray(24)], [0, 0]);
  }
  const frameData = [
    chunks[3].data,
    chunks[5].data.subarray(4),
    chunks[7].data.subarray(4),
  ];
  frameData.forEach((data, index) =>
    assert.deepEqual(new Uint8Array(inflateSync(data)), filteredRows(frames[index]))
  );

  assert.throws(() => encodeAnimatedPng([], 250), /Cannot encode an animated PNG: no frames/);
  assert.throws(
    () =>
      encodeAnimatedPng([testImage(0), { width: 2, height: 3, pixels: new Uint8Array(18) }], 250),
    /Cannot encode an animated PNG: frame 1 is 2×3, frame 0 is 3×2; every frame must have one size/,
  );
  assert.throws(
    () => encodeAnimatedPng(frames, 0),
    /frameMs 0 is not an integer from 1 to 65535/,
  );
});
