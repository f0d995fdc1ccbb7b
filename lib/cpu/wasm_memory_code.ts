/**
 * The WebAssembly code of the memory-wide kernels (see `memory_kernels.ts`; `addressing.ts` and
 * `memory.ts` define what each computes), written with the `lib/wasm` emitter. Arguments are
 * byte addresses into the module's memory and sizes in elements; every row of M floats runs
 * four lanes at a time. Reading needs no code of its own: it is a `matVecAdd` and an
 * `accumulateRows` (see `wasm_kernels.ts`).
 *
 * @module
 */

import { FunctionBuilder } from "../wasm/function_builder.ts";
import { addTo, ColumnSum, element, forEachColumn, LaneLocal, type Lanes } from "../wasm/idioms.ts";
import { type Expr, f32, get, i32, type Local, set } from "../wasm/instructions.ts";
import { VectorExp } from "../wasm/math.ts";
import { COSINE_EPS, COSINE_OFFSET } from "./addressing.ts";

/** Statements that set `keySquared` to `Σ_m (key_m + 1e-16)²`, using `column` and `v`. */
function sumKeySquares(
  fn: FunctionBuilder,
  key: Local,
  M: Local,
  column: Local,
  v: LaneLocal,
  keySquared: ColumnSum,
): void {
  fn.emit(...keySquared.reset());
  forEachColumn(fn, column, get(M), (lanes) => {
    fn.emit(set(v.of(lanes), offsetLoad(lanes, key, column)));
    fn.emit(keySquared.add(lanes, lanes.mul(get(v.of(lanes)), get(v.of(lanes)))));
  });
}

/** `array[column…] + 1e-16`, the cosine's offset operand. */
function offsetLoad(lanes: Lanes, array: Local, column: Local): Expr {
  const value = lanes.load(element(get(array), get(column)));
  return lanes.add(value, lanes.splat(f32.const(COSINE_OFFSET)));
}

/**
 * `contentForward(memory, key, beta, N, M, similarity, rowNorms, wc)`: `contentForward` of
 * `addressing.ts`, whole. For every row i, `rowNorms[i] = |Mem_i + 1e-16|` and
 * `similarity[i] = cos(Mem_i + 1e-16, key + 1e-16)` with the denominator clamped at 1e-8;
 * then `wc = softmax(beta · similarity)`.
 */
export function contentForwardCode(): FunctionBuilder {
  const fn = new FunctionBuilder("contentForward", {
    memory: "i32",
    key: "i32",
    beta: "f32",
    N: "i32",
    M: "i32",
    similarity: "i32",
    rowNorms: "i32",
    wc: "i32",
  });
  const { memory, key, beta, N, M, similarity, rowNorms, wc } = fn.params;
  const i = fn.local("i", "i32"), m = fn.local("m", "i32"), row = fn.local("row", "i32");
  const keySquared = new ColumnSum(fn, "keySquared");
  const dot = new ColumnSum(fn, "dot"), rowSquared = new ColumnSum(fn, "rowSquared");
  const keyNorm = fn.local("keyNorm", "f32"), rowNorm = fn.local("rowNorm", "f32");
  const u = new LaneLocal(fn, "u"), v = new LaneLocal(fn, "v");
  const largest = fn.local("largest", "f32"), total = new ColumnSum(fn, "total");
  const totalValue = fn.local("totalValue", "f32"), weight = new LaneLocal(fn, "weight");
  const exp = new VectorExp(fn);
  const at = (array: Local) => element(get(array), get(i));

  sumKeySquares(fn, key, M, m, v, keySquared);
  fn.emit(set(keyNorm, f32.sqrt(keySquared.total())));
  fn.forRange(i, i32.const(0), get(N), 1, () => {
    fn.emit(set(row, element(get(memory), i32.mul(get(i), get(M)))));
    fn.emit(...dot.reset(), ...rowSquared.reset());
    forEachColumn(fn, m, get(M), (lanes) => {
      fn.emit(
        set(u.of(lanes), offsetLoad(lanes, row, m)),
        set(v.of(lanes), offsetLoad(lanes, key, m)),
        dot.add(lanes, lanes.mul(get(u.of(lanes)), get(v.of(lanes)))),
        rowSquared.add(lanes, lanes.mul(get(u.of(lanes)), get(u.of(lanes)))),
      );
    });
    fn.emit(
      set(rowNorm, f32.sqrt(rowSquared.total())),
      f32.store(at(rowNorms), get(rowNorm)),
      f32.store(
        at(similarity),
        f32.div(dot.total(), f32.max(f32.mul(get(rowNorm), get(keyNorm)), f32.const(COSINE_EPS))),
      ),
    );
  });
  // wc = softmax(beta · similarity), shifted by the largest logit.
  fn.emit(set(largest, f32.const(-Infinity)));
  fn.forRange(i, i32.const(0), get(N), 1, () => {
    fn.emit(set(largest, f32.max(get(largest), f32.mul(get(beta), f32.load(at(similarity))))));
  });
  fn.emit(...total.reset());
  forEachColumn(fn, i, get(N), (lanes) => {
    const logit = lanes.sub(
      lanes.mul(lanes.splat(get(beta)), lanes.load(at(similarity))),
      lanes.splat(get(largest)),
    );
    fn.emit(
      set(weight.of(lanes), exp.on(lanes, logit)),
      lanes.store(at(wc), get(weight.of(lanes))),
      total.add(lanes, get(weight.of(lanes))),
    );
  });
  fn.emit(set(totalValue, total.total()));
  forEachColumn(fn, i, get(N), (lanes) => {
    fn.emit(lanes.store(at(wc), lanes.div(lanes.load(at(wc)), lanes.splat(get(totalValue)))));
  });
  return fn;
}

/**
 * `contentBackward(memory, key, beta, N, M, similarity, rowNorms, wc, dwc, dMemory, dKey)`,
 * returning the gradient of beta: `contentBackward` of `addressing.ts`, whole.
 *
 * Per row with a non-zero `dSimilarity`, the cosine's gradients are
 * `dMem_i += cross·v - rowSelf·u` and `dKey += cross·u - keySelf·v` (u = Mem_i + 1e-16,
 * v = key + 1e-16), with `cross = dSim/(|u||v|)`, `rowSelf = dSim·cos/|u|²`,
 * `keySelf = dSim·cos/|v|²`; or `cross = dSim/1e-8` and no self terms where the denominator
 * was clamped.
 */
export function contentBackwardCode(): FunctionBuilder {
  const fn = new FunctionBuilder("contentBackward", {
    memory: "i32",
    key: "i32",
    beta: "f32",
    N: "i32",
    M: "i32",
    similarity: "i32",
    rowNorms: "i32",
    wc: "i32",
    dwc: "i32",
    dMemory: "i32",
    dKey: "i32",
  }, "f32");
  const { memory, key, beta, N, M, similarity, rowNorms, wc, dwc, dMemory, dKey } = fn.params;
  const i = fn.local("i", "i32"), m = fn.local("m", "i32");
  const row = fn.local("row", "i32"), dRow = fn.local("dRow", "i32");
  const keySquared = new ColumnSum(fn, "keySquared"), weighted = new ColumnSum(fn, "weighted");
  const keySquares = fn.local("keySquares", "f32"), keyNorm = fn.local("keyNorm", "f32");
  const weightedTotal = fn.local("weightedTotal", "f32"), dBeta = fn.local("dBeta", "f32");
  const dLogit = fn.local("dLogit", "f32"), dSimilarity = fn.local("dSimilarity", "f32");
  const rowNorm = fn.local("rowNorm", "f32"), cosine = fn.local("cosine", "f32");
  const product = fn.local("product", "f32");
  const cross = fn.local("cross", "f32"), rowSelf = fn.local("rowSelf", "f32");
  const keySelf = fn.local("keySelf", "f32");
  const u = new LaneLocal(fn, "u"), v = new LaneLocal(fn, "v");
  const at = (array: Local) => element(get(array), get(i));

  sumKeySquares(fn, key, M, m, v, keySquared);
  fn.emit(set(keySquares, keySquared.total()), set(keyNorm, f32.sqrt(get(keySquares))));
  fn.emit(...weighted.reset());
  forEachColumn(fn, i, get(N), (lanes) => {
    fn.emit(weighted.add(lanes, lanes.mul(lanes.load(at(dwc)), lanes.load(at(wc)))));
  });
  fn.emit(set(weightedTotal, weighted.total()), set(dBeta, f32.const(0)));
  fn.forRange(i, i32.const(0), get(N), 1, () => {
    fn.emit(
      set(cosine, f32.load(at(similarity))),
      set(dLogit, f32.mul(f32.load(at(wc)), f32.sub(f32.load(at(dwc)), get(weightedTotal)))),
      addTo(dBeta, f32.mul(get(dLogit), get(cosine))),
      set(dSimilarity, f32.mul(get(dLogit), get(beta))),
    );
    fn.ifThen(f32.ne(get(dSimilarity), f32.const(0)), () => {
      fn.emit(
        set(rowNorm, f32.load(at(rowNorms))),
        set(product, f32.mul(get(rowNorm), get(keyNorm))),
      );
      fn.ifElse(
        f32.gt(get(product), f32.const(COSINE_EPS)),
        () => {
          const scaledCosine = f32.mul(get(dSimilarity), get(cosine));
          fn.emit(
            set(cross, f32.div(get(dSimilarity), get(product))),
            set(rowSelf, f32.div(scaledCosine, f32.mul(get(rowNorm), get(rowNorm)))),
            set(keySelf, f32.div(scaledCosine, get(keySquares))),
          );
        },
        () => {
          fn.emit(
            set(cross, f32.div(get(dSimilarity), f32.const(COSINE_EPS))),
            set(rowSelf, f32.const(0)),
            set(keySelf, f32.const(0)),
          );
        },
      );
      fn.emit(
        set(row, element(get(memory), i32.mul(get(i), get(M)))),
        set(dRow, element(get(dMemory), i32.mul(get(i), get(M)))),
      );
      forEachColumn(fn, m, get(M), (lanes) => {
        const uValue = get(u.of(lanes)), vValue = get(v.of(lanes));
        const scaled = (scale: Local, value: Expr) => lanes.mul(lanes.splat(get(scale)), value);
        const dRowAt = element(get(dRow), get(m)), dKeyAt = element(get(dKey), get(m));
        fn.emit(
          set(u.of(lanes), offsetLoad(lanes, row, m)),
          set(v.of(lanes), offsetLoad(lanes, key, m)),
          lanes.store(
            dRowAt,
            lanes.add(
              lanes.load(dRowAt),
              lanes.sub(scaled(cross, vValue), scaled(rowSelf, uValue)),
            ),
          ),
          lanes.store(
            dKeyAt,
            lanes.add(
              lanes.load(dKeyAt),
              lanes.sub(scaled(cross, uValue), scaled(keySelf, vValue)),
            ),
          ),
        );
      });
    });
  });
  fn.returnValue(get(dBeta));
  return fn;
}

/**
 * `writeForward(before, w, erase, add, N, M, after)`:
 * `after_i = before_i ∘ (1 - w_i·e) + w_i·a` for every row i.
 */
export function writeForwardCode(): FunctionBuilder {
  const fn = new FunctionBuilder("writeForward", {
    before: "i32",
    w: "i32",
    erase: "i32",
    add: "i32",
    N: "i32",
    M: "i32",
    after: "i32",
  });
  const { before, w, erase, add, N, M, after } = fn.params;
  const i = fn.local("i", "i32"), m = fn.local("m", "i32");
  const offset = fn.local("offset", "i32"), weight = fn.local("weight", "f32");

  fn.forRange(i, i32.const(0), get(N), 1, () => {
    fn.emit(
      set(offset, i32.mul(get(i), get(M))),
      set(weight, f32.load(element(get(w), get(i)))),
    );
    forEachColumn(fn, m, get(M), (lanes) => {
      const at = i32.add(get(offset), get(m));
      const scaledWeight = lanes.splat(get(weight));
      const kept = lanes.sub(
        lanes.splat(f32.const(1)),
        lanes.mul(scaledWeight, lanes.load(element(get(erase), get(m)))),
      );
      fn.emit(
        lanes.store(
          element(get(after), at),
          lanes.add(
            lanes.mul(lanes.load(element(get(before), at)), kept),
            lanes.mul(scaledWeight, lanes.load(element(get(add), get(m)))),
          ),
        ),
      );
    });
  });
  return fn;
}

/**
 * `writeBackward(before, w, erase, add, N, M, dMemory, dw, dErase, dAdd)`: `dMemory` holds the
 * gradient of the memory after the write and becomes that of the memory before it; adds to
 * `dw`, `dErase` and `dAdd`. Per row: `dw_i += Σ_m dAfter·(a - before·e)`,
 * `dErase -= dAfter·before·w_i`, `dAdd += dAfter·w_i`, `dBefore = dAfter·(1 - w_i·e)`.
 */
export function writeBackwardCode(): FunctionBuilder {
  const fn = new FunctionBuilder("writeBackward", {
    before: "i32",
    w: "i32",
    erase: "i32",
    add: "i32",
    N: "i32",
    M: "i32",
    dMemory: "i32",
    dw: "i32",
    dErase: "i32",
    dAdd: "i32",
  });
  const { before, w, erase, add, N, M, dMemory, dw, dErase, dAdd } = fn.params;
  const i = fn.local("i", "i32"), m = fn.local("m", "i32");
  const offset = fn.local("offset", "i32"), weight = fn.local("weight", "f32");
  const dWeight = new ColumnSum(fn, "dWeight");
  const dAfter = new LaneLocal(fn, "dAfter"), old = new LaneLocal(fn, "old");
  const eraseValue = new LaneLocal(fn, "eraseValue");

  fn.forRange(i, i32.const(0), get(N), 1, () => {
    fn.emit(
      set(offset, i32.mul(get(i), get(M))),
      set(weight, f32.load(element(get(w), get(i)))),
      ...dWeight.reset(),
    );
    forEachColumn(fn, m, get(M), (lanes) => {
      const memoryAt = element(get(dMemory), i32.add(get(offset), get(m)));
      const dEraseAt = element(get(dErase), get(m)), dAddAt = element(get(dAdd), get(m));
      const scaledWeight = lanes.splat(get(weight));
      const dAfterValue = get(dAfter.of(lanes)), oldValue = get(old.of(lanes));
      fn.emit(
        set(dAfter.of(lanes), lanes.load(memoryAt)),
        set(old.of(lanes), lanes.load(element(get(before), i32.add(get(offset), get(m))))),
        set(eraseValue.of(lanes), lanes.load(element(get(erase), get(m)))),
        dWeight.add(
          lanes,
          lanes.mul(
            dAfterValue,
            lanes.sub(
              lanes.load(element(get(add), get(m))),
              lanes.mul(oldValue, get(eraseValue.of(lanes))),
            ),
          ),
        ),
        lanes.store(
          dEraseAt,
          lanes.sub(
            lanes.load(dEraseAt),
            lanes.mul(lanes.mul(dAfterValue, oldValue), scaledWeight),
          ),
        ),
        lanes.store(dAddAt, lanes.add(lanes.load(dAddAt), lanes.mul(dAfterValue, scaledWeight))),
        lanes.store(
          memoryAt,
          lanes.mul(
            dAfterValue,
            lanes.sub(
              lanes.splat(f32.const(1)),
              lanes.mul(scaledWeight, get(eraseValue.of(lanes))),
            ),
          ),
        ),
      );
    });
    const dwAt = element(get(dw), get(i));
    fn.emit(f32.store(dwAt, f32.add(f32.load(dwAt), dWeight.total())));
  });
  return fn;
}
