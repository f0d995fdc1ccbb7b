/**
 * The WebAssembly code of the LSTM's pointwise forward step (`lstmCellForward` of `lstm.ts`,
 * which defines it), four units at a time, with `exp` from `lib/wasm/math.ts`:
 * `sigmoid(x) = 1 / (1 + e^-x)` and `tanh(x) = 2 / (1 + e^-2x) - 1`.
 *
 * @module
 */

import { FunctionBuilder } from "../wasm/function_builder.ts";
import { element, forEachColumn, LaneLocal, type Lanes } from "../wasm/idioms.ts";
import { type Expr, f32, get, i32, type Local, set } from "../wasm/instructions.ts";
import { VectorExp } from "../wasm/math.ts";

/**
 * `lstmCellForward(gates, cPrev, H, B, c, tanhC, h)`: activates `gates [B,4H]` in place
 * (`i, f, o` sigmoid, `g` tanh), then `c = f·c_prev + i·g`, `tanhC = tanh(c)`, `h = o·tanhC`.
 */
export function lstmCellForwardCode(): FunctionBuilder {
  const fn = new FunctionBuilder("lstmCellForward", {
    gates: "i32",
    cPrev: "i32",
    H: "i32",
    B: "i32",
    c: "i32",
    tanhC: "i32",
    h: "i32",
  });
  const { gates, cPrev, H, B, c, tanhC, h } = fn.params;
  const b = fn.local("b", "i32"), j = fn.local("j", "i32");
  const gateRow = fn.local("gateRow", "i32"), unitRow = fn.local("unitRow", "i32");
  const input = new LaneLocal(fn, "input"), forget = new LaneLocal(fn, "forget");
  const cell = new LaneLocal(fn, "cell"), output = new LaneLocal(fn, "output");
  const state = new LaneLocal(fn, "state"), squashed = new LaneLocal(fn, "squashed");
  const exp = new VectorExp(fn);

  const one = (lanes: Lanes) => lanes.splat(f32.const(1));
  const sigmoid = (lanes: Lanes, x: Expr) =>
    lanes.div(one(lanes), lanes.add(one(lanes), exp.on(lanes, lanes.neg(x))));
  const tanh = (lanes: Lanes, x: Expr) => {
    const two = lanes.splat(f32.const(2));
    return lanes.sub(
      lanes.div(
        two,
        lanes.add(one(lanes), exp.on(lanes, lanes.mul(lanes.splat(f32.const(-2)), x))),
      ),
      one(lanes),
    );
  };

  fn.forRange(b, i32.const(0), get(B), 1, () => {
    fn.emit(
      set(gateRow, element(get(gates), i32.mul(get(b), i32.mul(get(H), i32.const(4))))),
      set(unitRow, i32.mul(get(b), get(H))),
    );
    forEachColumn(fn, j, get(H), (lanes) => {
      /** The address of gate `block` (0 i, 1 f, 2 g, 3 o) of unit j. */
      const gateAt = (block: number) =>
        element(get(gateRow), i32.add(get(j), i32.mul(get(H), i32.const(block))));
      const unitAt = (array: Local) => element(get(array), i32.add(get(unitRow), get(j)));
      const activate = (target: LaneLocal, block: number, activation: typeof sigmoid) => [
        set(target.of(lanes), activation(lanes, lanes.load(gateAt(block)))),
        lanes.store(gateAt(block), get(target.of(lanes))),
      ];
      fn.emit(
        ...activate(input, 0, sigmoid),
        ...activate(forget, 1, sigmoid),
        ...activate(cell, 2, tanh),
        ...activate(output, 3, sigmoid),
        set(
          state.of(lanes),
          lanes.add(
            lanes.mul(get(forget.of(lanes)), lanes.load(unitAt(cPrev))),
            lanes.mul(get(input.of(lanes)), get(cell.of(lanes))),
          ),
        ),
        lanes.store(unitAt(c), get(state.of(lanes))),
        set(squashed.of(lanes), tanh(lanes, get(state.of(lanes)))),
        lanes.store(unitAt(tanhC), get(squashed.of(lanes))),
        lanes.store(unitAt(h), lanes.mul(get(output.of(lanes)), get(squashed.of(lanes)))),
      );
    });
  });
  return fn;
}
