/**
 * The CPU model's kernels in WebAssembly SIMD (f32x4), float32 only: every kernel of
 * `CpuKernels` (linear products, the heads' memory-wide loops, the LSTM's pointwise step) and
 * the optimizer step. The code is emitted at construction from the `wasm_*_code.ts` files.
 * Every array the Wasm code touches must live in the kernels' own memory: allocate the model's
 * arrays with `allocate` (sized up front, see `FloatArena` and `measureArena`); a kernel called
 * with any other array throws.
 *
 * @example
 * ```ts
 * const build = (allocate: Allocate) => new CpuNtm(layout, { capacity, allocate });
 * const kernels = new WasmKernels(measureArena(build));
 * const model = new CpuNtm(layout, { capacity, kernels, allocate: kernels.allocate });
 * ```
 *
 * @module
 */

import { FloatArena } from "../wasm/float_arena.ts";
import { FunctionBuilder } from "../wasm/function_builder.ts";
import { f32x4, get, set } from "../wasm/instructions.ts";
import { encodeModule } from "../wasm/module_builder.ts";
import type { Allocate, Floats } from "./floats.ts";
import type { CpuKernels } from "./kernels.ts";
import type { RmspropSettings, RmspropState } from "./rmsprop.ts";
import { accumulateRowsCode, matVecAddCode } from "./wasm_linear_code.ts";
import {
  contentBackwardCode,
  contentForwardCode,
  writeBackwardCode,
  writeForwardCode,
} from "./wasm_memory_code.ts";
import { lstmCellForwardCode } from "./wasm_lstm_code.ts";
import { rmspropStepCode } from "./wasm_rmsprop_code.ts";

/** The import under which the module finds its memory. */
const MEMORY_IMPORT = { module: "env", name: "memory" } as const;

/** The module's exports; addresses are byte offsets, sizes are element counts. */
interface KernelExports {
  matVecAdd(
    out: number,
    weights: number,
    x: number,
    rows: number,
    cols: number,
    count: number,
  ): void;
  accumulateRows(
    target: number,
    left: number,
    right: number,
    rows: number,
    depth: number,
    cols: number,
    leftRowStride: number,
    leftDepthStride: number,
  ): void;
  contentForward(
    memory: number,
    key: number,
    beta: number,
    N: number,
    M: number,
    similarity: number,
    rowNorms: number,
    wc: number,
  ): void;
  contentBackward(
    memory: number,
    key: number,
    beta: number,
    N: number,
    M: number,
    similarity: number,
    rowNorms: number,
    wc: number,
    dwc: number,
    dMemory: number,
    dKey: number,
  ): number;
  writeForward(
    before: number,
    w: number,
    erase: number,
    add: number,
    N: number,
    M: number,
    after: number,
  ): void;
  writeBackward(
    before: number,
    w: number,
    erase: number,
    add: number,
    N: number,
    M: number,
    dMemory: number,
    dw: number,
    dErase: number,
    dAdd: number,
  ): void;
  lstmCellForward(
    gates: number,
    cPrev: number,
    H: number,
    B: number,
    c: number,
    tanhC: number,
    h: number,
  ): void;
  rmspropStep(
    params: number,
    grads: number,
    squareAverage: number,
    momentumBuffer: number,
    count: number,
    lr: number,
    alpha: number,
    oneMinusAlpha: number,
    momentum: number,
    eps: number,
    clip: number,
  ): void;
}

/** Whether this runtime runs WebAssembly with 128-bit SIMD. */
export function wasmSimdAvailable(): boolean {
  const probe = new FunctionBuilder("probe", {});
  const lanes = probe.local("lanes", "v128");
  probe.emit(set(lanes, f32x4.add(get(lanes), get(lanes))));
  try {
    return WebAssembly.validate(encodeModule(MEMORY_IMPORT, [probe]));
  } catch {
    return false;
  }
}

/** The kernels, running in WebAssembly on arrays in their own fixed-size memory. */
export class WasmKernels implements CpuKernels {
  /** Hands out zeroed float32 arrays in the kernels' memory. */
  readonly allocate: Allocate;
  readonly #arena: FloatArena;
  readonly #exports: KernelExports;

  /** Compiles the kernels and reserves `bytes` of memory for their arrays. */
  constructor(bytes: number) {
    this.#arena = new FloatArena(bytes);
    this.allocate = this.#arena.allocate;
    const module = new WebAssembly.Module(
      encodeModule(MEMORY_IMPORT, [
        matVecAddCode(),
        accumulateRowsCode(),
        contentForwardCode(),
        contentBackwardCode(),
        writeForwardCode(),
        writeBackwardCode(),
        lstmCellForwardCode(),
        rmspropStepCode(),
      ]),
    );
    const instance = new WebAssembly.Instance(module, {
      [MEMORY_IMPORT.module]: { [MEMORY_IMPORT.name]: this.#arena.memory },
    });
    this.#exports = instance.exports as unknown as KernelExports;
  }

  /** The arena the arrays come from (its size and use). */
  get arena(): FloatArena {
    return this.#arena;
  }

  /** `LinearKernels.matVecAdd`, by the Wasm `matVecAdd`. */
  matVecAdd(out: Floats, W: Floats, x: Floats, rows: number, cols: number, count: number): void {
    this.#exports.matVecAdd(
      this.#address("matVecAdd", "out", out, count * rows),
      this.#address("matVecAdd", "W", W, rows * cols),
      this.#address("matVecAdd", "x", x, count * cols),
      rows,
      cols,
      count,
    );
  }

  /** `LinearKernels.matTVecAdd`, by the Wasm `accumulateRows` over the rows of dy. */
  matTVecAdd(dx: Floats, W: Floats, dy: Floats, rows: number, cols: number, count: number): void {
    // dx[n, :] += Σ_r dy[n, r] · W[r, :]
    this.#exports.accumulateRows(
      this.#address("matTVecAdd", "dx", dx, count * cols),
      this.#address("matTVecAdd", "dy", dy, count * rows),
      this.#address("matTVecAdd", "W", W, rows * cols),
      count,
      rows,
      cols,
      rows,
      1,
    );
  }

  /** `LinearKernels.outerAdd`, by the Wasm `accumulateRows` over the columns of dy. */
  outerAdd(dW: Floats, dy: Floats, x: Floats, rows: number, cols: number, count: number): void {
    // dW[r, :] += Σ_n dy[n, r] · x[n, :]
    this.#exports.accumulateRows(
      this.#address("outerAdd", "dW", dW, rows * cols),
      this.#address("outerAdd", "dy", dy, count * rows),
      this.#address("outerAdd", "x", x, count * cols),
      rows,
      count,
      cols,
      1,
      rows,
    );
  }

  /** `MemoryKernels.contentForward`, whole in Wasm. */
  contentForward(
    memory: Floats,
    key: Floats,
    beta: number,
    N: number,
    M: number,
    similarity: Floats,
    rowNorms: Floats,
    wc: Floats,
  ): void {
    const kernel = "contentForward";
    this.#exports.contentForward(
      this.#address(kernel, "memory", memory, N * M),
      this.#address(kernel, "key", key, M),
      beta,
      N,
      M,
      this.#address(kernel, "similarity", similarity, N),
      this.#address(kernel, "rowNorms", rowNorms, N),
      this.#address(kernel, "wc", wc, N),
    );
  }

  /** `MemoryKernels.contentBackward`, whole in Wasm. */
  contentBackward(
    memory: Floats,
    key: Floats,
    beta: number,
    N: number,
    M: number,
    similarity: Floats,
    rowNorms: Floats,
    wc: Floats,
    dwc: Floats,
    dMemory: Floats,
    dKey: Floats,
  ): number {
    const kernel = "contentBackward";
    return this.#exports.contentBackward(
      this.#address(kernel, "memory", memory, N * M),
      this.#address(kernel, "key", key, M),
      beta,
      N,
      M,
      this.#address(kernel, "similarity", similarity, N),
      this.#address(kernel, "rowNorms", rowNorms, N),
      this.#address(kernel, "wc", wc, N),
      this.#address(kernel, "dwc", dwc, N),
      this.#address(kernel, "dMemory", dMemory, N * M),
      this.#address(kernel, "dKey", dKey, M),
    );
  }

  /** `MemoryKernels.readForward`: a zero fill, then `accumulateRows` over the rows. */
  readForward(memory: Floats, w: Floats, N: number, M: number, read: Floats): void {
    // read[:] = Σ_i w[i] · Mem[i, :]
    const kernel = "readForward";
    const target = this.#address(kernel, "read", read, M);
    read.fill(0, 0, M);
    this.#exports.accumulateRows(
      target,
      this.#address(kernel, "w", w, N),
      this.#address(kernel, "memory", memory, N * M),
      1,
      N,
      M,
      0,
      1,
    );
  }

  /** `MemoryKernels.readBackward`: a `matVecAdd` for dw and an `accumulateRows` for dMemory. */
  readBackward(
    memory: Floats,
    w: Floats,
    N: number,
    M: number,
    dRead: Floats,
    dw: Floats,
    dMemory: Floats,
  ): void {
    // dw[i] += Mem[i, :] · dRead, then dMemory[i, :] += w[i] · dRead
    const kernel = "readBackward";
    const dReadAddress = this.#address(kernel, "dRead", dRead, M);
    this.#exports.matVecAdd(
      this.#address(kernel, "dw", dw, N),
      this.#address(kernel, "memory", memory, N * M),
      dReadAddress,
      N,
      M,
      1,
    );
    this.#exports.accumulateRows(
      this.#address(kernel, "dMemory", dMemory, N * M),
      this.#address(kernel, "w", w, N),
      dReadAddress,
      N,
      1,
      M,
      1,
      0,
    );
  }

  /** `MemoryKernels.writeForward`, whole in Wasm. */
  writeForward(
    before: Floats,
    w: Floats,
    erase: Floats,
    add: Floats,
    N: number,
    M: number,
    after: Floats,
  ): void {
    const kernel = "writeForward";
    this.#exports.writeForward(
      this.#address(kernel, "before", before, N * M),
      this.#address(kernel, "w", w, N),
      this.#address(kernel, "erase", erase, M),
      this.#address(kernel, "add", add, M),
      N,
      M,
      this.#address(kernel, "after", after, N * M),
    );
  }

  /** `MemoryKernels.writeBackward`, whole in Wasm. */
  writeBackward(
    before: Floats,
    w: Floats,
    erase: Floats,
    add: Floats,
    N: number,
    M: number,
    dMemory: Floats,
    dw: Floats,
    dErase: Floats,
    dAdd: Floats,
  ): void {
    const kernel = "writeBackward";
    this.#exports.writeBackward(
      this.#address(kernel, "before", before, N * M),
      this.#address(kernel, "w", w, N),
      this.#address(kernel, "erase", erase, M),
      this.#address(kernel, "add", add, M),
      N,
      M,
      this.#address(kernel, "dMemory", dMemory, N * M),
      this.#address(kernel, "dw", dw, N),
      this.#address(kernel, "dErase", dErase, M),
      this.#address(kernel, "dAdd", dAdd, M),
    );
  }

  /** `LstmKernels.lstmCellForward`, whole in Wasm. */
  lstmCellForward(
    gates: Floats,
    cPrev: Floats,
    H: number,
    B: number,
    c: Floats,
    tanhC: Floats,
    h: Floats,
  ): void {
    const kernel = "lstmCellForward";
    this.#exports.lstmCellForward(
      this.#address(kernel, "gates", gates, B * 4 * H),
      this.#address(kernel, "cPrev", cPrev, B * H),
      H,
      B,
      this.#address(kernel, "c", c, B * H),
      this.#address(kernel, "tanhC", tanhC, B * H),
      this.#address(kernel, "h", h, B * H),
    );
  }

  /** `rmspropStep` of `rmsprop.ts`, in float32 arithmetic. */
  rmspropStep(
    settings: RmspropSettings,
    params: Floats,
    grads: Floats,
    state: RmspropState,
    count: number,
  ): void {
    const kernel = "rmspropStep";
    const { lr, alpha, momentum, eps, clip } = settings;
    this.#exports.rmspropStep(
      this.#address(kernel, "params", params, count),
      this.#address(kernel, "grads", grads, count),
      this.#address(kernel, "squareAverage", state.squareAverage, count),
      this.#address(kernel, "momentumBuffer", state.momentumBuffer, count),
      count,
      lr,
      alpha,
      1 - alpha,
      momentum,
      eps,
      clip,
    );
  }

  /** The byte address of `array`, after checking it lies in the arena and is long enough. */
  #address(kernel: string, name: string, array: Floats, length: number): number {
    if (!this.#arena.contains(array)) {
      throw new TypeError(
        `Cannot run ${kernel}: "${name}" is not a Float32Array in the Wasm kernels' memory ` +
          `(allocate it with the kernels' allocate())`,
      );
    }
    if (array.length < length) {
      throw new RangeError(
        `Cannot run ${kernel}: "${name}" holds ${array.length} floats, the shape needs ${length}`,
      );
    }
    return array.byteOffset;
  }
}
