/**
 * The WebAssembly code of `rmspropStep` (see `rmsprop.ts`, which defines it), four parameters
 * at a time in float32.
 *
 * @module
 */

import { FunctionBuilder } from "../wasm/function_builder.ts";
import { element, forEachColumn, LaneLocal } from "../wasm/idioms.ts";
import { f32, get, type Local, set } from "../wasm/instructions.ts";

/**
 * `rmspropStep(params, grads, squareAverage, momentumBuffer, count, lr, alpha, oneMinusAlpha,
 * momentum, eps, clip)`: for i < count, `g = clamp(grad, ±clip)`,
 * `v = alpha·v + (1-alpha)·g²`, `buf = momentum·buf + g/(sqrt(v)+eps)`, `p -= lr·buf`.
 */
export function rmspropStepCode(): FunctionBuilder {
  const fn = new FunctionBuilder("rmspropStep", {
    params: "i32",
    grads: "i32",
    squareAverage: "i32",
    momentumBuffer: "i32",
    count: "i32",
    lr: "f32",
    alpha: "f32",
    oneMinusAlpha: "f32",
    momentum: "f32",
    eps: "f32",
    clip: "f32",
  });
  const {
    params,
    grads,
    squareAverage,
    momentumBuffer,
    count,
    lr,
    alpha,
    oneMinusAlpha,
    momentum,
    eps,
    clip,
  } = fn.params;
  const i = fn.local("i", "i32");
  const g = new LaneLocal(fn, "g"), average = new LaneLocal(fn, "average");
  const buffer = new LaneLocal(fn, "buffer");

  forEachColumn(fn, i, get(count), (lanes) => {
    const at = (array: Local) => element(get(array), get(i));
    const splat = (value: Local) => lanes.splat(get(value));
    const clamped = lanes.min(
      lanes.max(lanes.load(at(grads)), lanes.splat(f32.neg(get(clip)))),
      splat(clip),
    );
    fn.emit(
      set(g.of(lanes), clamped),
      set(
        average.of(lanes),
        lanes.add(
          lanes.mul(splat(alpha), lanes.load(at(squareAverage))),
          lanes.mul(lanes.mul(splat(oneMinusAlpha), get(g.of(lanes))), get(g.of(lanes))),
        ),
      ),
      lanes.store(at(squareAverage), get(average.of(lanes))),
      set(
        buffer.of(lanes),
        lanes.add(
          lanes.mul(splat(momentum), lanes.load(at(momentumBuffer))),
          lanes.div(get(g.of(lanes)), lanes.add(lanes.sqrt(get(average.of(lanes))), splat(eps))),
        ),
      ),
      lanes.store(at(momentumBuffer), get(buffer.of(lanes))),
      lanes.store(
        at(params),
        lanes.sub(lanes.load(at(params)), lanes.mul(splat(lr), get(buffer.of(lanes)))),
      ),
    );
  });
  return fn;
}
