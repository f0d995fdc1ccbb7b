/**
 * Reading and writing safetensors files (float32 tensors), the format of the PyTorch fixtures and
 * of this project's checkpoints.
 *
 * Layout: an 8-byte little-endian header length, a JSON header mapping each tensor name to
 * `{dtype, shape, data_offsets}` (plus an optional `__metadata__` of strings), then the data.
 *
 * @module
 */

import { UsageError } from "../config.ts";
import { writeFileAtomic } from "./atomic_write.ts";

/** A float32 tensor: row-major data and its shape. */
export interface Tensor {
  /** Dimensions, outermost first; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** The elements in row-major order; its length is the product of `shape`. */
  readonly data: Float32Array;
}

/** The contents of a safetensors file. */
export interface Safetensors {
  /** Tensors by name, in file order. */
  readonly tensors: Map<string, Tensor>;
  /** The header's `__metadata__` strings. */
  readonly metadata: Record<string, string>;
}

const MAX_HEADER_BYTES = 100_000_000;

/** Number of elements of a shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** A JSON value for an error message, cut to 40 characters. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** Whether a parsed JSON value is an object (not null, not an array). */
function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The header's `__metadata__`, which must be an object of strings. */
function checkMetadata(value: unknown, fail: (detail: string) => never): Record<string, string> {
  if (!isObject(value)) {
    return fail(`"__metadata__" is ${shown(value)}, not an object of strings`);
  }
  for (const [key, text] of Object.entries(value)) {
    if (typeof text !== "string") {
      fail(`"__metadata__" entry "${key}" is ${shown(text)}, not a string`);
    }
  }
  return value as Record<string, string>;
}

/**
 * The tensor `name` of `tensors`, which must have exactly `shape`; otherwise a UsageError
 * `Cannot load <source>: …` names the tensor and the shape the config needs.
 */
export function requireTensor(
  tensors: ReadonlyMap<string, Tensor>,
  name: string,
  shape: readonly number[],
  source: string,
): Tensor {
  const tensor = tensors.get(name);
  if (!tensor) throw new UsageError(`Cannot load ${source}: tensor "${name}" is missing`);
  if (tensor.shape.join(",") !== shape.join(",")) {
    throw new UsageError(
      `Cannot load ${source}: tensor "${name}" has shape [${tensor.shape}], ` +
        `the config needs [${shape}]`,
    );
  }
  return tensor;
}

/** Parses safetensors bytes; `source` names the file in error messages. */
export function decodeSafetensors(bytes: Uint8Array, source = "safetensors data"): Safetensors {
  const fail = (detail: string): never => {
    throw new UsageError(`Cannot read ${source}: ${detail}`);
  };
  if (bytes.byteLength < 8) fail(`file is ${bytes.byteLength} bytes, shorter than its header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.byteLength) {
    fail(`header claims ${headerLength} bytes but the file holds ${bytes.byteLength}`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    return fail(`header is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(header)) fail("header is not a JSON object");
  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;
  const tensors = new Map<string, Tensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = checkMetadata(entry, fail);
      continue;
    }
    if (!isObject(entry)) {
      return fail(
        `tensor "${name}" is ${shown(entry)}, not an object of dtype, shape and data_offsets`,
      );
    }
    const { dtype, shape, data_offsets: offsets } = entry;
    if (dtype !== "F32") {
      const found = dtype === undefined
        ? "no dtype"
        : `dtype ${typeof dtype === "string" ? dtype : shown(dtype)}`;
      fail(`tensor "${name}" has ${found}; only F32 is supported`);
    }
    if (
      !Array.isArray(shape) || !shape.every((size) => Number.isInteger(size) && size >= 0) ||
      !Array.isArray(offsets) || offsets.length !== 2 ||
      !offsets.every((offset) => Number.isInteger(offset) && offset >= 0)
    ) {
      return fail(`tensor "${name}" has a malformed shape or data_offsets`);
    }
    const [begin, end] = offsets as number[];
    const expected = 4 * shapeSize(shape);
    if (end - begin !== expected) {
      fail(
        `tensor "${name}" of shape [${shape}] needs ${expected} bytes, offsets give ${end - begin}`,
      );
    }
    if (end > dataLength) {
      fail(
        `tensor "${name}" ends at byte ${end} but the data holds ${dataLength} (truncated file?)`,
      );
    }
    const data = new Float32Array(expected / 4);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + begin, dataStart + end));
    tensors.set(name, { shape: [...shape], data });
  }
  return { tensors, metadata };
}

/** Encodes tensors (in the given order) and string metadata as safetensors bytes. */
export function encodeSafetensors(
  tensors: Iterable<[string, Tensor]>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const entries = [...tensors];
  let offset = 0;
  for (const [name, tensor] of entries) {
    if (shapeSize(tensor.shape) !== tensor.data.length) {
      throw new RangeError(
        `Cannot encode tensor "${name}": shape [${tensor.shape}] holds ${
          shapeSize(tensor.shape)
        } values, data holds ${tensor.data.length}`,
      );
    }
    const bytes = 4 * tensor.data.length;
    header[name] = { dtype: "F32", shape: tensor.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces so the data starts 8-byte aligned (counting UTF-8 bytes, not characters).
  const headerBytes = new Uint8Array(Math.ceil(json.byteLength / 8) * 8).fill(0x20);
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.byteLength;
  for (const [, tensor] of entries) {
    const bytes = new Uint8Array(
      tensor.data.buffer,
      tensor.data.byteOffset,
      tensor.data.byteLength,
    );
    out.set(bytes, position);
    position += bytes.byteLength;
  }
  return out;
}

/** Reads a safetensors file; a missing, truncated or corrupt file raises a UsageError. */
export async function readSafetensors(path: string): Promise<Safetensors> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new UsageError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  return decodeSafetensors(bytes, path);
}

/** Writes a safetensors file atomically (temporary file, then rename). */
export async function writeSafetensors(
  path: string,
  tensors: Iterable<[string, Tensor]>,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
