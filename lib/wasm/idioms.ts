/**
 * Patterns that recur in the kernels, built from the plain instructions: float array
 * addressing, `+=`, and loops over a row of floats that run four lanes at a time and finish
 * the last `count % 4` elements one by one.
 *
 * @module
 */

import type { FunctionBuilder } from "./function_builder.ts";
import { type Expr, f32, f32x4, get, i32, type Local, set, v128 } from "./instructions.ts";

/** Bytes per float32. */
export const FLOAT_BYTES = 4;

/** `pointer + index · 4`: the address of element `index` of a float array. */
export function element(pointer: Expr, index: Expr): Expr {
  return i32.add(pointer, i32.mul(index, i32.const(FLOAT_BYTES)));
}

/** `local += value`, for i32, f32 and v128 (four f32 lanes) locals. */
export function addTo(local: Local, value: Expr): Expr {
  const add = { i32: i32.add, f32: f32.add, v128: f32x4.add }[local.type];
  return set(local, add(get(local), value));
}

/** `value` rounded down to a multiple of `multiple` (a power of two). */
export function roundDown(value: Expr, multiple: number): Expr {
  return i32.and(value, i32.const(-multiple));
}

/** The sum of the four lanes of a v128, as an f32: `(l0 + l1) + (l2 + l3)`. */
export function horizontalSum(vector: Expr): Expr {
  const lane = (index: number) => f32x4.extractLane(vector, index);
  return f32.add(f32.add(lane(0), lane(1)), f32.add(lane(2), lane(3)));
}

/**
 * Arithmetic on either four lanes (`v128`) or one (`f32`), so one loop body serves both the
 * vector part of a row and its scalar tail.
 */
export interface Lanes {
  /** Elements per step: 4 or 1. */
  readonly width: 4 | 1;
  /** The value type of a step's values. */
  readonly type: "v128" | "f32";
  /** Loads a step's values from a byte address (plus a constant offset). */
  load(address: Expr, offset?: number): Expr;
  /** Stores a step's values at a byte address (plus a constant offset). */
  store(address: Expr, value: Expr, offset?: number): Expr;
  /** One f32 value broadcast to every lane. */
  splat(value: Expr): Expr;
  /** Lane-wise arithmetic, as the f32 instructions of the same names. */
  add(left: Expr, right: Expr): Expr;
  sub(left: Expr, right: Expr): Expr;
  mul(left: Expr, right: Expr): Expr;
  div(left: Expr, right: Expr): Expr;
  min(left: Expr, right: Expr): Expr;
  max(left: Expr, right: Expr): Expr;
  neg(value: Expr): Expr;
  sqrt(value: Expr): Expr;
}

/** Four f32 lanes. */
export const VECTOR_LANES: Lanes = {
  width: 4,
  type: "v128",
  load: v128.load,
  store: v128.store,
  splat: f32x4.splat,
  add: f32x4.add,
  sub: f32x4.sub,
  mul: f32x4.mul,
  div: f32x4.div,
  min: f32x4.min,
  max: f32x4.max,
  neg: f32x4.neg,
  sqrt: f32x4.sqrt,
};

/** One f32. */
export const SCALAR_LANES: Lanes = {
  width: 1,
  type: "f32",
  load: f32.load,
  store: f32.store,
  splat: (value) => value,
  add: f32.add,
  sub: f32.sub,
  mul: f32.mul,
  div: f32.div,
  min: f32.min,
  max: f32.max,
  neg: f32.neg,
  sqrt: f32.sqrt,
};

/**
 * `for (column = 0; column < count; column += width) body(lanes)`: four lanes while at least
 * four elements remain, then one lane. The body is emitted twice, once per kind of lanes.
 */
export function forEachColumn(
  fn: FunctionBuilder,
  column: Local,
  count: Expr,
  body: (lanes: Lanes) => void,
): void {
  forEachColumnFrom(fn, column, i32.const(0), count, body);
}

/** `forEachColumn` from `start` (a multiple of 4) instead of 0. */
export function forEachColumnFrom(
  fn: FunctionBuilder,
  column: Local,
  start: Expr,
  count: Expr,
  body: (lanes: Lanes) => void,
): void {
  fn.forRange(column, start, roundDown(count, 4), 4, () => body(VECTOR_LANES));
  fn.forRange(column, roundDown(count, 4), count, 1, () => body(SCALAR_LANES));
}

/** A local for a `forEachColumn` body: a v128 for the four-lane pass, an f32 for the tail. */
export class LaneLocal {
  readonly #vector: Local;
  readonly #scalar: Local;

  /** Declares both locals in `fn`. */
  constructor(fn: FunctionBuilder, name: string) {
    this.#vector = fn.local(`${name}Lanes`, "v128");
    this.#scalar = fn.local(name, "f32");
  }

  /** The local of `lanes`' kind. */
  of(lanes: Lanes): Local {
    return lanes.width === 4 ? this.#vector : this.#scalar;
  }
}

/**
 * A sum over `forEachColumn`: one accumulator per kind of lanes, started at zero, and their
 * combined total.
 */
export class ColumnSum {
  /** The two accumulators. */
  readonly accumulator: LaneLocal;

  /** Declares the accumulators in `fn`. */
  constructor(fn: FunctionBuilder, name: string) {
    this.accumulator = new LaneLocal(fn, name);
  }

  /** Statements that set both accumulators to zero. */
  reset(): Expr[] {
    return [VECTOR_LANES, SCALAR_LANES].map((lanes) =>
      set(this.accumulator.of(lanes), lanes.splat(f32.const(0)))
    );
  }

  /** `accumulator += value` for the accumulator of `lanes`. */
  add(lanes: Lanes, value: Expr): Expr {
    return addTo(this.accumulator.of(lanes), value);
  }

  /** The total: the lanes of the vector accumulator, plus the scalar one. */
  total(): Expr {
    return f32.add(
      horizontalSum(get(this.accumulator.of(VECTOR_LANES))),
      get(this.accumulator.of(SCALAR_LANES)),
    );
  }
}
