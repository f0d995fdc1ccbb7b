/**
 * The WebAssembly code of the linear kernels (see `linear_kernels.ts` for what they compute),
 * written with the `lib/wasm` emitter. Arguments are byte addresses into the module's memory
 * and sizes in elements; all loops run inside Wasm, four float32 lanes at a time.
 *
 * Two functions cover the three kernels:
 * - `matVecAdd`: dot products of weight rows with input rows, four weight rows at a time
 *   (each input chunk is loaded once for all four), reduced across lanes at the end;
 * - `accumulateRows`: `C[i, :] += Σ_k A(i, k) · B[k, :]`, with `A` read through strides, which is
 *   `matTVecAdd` (A = dy rows) and `outerAdd` (A = dy columns). A strip of 16 output columns
 *   stays in four registers over the whole sum.
 *
 * @module
 */

import { FunctionBuilder } from "../wasm/function_builder.ts";
import {
  addTo,
  ColumnSum,
  element,
  FLOAT_BYTES,
  forEachColumn,
  forEachColumnFrom,
  LaneLocal,
  roundDown,
  SCALAR_LANES,
  VECTOR_LANES,
} from "../wasm/idioms.ts";
import { type Expr, f32, f32x4, get, i32, type Local, set, v128 } from "../wasm/instructions.ts";

/**
 * `matVecAdd(out, W, x, rows, cols, count)`: `out[n, r] += Σ_c W[r, c] · x[n, c]`.
 *
 * Per block of four rows and four columns: one x load, four W loads and four multiply-adds;
 * at the end of the block, a lane transpose turns the four accumulators into the four sums.
 * Rows past the last whole block run one at a time.
 */
export function matVecAddCode(): FunctionBuilder {
  const fn = new FunctionBuilder("matVecAdd", {
    out: "i32",
    weights: "i32",
    x: "i32",
    rows: "i32",
    cols: "i32",
    count: "i32",
  });
  const { out, weights, x, rows, cols, count } = fn.params;
  const n = fn.local("n", "i32"), r = fn.local("r", "i32"), c = fn.local("c", "i32");
  const xRow = fn.local("xRow", "i32"), outRow = fn.local("outRow", "i32");
  const rowBytes = fn.local("rowBytes", "i32");
  const weightRow = [0, 1, 2, 3].map((j) => fn.local(`weightRow${j}`, "i32"));
  const sum = [0, 1, 2, 3].map((j) => new ColumnSum(fn, `sum${j}`));
  const xChunk = new LaneLocal(fn, "xChunk");
  const pairSums = [fn.local("pairSums01", "v128"), fn.local("pairSums23", "v128")];
  const blockSums = fn.local("blockSums", "v128");

  /** Sums W rows `r … r + rowCount - 1` against the x row into `sum[0 … rowCount - 1]`. */
  const sumRows = (rowCount: number) => {
    fn.emit(set(weightRow[0], i32.add(get(weights), i32.mul(get(r), get(rowBytes)))));
    for (let j = 1; j < rowCount; j++) {
      fn.emit(set(weightRow[j], i32.add(get(weightRow[j - 1]), get(rowBytes))));
    }
    fn.emit(...sum.slice(0, rowCount).flatMap((s) => s.reset()));
    forEachColumn(fn, c, get(cols), (lanes) => {
      fn.emit(set(xChunk.of(lanes), lanes.load(element(get(xRow), get(c)))));
      for (let j = 0; j < rowCount; j++) {
        const weight = lanes.load(element(get(weightRow[j]), get(c)));
        fn.emit(sum[j].add(lanes, lanes.mul(weight, get(xChunk.of(lanes)))));
      }
    });
  };
  /** `out[n, r + j] += total` */
  const addToOut = (j: number, total: Expr) => {
    const at = element(get(outRow), i32.add(get(r), i32.const(j)));
    return f32.store(at, f32.add(f32.load(at), total));
  };
  /** Lanes (0, 1) of `a` and `b` plus their lanes (2, 3): `[a0+a2, a1+a3, b0+b2, b1+b3]`. */
  const foldPairs = (a: Local, b: Local) =>
    f32x4.add(
      f32x4.shuffle(get(a), get(b), [0, 1, 4, 5]),
      f32x4.shuffle(get(a), get(b), [2, 3, 6, 7]),
    );
  const vectorSum = (j: number) => sum[j].accumulator.of(VECTOR_LANES);

  fn.emit(set(rowBytes, i32.mul(get(cols), i32.const(FLOAT_BYTES))));
  fn.forRange(n, i32.const(0), get(count), 1, () => {
    fn.emit(
      set(xRow, element(get(x), i32.mul(get(n), get(cols)))),
      set(outRow, element(get(out), i32.mul(get(n), get(rows)))),
    );
    fn.forRange(r, i32.const(0), roundDown(get(rows), 4), 4, () => {
      sumRows(4);
      // Lane j of blockSums: the sum of the lanes of sum[j].
      fn.emit(
        set(pairSums[0], foldPairs(vectorSum(0), vectorSum(1))),
        set(pairSums[1], foldPairs(vectorSum(2), vectorSum(3))),
        set(
          blockSums,
          f32x4.add(
            f32x4.shuffle(get(pairSums[0]), get(pairSums[1]), [0, 2, 4, 6]),
            f32x4.shuffle(get(pairSums[0]), get(pairSums[1]), [1, 3, 5, 7]),
          ),
        ),
      );
      for (let j = 0; j < 4; j++) {
        const scalarSum = get(sum[j].accumulator.of(SCALAR_LANES));
        fn.emit(addToOut(j, f32.add(f32x4.extractLane(get(blockSums), j), scalarSum)));
      }
    });
    fn.forRange(r, roundDown(get(rows), 4), get(rows), 1, () => {
      sumRows(1);
      fn.emit(addToOut(0, sum[0].total()));
    });
  });
  return fn;
}

/**
 * `accumulateRows(C, A, B, rows, depth, cols, aRowStride, aDepthStride)`:
 * `C[i, c] += Σ_k A[i·aRowStride + k·aDepthStride] · B[k, c]` for i < rows, k < depth,
 * c < cols (`C` and `B` row-major with `cols` columns).
 *
 * Per strip of 16 columns of one output row: four accumulators loaded from C, then per k one
 * splat load of A and four loads and multiply-adds of B's row.
 */
export function accumulateRowsCode(): FunctionBuilder {
  const fn = new FunctionBuilder("accumulateRows", {
    target: "i32",
    left: "i32",
    right: "i32",
    rows: "i32",
    depth: "i32",
    cols: "i32",
    leftRowStride: "i32",
    leftDepthStride: "i32",
  });
  const { target, left, right, rows, depth, cols, leftRowStride, leftDepthStride } = fn.params;
  const i = fn.local("i", "i32"), k = fn.local("k", "i32"), c = fn.local("c", "i32");
  const targetRow = fn.local("targetRow", "i32"), leftRow = fn.local("leftRow", "i32");
  const leftAt = fn.local("leftAt", "i32"), rightAt = fn.local("rightAt", "i32");
  const leftStep = fn.local("leftStep", "i32"), rightStep = fn.local("rightStep", "i32");
  const scale = fn.local("scale", "v128");
  const strip = [0, 1, 2, 3].map((j) => fn.local(`strip${j}`, "v128"));
  const sum = new LaneLocal(fn, "sum");

  /** Runs `body` for k < depth with `leftAt` at A(i, k) and `rightAt` at B[k, c]. */
  const overDepth = (body: () => void) => {
    fn.emit(set(leftAt, get(leftRow)), set(rightAt, element(get(right), get(c))));
    fn.forRange(k, i32.const(0), get(depth), 1, () => {
      body();
      fn.emit(addTo(leftAt, get(leftStep)), addTo(rightAt, get(rightStep)));
    });
  };

  fn.emit(
    set(leftStep, i32.mul(get(leftDepthStride), i32.const(FLOAT_BYTES))),
    set(rightStep, i32.mul(get(cols), i32.const(FLOAT_BYTES))),
  );
  fn.forRange(i, i32.const(0), get(rows), 1, () => {
    fn.emit(
      set(targetRow, element(get(target), i32.mul(get(i), get(cols)))),
      set(leftRow, element(get(left), i32.mul(get(i), get(leftRowStride)))),
    );
    // Strips of 16 columns, then 4 or 1 at a time.
    fn.forRange(c, i32.const(0), roundDown(get(cols), 16), 16, () => {
      const at = element(get(targetRow), get(c));
      strip.forEach((lanes, j) => fn.emit(set(lanes, v128.load(at, 16 * j))));
      overDepth(() => {
        fn.emit(set(scale, v128.load32Splat(get(leftAt))));
        strip.forEach((lanes, j) =>
          fn.emit(addTo(lanes, f32x4.mul(get(scale), v128.load(get(rightAt), 16 * j))))
        );
      });
      strip.forEach((lanes, j) => fn.emit(v128.store(at, get(lanes), 16 * j)));
    });
    forEachColumnFrom(fn, c, roundDown(get(cols), 16), get(cols), (lanes) => {
      const at = element(get(targetRow), get(c));
      fn.emit(set(sum.of(lanes), lanes.load(at)));
      overDepth(() => {
        const product = lanes.mul(lanes.splat(f32.load(get(leftAt))), lanes.load(get(rightAt)));
        fn.emit(addTo(sum.of(lanes), product));
      });
      fn.emit(lanes.store(at, get(sum.of(lanes))));
    });
  });
  return fn;
}
