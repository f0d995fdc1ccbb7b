/**
 * Timings of every GPU tensor op (lib/gpu/ops), forward and backward, against its CPU twin from
 * lib/cpu, one group per op with the twin as the baseline, at copy-task shapes (H 100, N 128,
 * M 20, I 9, O 8, one head pair, so the controller sees I + M + H = 129 values and a write head
 * emits 3M + 6 = 66), batch B = 16 and a sequence of T = 22 steps (T·B = 352 vectors). The
 * comment above each group states the FLOPs and bytes its kernel moves per call.
 *
 * Each GPU bench records a batch of dispatches into one compute pass, submits it and waits for
 * completion (no readback), so per-dispatch cost is the time over the count in the name; the
 * CPU baseline runs its twin the same number of times. Gradients that the ops add to keep
 * growing over the iterations on both sides; the two twins that overwrite an input in place
 * (lstmBackward's dc, writeBackward's dMemory) copy it back first, inside the timing.
 * `deno bench -A bench/gpu_ops_bench.ts`.
 *
 * @module
 */

import { headLayout } from "../lib/config.ts";
import {
  contentBackward,
  contentForward,
  interpolateBackward as interpolateBackwardReference,
  interpolateForward,
  sharpenBackward as sharpenBackwardReference,
  sharpenForward,
  shiftBackward as shiftBackwardReference,
  shiftForward,
} from "../lib/cpu/addressing.ts";
import { writeBackward, writeForward } from "../lib/cpu/memory.ts";
import { sigmoid, softplusGrad } from "../lib/cpu/activations.ts";
import { activateHead, activateHeadBackward } from "../lib/cpu/head_activations.ts";
import { type CpuKernels, plainCpuKernels } from "../lib/cpu/kernels.ts";
import { plainKernels } from "../lib/cpu/linear_kernels.ts";
import { lstmBackward, lstmForward } from "../lib/cpu/lstm.ts";
import { softmaxRows, softmaxRowsBackward } from "../lib/cpu/softmax.ts";
import { sumAll as sumAllReference, sumRows as sumRowsReference } from "../lib/cpu/sum.ts";
import {
  createGpuContext,
  type PreparedKernel,
  requestAdapter,
  runKernels,
  storageBuffer,
} from "../lib/gpu/context.ts";
import { activation, activationBackward } from "../lib/gpu/ops/activation.ts";
import { contentAddressing, contentAddressingBackward } from "../lib/gpu/ops/content.ts";
import { headActivations, headActivationsBackward } from "../lib/gpu/ops/head_activations.ts";
import { interpolate, interpolateBackward } from "../lib/gpu/ops/interpolate.ts";
import { memoryWrite, memoryWriteBackward } from "../lib/gpu/ops/memory_write.ts";
import { cosineSimilarity } from "../lib/gpu/ops/cosine_similarity.ts";
import { lstmCell, lstmCellBackward } from "../lib/gpu/ops/lstm_cell.ts";
import { matmul } from "../lib/gpu/ops/matmul.ts";
import type { TensorRegion } from "../lib/gpu/ops/region.ts";
import { sharpen, sharpenBackward } from "../lib/gpu/ops/sharpen.ts";
import { shift, shiftBackward } from "../lib/gpu/ops/shift.ts";
import { softmax, softmaxBackward } from "../lib/gpu/ops/softmax.ts";
import { sumAll, sumRows } from "../lib/gpu/ops/sum.ts";
import { randomUniform } from "../lib/random.ts";

const H = 100, N = 128, M = 20, B = 16, T = 22;
const CONTROLLER_INPUT = 9 + M + H; // x, the read, h_prev
const WRITE_HEAD = 3 * M + 6;
const VECTORS = T * B;
/** The loss's terms: the output phase (about half the steps) of B sequences, O = 8 bits each. */
const LOSS_TERMS = (T / 2) * B * 8;
/** Dispatches per pass (and twin calls per CPU iteration) for the small ops. */
const REPEATS = 50;
/** Fewer for the sequence-sized weight gradient, which takes tens of ms per call on llvmpipe. */
const HEAVY_REPEATS = 5;

let stream = 1;
/** Seeded values uniform in [low, high). */
function values(length: number, low = -1, high = 1): Float32Array {
  const result = new Float32Array(length);
  const seed = stream++;
  for (let i = 0; i < length; i++) result[i] = low + (high - low) * randomUniform(7, seed, i);
  return result;
}

const context = (await requestAdapter()) ? await createGpuContext() : null;
const ignore = context === null;

/** A fresh storage buffer region holding `data` (or `length` zeros). */
function gpuRegion(label: string, data: Float32Array | number): TensorRegion {
  return { buffer: storageBuffer(context!, label, typeof data === "number" ? 4 * data : data) };
}

/** `count` copies of a prepared dispatch (each run records them all into one pass). */
async function repeated(count: number, prepare: () => Promise<PreparedKernel>) {
  if (!context) return [];
  const kernel = await prepare();
  return Array.from({ length: count }, () => kernel);
}

/** Registers a CPU baseline and a GPU bench in one group. */
function group(
  name: string,
  cpu: { readonly name: string; readonly fn: () => void },
  gpu: { readonly name: string; readonly kernels: readonly PreparedKernel[] },
) {
  Deno.bench({ name: `cpu ${cpu.name}`, group: name, baseline: true, fn: cpu.fn });
  Deno.bench({
    name: `gpu ${gpu.name}`,
    group: name,
    ignore,
    async fn() {
      await runKernels(context!, gpu.kernels);
    },
  });
}

// ---- matmul, LSTM weight gradient over a sequence: dW [4H, 129] += dGatesᵀ [4H, T·B]·X [T·B, 129].
// Per call: 2·400·129·352 = 36.3 MFLOP; reads 352·(400 + 129)·4 = 745 KB, reads and writes C
// 2·400·129·4 = 413 KB.
{
  const dGates = values(VECTORS * 4 * H), inputs = values(VECTORS * CONTROLLER_INPUT);
  const dWeights = new Float32Array(4 * H * CONTROLLER_INPUT);
  const kernels = await repeated(HEAVY_REPEATS, async () =>
    await matmul(context!, {
      a: gpuRegion("dGates", dGates),
      b: gpuRegion("inputs", inputs),
      c: gpuRegion("dWeights", dWeights),
    }, { m: 4 * H, n: CONTROLLER_INPUT, k: VECTORS, transposeA: true, accumulate: true }));
  group("matmul dW += dYᵀ·X 400x129, k 352", {
    name: `outerAdd ×${HEAVY_REPEATS}`,
    fn() {
      for (let r = 0; r < HEAVY_REPEATS; r++) {
        plainKernels.outerAdd(dWeights, dGates, inputs, 4 * H, CONTROLLER_INPUT, VECTORS);
      }
    },
  }, { name: `matmul Aᵀ += ×${HEAVY_REPEATS} dispatches, one pass`, kernels });
}

// ---- matmul, write-head weight gradient: dW [66, H] += dRawᵀ [66, T·B]·h [T·B, H].
// Per call: 2·66·100·352 = 4.6 MFLOP; reads 352·166·4 = 234 KB, reads and writes 53 KB.
{
  const dRaw = values(VECTORS * WRITE_HEAD), hidden = values(VECTORS * H);
  const dWeights = new Float32Array(WRITE_HEAD * H);
  const kernels = await repeated(REPEATS, async () =>
    await matmul(context!, {
      a: gpuRegion("dRaw", dRaw),
      b: gpuRegion("hidden", hidden),
      c: gpuRegion("dWeights", dWeights),
    }, { m: WRITE_HEAD, n: H, k: VECTORS, transposeA: true, accumulate: true }));
  group("matmul dW += dYᵀ·X 66x100, k 352", {
    name: `outerAdd ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        plainKernels.outerAdd(dWeights, dRaw, hidden, WRITE_HEAD, H, VECTORS);
      }
    },
  }, { name: `matmul Aᵀ += ×${REPEATS} dispatches, one pass`, kernels });
}

// ---- matmul, one step's LSTM gates: Y [B, 4H] = X [B, 129]·W_ihᵀ (W [4H, 129]).
// Per call: 2·16·400·129 = 1.65 MFLOP; reads (16 + 400)·129·4 = 215 KB, writes 26 KB.
{
  const inputs = values(B * CONTROLLER_INPUT), weights = values(4 * H * CONTROLLER_INPUT);
  const gates = new Float32Array(B * 4 * H);
  const kernels = await repeated(REPEATS, async () =>
    await matmul(context!, {
      a: gpuRegion("inputs", inputs),
      b: gpuRegion("weights", weights),
      c: gpuRegion("gates", gates),
    }, { m: B, n: 4 * H, k: CONTROLLER_INPUT, transposeB: true }));
  group("matmul Y = X·Wᵀ 16x400, k 129", {
    name: `matVecAdd ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        gates.fill(0);
        plainKernels.matVecAdd(gates, weights, inputs, 4 * H, CONTROLLER_INPUT, B);
      }
    },
  }, { name: `matmul Bᵀ ×${REPEATS} dispatches, one pass`, kernels });
}

// ---- matmul, one step's LSTM gradient to its input: dX [B, 129] = dGates [B, 4H]·W_ih [4H, 129].
// Per call: 2·16·129·400 = 1.65 MFLOP; reads (16 + 129)·400·4 = 232 KB, writes 8 KB.
{
  const dGates = values(B * 4 * H), weights = values(4 * H * CONTROLLER_INPUT);
  const dInputs = new Float32Array(B * CONTROLLER_INPUT);
  const kernels = await repeated(REPEATS, async () =>
    await matmul(context!, {
      a: gpuRegion("dGates", dGates),
      b: gpuRegion("weights", weights),
      c: gpuRegion("dInputs", dInputs),
    }, { m: B, n: CONTROLLER_INPUT, k: 4 * H }));
  group("matmul dX = dY·W 16x129, k 400", {
    name: `matTVecAdd ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        dInputs.fill(0);
        plainKernels.matTVecAdd(dInputs, weights, dGates, 4 * H, CONTROLLER_INPUT, B);
      }
    },
  }, { name: `matmul ×${REPEATS} dispatches, one pass`, kernels });
}

// ---- sigmoid over one step's gates [B, 4H]: 6400 exp; reads and writes 6400·4 = 26 KB each.
{
  const x = values(B * 4 * H, -5, 5), y = new Float32Array(x.length);
  const kernels = await repeated(REPEATS, async () =>
    await activation(context!, "sigmoid", {
      x: gpuRegion("x", x),
      y: gpuRegion("y", x.length),
    }, x.length));
  group("activation sigmoid 16x400", {
    name: `sigmoid ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) for (let i = 0; i < x.length; i++) y[i] = sigmoid(x[i]);
    },
  }, { name: `activation ×${REPEATS} dispatches, one pass`, kernels });
}

// ---- softplus gradient dx = dy·f'(x) over [B, 4H] (softplus: its derivative has a CPU twin,
// softplusGrad; sigmoid's and tanh's are a multiply from the saved y): 6400 exp; reads x and dy
// (51 KB), writes 26 KB.
{
  const x = values(B * 4 * H, -5, 5), dy = values(x.length), dx = new Float32Array(x.length);
  const kernels = await repeated(
    REPEATS,
    async () =>
      await activationBackward(context!, "softplus", {
        saved: gpuRegion("x", x),
        dy: gpuRegion("dy", dy),
        dx: gpuRegion("dx", dx.length),
      }, x.length),
  );
  group("activationBackward softplus 16x400", {
    name: `dy·softplusGrad ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        for (let i = 0; i < x.length; i++) dx[i] = dy[i] * softplusGrad(x[i]);
      }
    },
  }, { name: `activationBackward ×${REPEATS} dispatches, one pass`, kernels });
}

// ---- softmax over content logits [B, N]: 2048 exp, 3 passes over the row; 8 KB in, 8 KB out.
{
  const x = values(B * N, -10, 10), y = new Float32Array(x.length);
  const kernels = await repeated(
    REPEATS,
    async () =>
      await softmax(context!, { x: gpuRegion("x", x), y: gpuRegion("y", x.length) }, {
        rows: B,
        cols: N,
      }),
  );
  group("softmax 16x128", {
    name: `softmaxRows ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) softmaxRows(x, B, N, y);
    },
  }, { name: `softmax ×${REPEATS} dispatches, one pass`, kernels });
}

// ---- softmax gradient over [B, N], dx = y·(dy - Σ dy·y): 4 FLOP per element (8 KFLOP), two
// passes over the row; reads y and dy (16 KB), writes 8 KB.
{
  const y = new Float32Array(B * N), dy = values(B * N), dx = new Float32Array(B * N);
  softmaxRows(values(B * N, -10, 10), B, N, y);
  const kernels = await repeated(REPEATS, async () =>
    await softmaxBackward(context!, {
      y: gpuRegion("y", y),
      dy: gpuRegion("dy", dy),
      dx: gpuRegion("dx", dx.length),
    }, { rows: B, cols: N }));
  group("softmaxBackward 16x128", {
    name: `softmaxRowsBackward ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) softmaxRowsBackward(y, dy, B, N, dx);
    },
  }, { name: `softmaxBackward ×${REPEATS} dispatches, one pass`, kernels });
}

// ---- cosine similarity of the memory [B, N, M] against keys [B, M]: 6·B·N·M = 246 KFLOP;
// reads 164 KB of memory, writes 8 KB. (The CPU twin also computes the softmax: content
// addressing is its only form.)
{
  const memory = values(B * N * M), key = values(B * M);
  const similarity = new Float32Array(B * N), norms = new Float32Array(N), wc = new Float32Array(N);
  const kernels = await repeated(REPEATS, async () =>
    await cosineSimilarity(context!, {
      memory: gpuRegion("memory", memory),
      key: gpuRegion("key", key),
      similarity: gpuRegion("similarity", similarity.length),
    }, { batch: B, n: N, m: M }));
  group("cosineSimilarity 16x128x20", {
    name: `contentForward ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        for (let b = 0; b < B; b++) {
          contentForward(
            memory.subarray(b * N * M),
            key.subarray(b * M),
            1,
            N,
            M,
            similarity.subarray(b * N),
            norms,
            wc,
          );
        }
      }
    },
  }, { name: `cosineSimilarity ×${REPEATS} dispatches, one pass`, kernels });
}

// ---- interpolation of [B, N] weightings, wg = g·wc + (1 - g)·w_prev: 3 FLOP per element
// (6 KFLOP); reads 16 KB, writes 8 KB.
// Backward: 7 FLOP per element (14 KFLOP) and a row sum for dGate; reads wc, w_prev and dwg
// (24 KB), reads and writes dwc and dw_prev (16 KB).
{
  const content = values(B * N, 0, 1), previous = values(B * N, 0, 1), gate = values(B, 0, 1);
  const interpolated = new Float32Array(B * N), dInterpolated = values(B * N);
  const dContent = values(B * N), dPrevious = values(B * N), dGate = values(B);
  const forwardRegions = {
    content: gpuRegion("content", content),
    previous: gpuRegion("previous", previous),
    gate: gpuRegion("gate", gate),
  };
  const rowsOf = (array: Float32Array, b: number) => array.subarray(b * N, (b + 1) * N);
  const forward = await repeated(REPEATS, async () =>
    await interpolate(context!, {
      ...forwardRegions,
      interpolated: gpuRegion("interpolated", interpolated.length),
    }, { batch: B, n: N }));
  group("interpolate 16x128", {
    name: `interpolateForward ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        for (let b = 0; b < B; b++) {
          interpolateForward(
            rowsOf(content, b),
            rowsOf(previous, b),
            gate[b],
            N,
            rowsOf(interpolated, b),
          );
        }
      }
    },
  }, { name: `interpolate ×${REPEATS} dispatches, one pass`, kernels: forward });
  const backward = await repeated(REPEATS, async () =>
    await interpolateBackward(context!, {
      ...forwardRegions,
      dInterpolated: gpuRegion("dInterpolated", dInterpolated),
      dContent: gpuRegion("dContent", dContent),
      dPrevious: gpuRegion("dPrevious", dPrevious),
      dGate: gpuRegion("dGate", dGate),
    }, { batch: B, n: N }));
  group("interpolateBackward 16x128", {
    name: `interpolateBackward ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        for (let b = 0; b < B; b++) {
          dGate[b] += interpolateBackwardReference(
            rowsOf(content, b),
            rowsOf(previous, b),
            gate[b],
            N,
            rowsOf(dInterpolated, b),
            rowsOf(dContent, b),
            rowsOf(dPrevious, b),
          );
        }
      }
    },
  }, { name: `interpolateBackward ×${REPEATS} dispatches, one pass`, kernels: backward });
}

// ---- shift of [B, N] weightings: 5·B·N = 10 KFLOP; 8 KB in, 8 KB out.
{
  const weights = values(B * N, 0, 1), taps = values(B * 3, 0, 1);
  const shifted = new Float32Array(B * N);
  const kernels = await repeated(REPEATS, async () =>
    await shift(context!, {
      weights: gpuRegion("weights", weights),
      shift: gpuRegion("shift", taps),
      shifted: gpuRegion("shifted", shifted.length),
    }, { batch: B, n: N }));
  group("shift 16x128", {
    name: `shiftForward ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        for (let b = 0; b < B; b++) {
          shiftForward(weights.subarray(b * N), taps.subarray(3 * b), N, shifted.subarray(b * N));
        }
      }
    },
  }, { name: `shift ×${REPEATS} dispatches, one pass`, kernels });
}

// ---- shift's backward over [B, N]: 12 FLOP per element (25 KFLOP) and three row sums for
// dShift; reads the weights and dShifted (16 KB), reads and writes dWeights (8 KB).
{
  const weights = values(B * N, 0, 1), taps = values(B * 3, 0, 1), dShifted = values(B * N);
  const dWeights = values(B * N), dShift = values(B * 3);
  const kernels = await repeated(REPEATS, async () =>
    await shiftBackward(context!, {
      weights: gpuRegion("weights", weights),
      shift: gpuRegion("shift", taps),
      dShifted: gpuRegion("dShifted", dShifted),
      dWeights: gpuRegion("dWeights", dWeights),
      dShift: gpuRegion("dShift", dShift),
    }, { batch: B, n: N }));
  group("shiftBackward 16x128", {
    name: `shiftBackward ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        for (let b = 0; b < B; b++) {
          shiftBackwardReference(
            weights.subarray(b * N),
            taps.subarray(3 * b),
            N,
            dShifted.subarray(b * N),
            dWeights.subarray(b * N),
            dShift.subarray(3 * b),
          );
        }
      }
    },
  }, { name: `shiftBackward ×${REPEATS} dispatches, one pass`, kernels });
}

// ---- sharpen of [B, N] weightings: B·N pow (twice on the GPU) and a row sum; 8 KB in and out.
{
  const ws = values(B * N, 0, 1), gamma = values(B, 1, 4);
  const w = new Float32Array(B * N);
  const kernels = await repeated(REPEATS, async () =>
    await sharpen(context!, {
      shifted: gpuRegion("shifted", ws),
      gamma: gpuRegion("gamma", gamma),
      sharpened: gpuRegion("sharpened", w.length),
    }, { batch: B, n: N }));
  group("sharpen 16x128", {
    name: `sharpenForward ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        for (let b = 0; b < B; b++) {
          sharpenForward(ws.subarray(b * N), gamma[b], N, w.subarray(b * N));
        }
      }
    },
  }, { name: `sharpen ×${REPEATS} dispatches, one pass`, kernels });
}

// ---- sharpening's backward over [B, N]: 10 FLOP and a log per element (20 KFLOP, 2048 log),
// two passes over the row; reads ws, w and dw (24 KB), reads and writes dws (8 KB).
{
  const ws = values(B * N, 0, 1), gamma = values(B, 1, 4), dw = values(B * N);
  const w = new Float32Array(B * N), dws = values(B * N), dGamma = values(B);
  const rowsOf = (array: Float32Array, b: number) => array.subarray(b * N, (b + 1) * N);
  for (let b = 0; b < B; b++) sharpenForward(rowsOf(ws, b), gamma[b], N, rowsOf(w, b));
  const kernels = await repeated(REPEATS, async () =>
    await sharpenBackward(context!, {
      shifted: gpuRegion("shifted", ws),
      gamma: gpuRegion("gamma", gamma),
      sharpened: gpuRegion("sharpened", w),
      dSharpened: gpuRegion("dSharpened", dw),
      dShifted: gpuRegion("dShifted", dws),
      dGamma: gpuRegion("dGamma", dGamma),
    }, { batch: B, n: N }));
  group("sharpenBackward 16x128", {
    name: `sharpenBackward ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        for (let b = 0; b < B; b++) {
          dGamma[b] += sharpenBackwardReference(
            rowsOf(ws, b),
            gamma[b],
            N,
            rowsOf(w, b),
            rowsOf(dw, b),
            rowsOf(dws, b),
          );
        }
      }
    },
  }, { name: `sharpenBackward ×${REPEATS} dispatches, one pass`, kernels });
}

// ---- bias gradient of the LSTM over a sequence: Σ over T·B rows of dGates [352, 4H]:
// 141 K adds; reads 563 KB, writes 1.6 KB.
{
  const dGates = values(VECTORS * 4 * H), dBias = new Float32Array(4 * H);
  const kernels = await repeated(REPEATS, async () =>
    await sumRows(context!, {
      input: gpuRegion("dGates", dGates),
      output: gpuRegion("dBias", dBias),
    }, { count: VECTORS, width: 4 * H, accumulate: true }));
  group("sumRows 352x400", {
    name: `sumRows ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) sumRowsReference(dBias, dGates, VECTORS, 4 * H);
    },
  }, { name: `sumRows += ×${REPEATS} dispatches, one pass`, kernels });
}

// ---- total of the loss terms [T/2·B·O] = 1408 (one workgroup): 1408 adds; reads 5.6 KB, writes
// one value.
{
  const terms = values(LOSS_TERMS, 0, 1), total = new Float32Array(1);
  const kernels = await repeated(REPEATS, async () =>
    await sumAll(context!, {
      input: gpuRegion("terms", terms),
      output: gpuRegion("total", total.length),
    }, { count: LOSS_TERMS }));
  group(`sumAll ${LOSS_TERMS}`, {
    name: `sumAll ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) total[0] = sumAllReference(terms);
    },
  }, { name: `sumAll ×${REPEATS} dispatches, one pass`, kernels });
}

// ---- LSTM cell [B, H]: 5 transcendental functions per unit (8000); reads 32 KB, writes 45 KB.
// The CPU twin is lstmForward with its matrix products stubbed out (bias sums and the pointwise
// cell remain).
{
  const pre = values(B * 4 * H, -4, 4), cPrev = values(B * H);
  const gates = new Float32Array(B * 4 * H), c = new Float32Array(B * H);
  const tanhC = new Float32Array(B * H), h = new Float32Array(B * H);
  const weights = {
    weightIh: new Float32Array(0),
    weightHh: new Float32Array(0),
    biasIh: pre.subarray(0, 4 * H),
    biasHh: new Float32Array(4 * H),
  };
  const noProducts: CpuKernels = {
    ...plainCpuKernels,
    matVecAdd() {},
    matTVecAdd() {},
    outerAdd() {},
  };
  const kernels = await repeated(REPEATS, async () =>
    await lstmCell(context!, {
      preActivations: gpuRegion("preActivations", pre),
      cPrev: gpuRegion("cPrev", cPrev),
      gates: gpuRegion("gates", gates.length),
      c: gpuRegion("c", c.length),
      h: gpuRegion("h", h.length),
    }, { batch: B, hidden: H }));
  group("lstmCell 16x100", {
    name: `lstmForward without products ×${REPEATS}`,
    fn() {
      const shape = { hidden: H, inputs: 0, batch: B };
      for (let r = 0; r < REPEATS; r++) {
        lstmForward(noProducts, weights, shape, pre, h, cPrev, gates, c, tanhC, h);
      }
    },
  }, { name: `lstmCell ×${REPEATS} dispatches, one pass`, kernels });

  // Backward [B, H]: about 22 FLOP per unit (35 KFLOP), and on the GPU a tanh of c (the CPU
  // reads it saved); reads gates, c_prev, c, dh and dc (51 KB), writes dPreActivations and
  // dc_prev (32 KB). The CPU twin is lstmBackward without products; it replaces dc by dc_prev in
  // place, so each call first copies dc (6.4 KB) into the array it overwrites.
  const savedGates = pre.slice(), savedC = new Float32Array(B * H);
  const savedTanhC = new Float32Array(B * H);
  plainCpuKernels.lstmCellForward(savedGates, cPrev, H, B, savedC, savedTanhC, h);
  const dh = values(B * H), dc = values(B * H);
  const dPre = new Float32Array(B * 4 * H), dcPrev = new Float32Array(B * H);
  const backward = await repeated(REPEATS, async () =>
    await lstmCellBackward(context!, {
      gates: gpuRegion("gates", savedGates),
      cPrev: gpuRegion("cPrev", cPrev),
      c: gpuRegion("c", savedC),
      dh: gpuRegion("dh", dh),
      dc: gpuRegion("dc", dc),
      dPreActivations: gpuRegion("dPreActivations", dPre.length),
      dcPrev: gpuRegion("dcPrev", dcPrev.length),
    }, { batch: B, hidden: H }));
  group("lstmCellBackward 16x100", {
    name: `lstmBackward without products ×${REPEATS}`,
    fn() {
      const shape = { hidden: H, inputs: 0, batch: B };
      const unused = new Float32Array(0);
      for (let r = 0; r < REPEATS; r++) {
        dcPrev.set(dc);
        lstmBackward(
          noProducts,
          weights,
          shape,
          savedGates,
          cPrev,
          savedTanhC,
          dh,
          dcPrev,
          dPre,
          unused,
          unused,
        );
      }
    },
  }, { name: `lstmCellBackward ×${REPEATS} dispatches, one pass`, kernels: backward });
}

// ---- write-head activations [B, 3M + 6]: per row 26 exp and 2 log (softplus twice, the gate,
// the shift's softmax over 3, M erase sigmoids), 416 exp in all; reads and writes 4.2 KB each.
// Backward: about 80 FLOP and 2 exp per row (1.3 KFLOP); reads raw, act and dAct (12.7 KB),
// writes dRaw (4.2 KB).
{
  const layout = headLayout("write", M);
  const raw = values(B * WRITE_HEAD, -5, 5), act = new Float32Array(B * WRITE_HEAD);
  const dAct = values(B * WRITE_HEAD), dRaw = new Float32Array(B * WRITE_HEAD);
  const rowOf = (array: Float32Array, b: number) =>
    array.subarray(b * WRITE_HEAD, (b + 1) * WRITE_HEAD);
  for (let b = 0; b < B; b++) activateHead(layout, M, rowOf(raw, b), rowOf(act, b));
  const rawRegion = gpuRegion("raw", raw);
  const shape = { kind: "write", batch: B, m: M } as const;
  const forward = await repeated(
    REPEATS,
    async () =>
      await headActivations(context!, { raw: rawRegion, act: gpuRegion("act", act.length) }, shape),
  );
  group("headActivations write 16x66", {
    name: `activateHead ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        for (let b = 0; b < B; b++) activateHead(layout, M, rowOf(raw, b), rowOf(act, b));
      }
    },
  }, { name: `headActivations ×${REPEATS} dispatches, one pass`, kernels: forward });
  const backward = await repeated(REPEATS, async () =>
    await headActivationsBackward(context!, {
      raw: rawRegion,
      act: gpuRegion("saved act", act),
      dAct: gpuRegion("dAct", dAct),
      dRaw: gpuRegion("dRaw", dRaw.length),
    }, shape));
  group("headActivationsBackward write 16x66", {
    name: `activateHeadBackward ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        for (let b = 0; b < B; b++) {
          activateHeadBackward(
            layout,
            M,
            rowOf(raw, b),
            rowOf(act, b),
            rowOf(dAct, b),
            rowOf(dRaw, b),
          );
        }
      }
    },
  }, { name: `headActivationsBackward ×${REPEATS} dispatches, one pass`, kernels: backward });
}

// ---- content addressing [B, N, M], forward: the cosine (6·B·N·M = 246 KFLOP) and a softmax
// over N; reads 164 KB of memory, writes 16 KB (similarity and weights).
// Backward: about twice the forward's arithmetic; reads the memory twice more (dMemory and the
// key's sum), reads and writes dMemory (328 KB).
{
  const memory = values(B * N * M), key = values(B * M), beta = values(B, 0, 10);
  const similarity = new Float32Array(B * N), norms = new Float32Array(B * N);
  const weights = new Float32Array(B * N), dWeights = values(B * N);
  const dMemory = new Float32Array(B * N * M), dKey = new Float32Array(B * M);
  const forwardRegions = {
    memory: gpuRegion("memory", memory),
    key: gpuRegion("key", key),
    beta: gpuRegion("beta", beta),
  };
  const similarityRegion = gpuRegion("similarity", similarity.length);
  const weightsRegion = gpuRegion("weights", weights.length);
  const forward = await repeated(REPEATS, async () =>
    await contentAddressing(context!, {
      ...forwardRegions,
      similarity: similarityRegion,
      weights: weightsRegion,
    }, { batch: B, n: N, m: M }));
  const rowsOf = (array: Float32Array, b: number) => array.subarray(b * N, (b + 1) * N);
  const memoryOf = (array: Float32Array, b: number) => array.subarray(b * N * M);
  const keyOf = (array: Float32Array, b: number) => array.subarray(b * M);
  group("contentAddressing 16x128x20", {
    name: `contentForward ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        for (let b = 0; b < B; b++) {
          contentForward(
            memoryOf(memory, b),
            keyOf(key, b),
            beta[b],
            N,
            M,
            rowsOf(similarity, b),
            rowsOf(norms, b),
            rowsOf(weights, b),
          );
        }
      }
    },
  }, { name: `contentAddressing ×${REPEATS} dispatches, one pass`, kernels: forward });
  const backward = await repeated(REPEATS, async () =>
    await contentAddressingBackward(context!, {
      ...forwardRegions,
      similarity: similarityRegion,
      weights: weightsRegion,
      dWeights: gpuRegion("dWeights", dWeights),
      dMemory: gpuRegion("dMemory", dMemory.length),
      dKey: gpuRegion("dKey", dKey.length),
      dBeta: gpuRegion("dBeta", B),
    }, { batch: B, n: N, m: M }));
  group("contentAddressingBackward 16x128x20", {
    name: `contentBackward ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        for (let b = 0; b < B; b++) {
          contentBackward(
            memoryOf(memory, b),
            keyOf(key, b),
            beta[b],
            N,
            M,
            rowsOf(similarity, b),
            rowsOf(norms, b),
            rowsOf(weights, b),
            rowsOf(dWeights, b),
            memoryOf(dMemory, b),
            keyOf(dKey, b),
          );
        }
      }
    },
  }, { name: `contentAddressingBackward ×${REPEATS} dispatches, one pass`, kernels: backward });
}

// ---- memory write [B, N, M]: 4 FLOP per element (164 KFLOP); reads 164 KB, writes 164 KB.
{
  const before = values(B * N * M), weights = values(B * N, 0, 1);
  const erase = values(B * M, 0, 1), add = values(B * M), after = new Float32Array(B * N * M);
  const kernels = await repeated(REPEATS, async () =>
    await memoryWrite(context!, {
      before: gpuRegion("before", before),
      weights: gpuRegion("weights", weights),
      erase: gpuRegion("erase", erase),
      add: gpuRegion("add", add),
      after: gpuRegion("after", after.length),
    }, { batch: B, n: N, m: M }));
  group("memoryWrite 16x128x20", {
    name: `writeForward ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        for (let b = 0; b < B; b++) {
          writeForward(
            before.subarray(b * N * M),
            weights.subarray(b * N),
            erase.subarray(b * M),
            add.subarray(b * M),
            N,
            M,
            after.subarray(b * N * M),
          );
        }
      }
    },
  }, { name: `memoryWrite ×${REPEATS} dispatches, one pass`, kernels });

  // Backward: about 12 FLOP per element (492 KFLOP); reads the memory before the write and
  // dAfter (328 KB), writes dBefore (164 KB), reads and writes dWeights, dErase and dAdd (10 KB).
  // The CPU twin writeBackward turns dAfter into dBefore in place, so each call first copies
  // dAfter (164 KB) into the array it overwrites.
  const dAfter = values(B * N * M), dBefore = new Float32Array(B * N * M);
  const dWeights = values(B * N), dErase = values(B * M), dAdd = values(B * M);
  const backward = await repeated(REPEATS, async () =>
    await memoryWriteBackward(context!, {
      before: gpuRegion("before", before),
      weights: gpuRegion("weights", weights),
      erase: gpuRegion("erase", erase),
      add: gpuRegion("add", add),
      dAfter: gpuRegion("dAfter", dAfter),
      dBefore: gpuRegion("dBefore", dBefore.length),
      dWeights: gpuRegion("dWeights", dWeights),
      dErase: gpuRegion("dErase", dErase),
      dAdd: gpuRegion("dAdd", dAdd),
    }, { batch: B, n: N, m: M }));
  group("memoryWriteBackward 16x128x20", {
    name: `writeBackward ×${REPEATS}`,
    fn() {
      for (let r = 0; r < REPEATS; r++) {
        dBefore.set(dAfter);
        for (let b = 0; b < B; b++) {
          writeBackward(
            before.subarray(b * N * M),
            weights.subarray(b * N),
            erase.subarray(b * M),
            add.subarray(b * M),
            N,
            M,
            dBefore.subarray(b * N * M),
            dWeights.subarray(b * N),
            dErase.subarray(b * M),
            dAdd.subarray(b * M),
          );
        }
      }
    },
  }, { name: `memoryWriteBackward ×${REPEATS} dispatches, one pass`, kernels: backward });
}
