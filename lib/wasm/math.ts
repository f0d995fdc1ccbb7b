/**
 * `exp` on four float32 lanes, which WebAssembly lacks: Cephes' `expf` (range reduction to
 * `r = x - n·ln 2` with |r| ≤ ln 2 / 2, a degree-7 polynomial, then the exponent bits of
 * `2^n` built directly), accurate to about 2e-7 relative. Inputs are clamped to
 * [-87.3, 88.3], where `2^n` stays a normal float.
 *
 * @module
 */

import type { FunctionBuilder } from "./function_builder.ts";
import type { Lanes } from "./idioms.ts";
import { type Expr, f32, f32x4, get, i32, i32x4, type Local, tee } from "./instructions.ts";

const LOWEST = -87.3, HIGHEST = 88.3;
const LOG2E = 1.44269504088896341;
/** ln 2 split in two, so `n·LN2_HIGH` is exact for the n that occur. */
const LN2_HIGH = 0.693359375, LN2_LOW = -2.12194440e-4;
/** Cephes' polynomial for `(e^r - 1 - r) / r²`, highest degree first. */
const POLYNOMIAL = [
  1.9875691500e-4,
  1.3981999507e-3,
  8.3334519073e-3,
  4.1665795894e-2,
  1.6666665459e-1,
  5.0000001201e-1,
];
/** Bits of the float32 exponent field: bias and position. */
const EXPONENT_BIAS = 127, MANTISSA_BITS = 23;

const splat = (value: number) => f32x4.splat(f32.const(value));

/** Builds `exp` expressions in one function, with three v128 scratch locals of its own. */
export class VectorExp {
  readonly #x: Local;
  readonly #n: Local;
  readonly #r: Local;

  /** Declares the scratch locals in `fn`. */
  constructor(fn: FunctionBuilder) {
    this.#x = fn.local("expX", "v128");
    this.#n = fn.local("expN", "v128");
    this.#r = fn.local("expR", "v128");
  }

  /** `e^value` on four lanes (value is a v128 of f32 lanes). */
  of(value: Expr): Expr {
    const x = this.#x, n = this.#n, r = this.#r;
    const clamped = f32x4.max(f32x4.min(value, splat(HIGHEST)), splat(LOWEST));
    // The scratch locals are written (tee) at their first use and read after, in stack order.
    const nearestPower = f32x4.nearest(f32x4.mul(get(x), splat(LOG2E)));
    const reduced = f32x4.sub(
      f32x4.sub(tee(x, clamped), f32x4.mul(tee(n, nearestPower), splat(LN2_HIGH))),
      f32x4.mul(get(n), splat(LN2_LOW)),
    );
    let polynomial = f32x4.mul(splat(POLYNOMIAL[0]), tee(r, reduced));
    for (const coefficient of POLYNOMIAL.slice(1, -1)) {
      polynomial = f32x4.mul(f32x4.add(polynomial, splat(coefficient)), get(r));
    }
    polynomial = f32x4.add(polynomial, splat(POLYNOMIAL[POLYNOMIAL.length - 1]));
    const expR = f32x4.add(
      f32x4.add(f32x4.mul(polynomial, f32x4.mul(get(r), get(r))), get(r)),
      splat(1),
    );
    const power = i32x4.shl(
      i32x4.add(i32x4.truncSatF32x4(get(n)), i32x4.splat(i32.const(EXPONENT_BIAS))),
      i32.const(MANTISSA_BITS),
    );
    return f32x4.mul(expR, power);
  }

  /** `e^value` on one f32: lane 0 of the four-lane version. */
  ofScalar(value: Expr): Expr {
    return f32x4.extractLane(this.of(f32x4.splat(value)), 0);
  }

  /** `e^value` for either kind of lanes. */
  on(lanes: Lanes, value: Expr): Expr {
    return lanes.width === 4 ? this.of(value) : this.ofScalar(value);
  }
}
