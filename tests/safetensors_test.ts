import assert from "node:assert/strict";
import { UsageError } from "../lib/config.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  shapeSize,
  type Tensor,
  writeSafetensors,
} from "../lib/io/safetensors.ts";
import { withTempDir } from "./helpers/temp_dir.ts";

const FIXTURES = ["copy_default", "repeat_copy_shape", "two_head_pairs_two_layers"];
const fixturePath = (name: string) =>
  new URL(`./fixtures/${name}.safetensors`, import.meta.url).pathname;

function counting(shape: number[]): Tensor {
  const data = new Float32Array(shapeSize(shape));
  for (let i = 0; i < data.length; i++) data[i] = (i % 7) - 3.25 + i * 1e-3;
  return { shape, data };
}

/** A file whose header is `header` (JSON) followed by `dataBytes` zero bytes. */
function rawFile(header: unknown, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length + dataBytes);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  return bytes;
}

Deno.test("encodeSafetensors() and decodeSafetensors() round-trip odd, zero-size and scalar shapes with metadata", () => {
  const tensors: [string, Tensor][] = [
    ["odd", counting([7, 3, 5])],
    ["empty", counting([0])],
    ["empty.inner", counting([3, 0, 2])],
    ["scalar", counting([])],
    ["row", counting([1, 13])],
    ["special", { shape: [4], data: new Float32Array([-0, Infinity, -Infinity, 1e-45]) }],
  ];
  const metadata = { config: '{"a": 1}', note: "ascii only, so the header pads to 8 bytes" };
  const bytes = encodeSafetensors(tensors, metadata);
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(headerLength % 8, 0, "header length is padded to 8 bytes");
  const file = decodeSafetensors(bytes);
  assert.deepEqual([...file.tensors.keys()], tensors.map(([name]) => name));
  assert.deepEqual(file.metadata, metadata);
  for (const [name, tensor] of tensors) {
    const read = file.tensors.get(name)!;
    assert.deepEqual(read.shape, tensor.shape, name);
    assert.deepEqual(
      [...read.data].map((v) => Object.is(v, -0) ? "-0" : v),
      [...tensor.data].map((v) => Object.is(v, -0) ? "-0" : v),
      name,
    );
  }
});

Deno.test("writeSafetensors() writes a file readSafetensors() reads back, leaving no temporary file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/weights.safetensors`;
    await writeSafetensors(path, [["w", counting([5, 2])]], { k: "v" });
    const file = await readSafetensors(path);
    assert.deepEqual([...file.tensors.get("w")!.data], [...counting([5, 2]).data]);
    assert.deepEqual(file.metadata, { k: "v" });
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name);
    assert.deepEqual(names, ["weights.safetensors"]);
  });
});

for (const name of FIXTURES) {
  Deno.test(`readSafetensors() reads fixture ${name}: float32 tensors and its config metadata`, async () => {
    const file = await readSafetensors(fixturePath(name));
    const config = JSON.parse(file.metadata.config);
    for (const param of config.param_names as string[]) {
      assert.ok(file.tensors.has(`param.${param}`), `param.${param} is present`);
    }
    const input = file.tensors.get("input")!;
    assert.deepEqual(input.shape, [config.T_in, config.batch_size, config.num_inputs]);
    const output = file.tensors.get("output")!;
    assert.deepEqual(output.shape, [config.T_out, config.batch_size, config.num_outputs]);
    for (const value of output.data) assert.ok(value > 0 && value < 1, "outputs are sigmoids");
    assert.deepEqual(file.tensors.get("loss")!.shape, [1]);
  });
}

Deno.test("decodeSafetensors() rejects non-F32 dtypes naming the tensor", () => {
  for (const dtype of ["F16", "F64", "BF16", "I32"]) {
    const bytes = rawFile({ w: { dtype, shape: [2], data_offsets: [0, 8] } }, 8);
    assert.throws(
      () => decodeSafetensors(bytes, "x.safetensors"),
      (error: Error) =>
        error instanceof UsageError &&
        error.message ===
          `Cannot read x.safetensors: tensor "w" has dtype ${dtype}; only F32 is supported`,
    );
  }
});

Deno.test("decodeSafetensors() rejects truncated files", async () => {
  const bytes = await Deno.readFile(fixturePath("copy_default"));
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const cases: [Uint8Array, RegExp][] = [
    [bytes.subarray(0, 5), /shorter than its header/],
    [bytes.subarray(0, 8 + headerLength - 10), /header claims \d+ bytes/],
    [bytes.subarray(0, bytes.length - 1), /truncated file\?/],
    [bytes.subarray(0, 8 + headerLength + 100), /truncated file\?/],
  ];
  for (const [truncated, message] of cases) {
    assert.throws(() => decodeSafetensors(truncated, "f"), (error: Error) => {
      assert.ok(error instanceof UsageError, error.message);
      assert.match(error.message, /^Cannot read f: /);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("decodeSafetensors() rejects corrupt headers, metadata and tensor entries", () => {
  const notJson = new Uint8Array(8 + 4);
  new DataView(notJson.buffer).setBigUint64(0, 4n, true);
  notJson.set(new TextEncoder().encode("{{{{"), 8);
  const cases: [Uint8Array, RegExp][] = [
    [notJson, /header is not valid JSON/],
    [rawFile([1, 2], 0), /header is not a JSON object/],
    [rawFile({ w: { dtype: "F32", shape: [2, -1], data_offsets: [0, 8] } }, 8), /malformed/],
    [rawFile({ w: { dtype: "F32", shape: [2], data_offsets: [0] } }, 8), /malformed/],
    [rawFile({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, 8), /needs 12 bytes/],
    [
      rawFile({ __metadata__: null }, 0),
      /: "__metadata__" is null, not an object of strings$/,
    ],
    [
      rawFile({ __metadata__: ["config"] }, 0),
      /: "__metadata__" is \["config"\], not an object of strings$/,
    ],
    [
      rawFile({ __metadata__: { seed: 10 } }, 0),
      /: "__metadata__" entry "seed" is 10, not a string$/,
    ],
    [
      rawFile({ w: null }, 0),
      /: tensor "w" is null, not an object of dtype, shape and data_offsets$/,
    ],
    [rawFile({ w: 3 }, 0), /: tensor "w" is 3, not an object of dtype, shape and data_offsets$/],
    [
      rawFile({ w: { shape: [2], data_offsets: [0, 8] } }, 8),
      /: tensor "w" has no dtype; only F32 is supported$/,
    ],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(() => decodeSafetensors(bytes, "f"), (error: Error) => {
      assert.ok(error instanceof UsageError, error.message);
      assert.match(error.message, /^Cannot read f: /);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("readSafetensors() names a missing file", async () => {
  await assert.rejects(
    () => readSafetensors("/nonexistent/x.safetensors"),
    (error: Error) =>
      error instanceof UsageError &&
      error.message.startsWith("Cannot read /nonexistent/x.safetensors:"),
  );
});
