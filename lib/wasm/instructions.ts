/**
 * WebAssembly instructions as typed expressions: each builder returns the bytes that leave one
 * value on the stack (or none, for stores and `local.set`), after checking its operands' types,
 * so kernels read as nested calls (`f32x4.add(get(sum), f32x4.mul(a, b))`) instead of opcode
 * lists. Only the instructions the project's kernels use are here: i32 arithmetic for indices,
 * f32 scalars, and 128-bit SIMD as four f32 lanes.
 *
 * Memory addresses are byte offsets into the module's one memory, as i32 values.
 *
 * @module
 */

import { type Bytes, float32Bytes, signedLeb128, unsignedLeb128 } from "./encoding.ts";

/** The value types the kernels use. */
export type ValueType = "i32" | "f32" | "v128";

/** The binary code of each value type. */
export const VALUE_TYPE_CODES: Readonly<Record<ValueType, number>> = {
  i32: 0x7f,
  f32: 0x7d,
  v128: 0x7b,
};

/** Instructions that leave one value of `type` on the stack, or nothing (`"none"`). */
export interface Expr {
  /** What the instructions leave on the stack. */
  readonly type: ValueType | "none";
  /** The instructions, operands first. */
  readonly bytes: Bytes;
}

/** A parameter or local of a function, by index. */
export interface Local {
  /** The name it was declared with (for error messages). */
  readonly name: string;
  readonly type: ValueType;
  /** Its index: parameters first, then locals, in declaration order. */
  readonly index: number;
}

/** The prefix of every SIMD opcode. */
const SIMD_PREFIX = 0xfd;

function instruction(
  name: string,
  type: Expr["type"],
  operands: readonly (readonly [Expr, ValueType])[],
  opcode: Bytes,
): Expr {
  operands.forEach(([operand, expected], position) => {
    if (operand.type !== expected) {
      throw new TypeError(
        `Cannot build ${name}: operand ${position + 1} is ${operand.type}, expected ${expected}`,
      );
    }
  });
  return { type, bytes: [...operands.flatMap(([operand]) => operand.bytes), ...opcode] };
}

/** A memory immediate: log2 of the alignment hint, then a constant byte offset. */
function memoryArgument(alignLog2: number, offset: number): Bytes {
  return [...unsignedLeb128(alignLog2), ...unsignedLeb128(offset)];
}

/** Reads a parameter or local. */
export function get(local: Local): Expr {
  return { type: local.type, bytes: [0x20, ...unsignedLeb128(local.index)] };
}

/** Writes a parameter or local and leaves the value on the stack (`local.tee`). */
export function tee(local: Local, value: Expr): Expr {
  return instruction(`local.tee ${local.name}`, local.type, [[value, local.type]], [
    0x22,
    ...unsignedLeb128(local.index),
  ]);
}

/** Writes a parameter or local. */
export function set(local: Local, value: Expr): Expr {
  return instruction(`local.set ${local.name}`, "none", [[value, local.type]], [
    0x21,
    ...unsignedLeb128(local.index),
  ]);
}

const binaryI32 = (name: string, opcode: number) => (left: Expr, right: Expr): Expr =>
  instruction(`i32.${name}`, "i32", [[left, "i32"], [right, "i32"]], [opcode]);

/** 32-bit integer instructions (indices, sizes and addresses). */
export const i32 = {
  const: (value: number): Expr => ({ type: "i32", bytes: [0x41, ...signedLeb128(value)] }),
  geS: binaryI32("ge_s", 0x4e),
  add: binaryI32("add", 0x6a),
  mul: binaryI32("mul", 0x6c),
  and: binaryI32("and", 0x71),
};

const binaryF32 = (name: string, opcode: number) => (left: Expr, right: Expr): Expr =>
  instruction(`f32.${name}`, "f32", [[left, "f32"], [right, "f32"]], [opcode]);

/** Scalar float32 instructions. */
export const f32 = {
  const: (value: number): Expr => ({ type: "f32", bytes: [0x43, ...float32Bytes(value)] }),
  load: (address: Expr, offset = 0): Expr =>
    instruction("f32.load", "f32", [[address, "i32"]], [0x2a, ...memoryArgument(2, offset)]),
  store: (address: Expr, value: Expr, offset = 0): Expr =>
    instruction("f32.store", "none", [[address, "i32"], [value, "f32"]], [
      0x38,
      ...memoryArgument(2, offset),
    ]),
  /** `left > right`, as an i32 (1 or 0). */
  gt: (left: Expr, right: Expr): Expr =>
    instruction("f32.gt", "i32", [[left, "f32"], [right, "f32"]], [0x5e]),
  /** `left != right`, as an i32 (1 or 0). */
  ne: (left: Expr, right: Expr): Expr =>
    instruction("f32.ne", "i32", [[left, "f32"], [right, "f32"]], [0x5c]),
  neg: (value: Expr): Expr => instruction("f32.neg", "f32", [[value, "f32"]], [0x8c]),
  sqrt: (value: Expr): Expr => instruction("f32.sqrt", "f32", [[value, "f32"]], [0x91]),
  add: binaryF32("add", 0x92),
  sub: binaryF32("sub", 0x93),
  mul: binaryF32("mul", 0x94),
  div: binaryF32("div", 0x95),
  min: binaryF32("min", 0x96),
  max: binaryF32("max", 0x97),
};

const simd = (code: number, immediates: Bytes = []): Bytes => [
  SIMD_PREFIX,
  ...unsignedLeb128(code),
  ...immediates,
];

const binaryF32x4 = (name: string, code: number) => (left: Expr, right: Expr): Expr =>
  instruction(`f32x4.${name}`, "v128", [[left, "v128"], [right, "v128"]], simd(code));

/** 128-bit loads and stores. */
export const v128 = {
  load: (address: Expr, offset = 0): Expr =>
    instruction("v128.load", "v128", [[address, "i32"]], simd(0x00, memoryArgument(4, offset))),
  /** Loads one float32 into all four lanes. */
  load32Splat: (address: Expr, offset = 0): Expr =>
    instruction(
      "v128.load32_splat",
      "v128",
      [[address, "i32"]],
      simd(0x09, memoryArgument(2, offset)),
    ),
  store: (address: Expr, value: Expr, offset = 0): Expr =>
    instruction(
      "v128.store",
      "none",
      [[address, "i32"], [value, "v128"]],
      simd(0x0b, memoryArgument(4, offset)),
    ),
};

const binaryI32x4 = (name: string, code: number) => (left: Expr, right: Expr): Expr =>
  instruction(`i32x4.${name}`, "v128", [[left, "v128"], [right, "v128"]], simd(code));

/** Four i32 lanes (for building floats from their bits). */
export const i32x4 = {
  splat: (value: Expr): Expr => instruction("i32x4.splat", "v128", [[value, "i32"]], simd(0x11)),
  /** Shifts every lane left by an i32 count. */
  shl: (vector: Expr, count: Expr): Expr =>
    instruction("i32x4.shl", "v128", [[vector, "v128"], [count, "i32"]], simd(0xab)),
  add: binaryI32x4("add", 0xae),
  /** Converts f32 lanes to i32, truncating and saturating. */
  truncSatF32x4: (vector: Expr): Expr =>
    instruction("i32x4.trunc_sat_f32x4_s", "v128", [[vector, "v128"]], simd(0xf8)),
};

/** Four float32 lanes. */
export const f32x4 = {
  splat: (value: Expr): Expr => instruction("f32x4.splat", "v128", [[value, "f32"]], simd(0x13)),
  extractLane: (vector: Expr, lane: number): Expr =>
    instruction("f32x4.extract_lane", "f32", [[vector, "v128"]], simd(0x1f, [lane])),
  /**
   * Picks four lanes from the eight of `left` (0–3) and `right` (4–7); an `i8x16.shuffle`
   * whose byte indices are spelled out from the lane indices.
   */
  shuffle: (left: Expr, right: Expr, lanes: readonly [number, number, number, number]): Expr =>
    instruction(
      "i8x16.shuffle",
      "v128",
      [[left, "v128"], [right, "v128"]],
      simd(0x0d, lanes.flatMap((lane) => [4 * lane, 4 * lane + 1, 4 * lane + 2, 4 * lane + 3])),
    ),
  /** Rounds every lane to the nearest integer, ties to even. */
  nearest: (value: Expr): Expr =>
    instruction("f32x4.nearest", "v128", [[value, "v128"]], simd(0x6a)),
  neg: (value: Expr): Expr => instruction("f32x4.neg", "v128", [[value, "v128"]], simd(0xe1)),
  sqrt: (value: Expr): Expr => instruction("f32x4.sqrt", "v128", [[value, "v128"]], simd(0xe3)),
  add: binaryF32x4("add", 0xe4),
  sub: binaryF32x4("sub", 0xe5),
  mul: binaryF32x4("mul", 0xe6),
  div: binaryF32x4("div", 0xe7),
  min: binaryF32x4("min", 0xe8),
  max: binaryF32x4("max", 0xe9),
};
