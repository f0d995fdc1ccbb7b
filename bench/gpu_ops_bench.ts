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

/** Batch row `b` of `array`, whose rows hold `width` values each (N unless given). */
function rowOf(array: Float32Array, b: number, width = N): Float32Array {
  return array.subarray(b * width, (b + 1) * width);
}

const context = (await requestAdapter()) ? await createGpuContext() : null;
const ignore = context === null;

/** A fresh storage buffer region holding `data` (or `length` zeros). */
function gpuRegion(label: string, data: Float32Array | number): TensorRegion {
  return { buffer: storageBuffer(context!, label, typeof data === "number" ? 4 * data : data) };
}

/**
 * `make()`'s result, made at the first call: regions that a block's forward and backward share,
 * created only when a GPU prepares them.
 */
function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** One prepared dispatch repeated `count` times (no kernels without a GPU). */
interface Dispatches {
  readonly count: number;
  readonly kernels: readonly PreparedKernel[];
}

/** `count` copies of a prepared dispatch (each run records them all into one pass). */
async function repeated(
  count: number,
  prepare: () => Promise<PreparedKernel>,
): Promise<Dispatches> {
  if (!context) return { count, kernels: [] };
  const kernel = await prepare();
  return { count, kernels: Array.from({ length: count }, () => kernel) };
}

/** The names of a group's two sides: the CPU twin and the GPU op. */
interface Sides {
  readonly cpu: string;
  readonly gpu: string;
}

/**
 * Registers one group: a CPU baseline `cpu <sides.cpu> ×<count>` that calls `once` as many
 * times as there are dispatches, and a GPU bench `gpu <sides.gpu> ×<count> dispatches, one pass`
 * that runs them.
 */
function group(name: string, sides: Sides, dispatches: Dispatches, once: () => void) {
  const { count, kernels } = dispatches;
  Deno.bench({
    name: `cpu ${sides.cpu} ×${count}`,
    group: name,
    baseline: true,
    fn() {
      for (let r = 0; r < count; r++) once();
    },
  });
  Deno.bench({
    name: `gpu ${sides.gpu} ×${count} dispatches, one pass`,
    group: name,
    ignore,
    async fn() {
      await runKernels(context!, kernels);
    },
  });
}

/** {@link group} for a CPU twin that works on one batch row at a time: `row(b)` does row b. */
function groupPerRow(
  name: string,
  sides: Sides,
  dispatches: Dispatches,
  row: (b: number) => void,
) {
  group(name, sides, dispatches, () => {
    for (let b = 0; b < B; b++) row(b);
  });
}

// ---- matmul, LSTM weight gradient over a sequence: dW [4H, 129] += dGatesᵀ [4H, T·B]·X [T·B, 129].
// Per call: 2·400·129·352 = 36.3 MFLOP; reads 352·(400 + 129)·4 = 745 KB, reads and writes C
// 2·400·129·4 = 413 KB.
{
  const dGates = values(VECTORS * 4 * H), inputs = values(VECTORS * CONTROLLER_INPUT);
  const dWeights = new Float32Array(4 * H * CONTROLLER_INPUT);
  const dispatches = await repeated(HEAVY_REPEATS, async () =>
    await matmul(context!, {
      a: gpuRegion("dGates", dGates),
      b: gpuRegion("inputs", inputs),
      c: gpuRegion("dWeights", dWeights),
    }, { m: 4 * H, n: CONTROLLER_INPUT, k: VECTORS, transposeA: true, accumulate: true }));
  group(
    "matmul dW += dYᵀ·X 400x129, k 352",
    { cpu: "outerAdd", gpu: "matmul Aᵀ +=" },
    dispatches,
    () => plainKernels.outerAdd(dWeights, dGates, inputs, 4 * H, CONTROLLER_INPUT, VECTORS),
  );
}

// ---- matmul, write-head weight gradient: dW [66, H] += dRawᵀ [66, T·B]·h [T·B, H].
// Per call: 2·66·100·352 = 4.6 MFLOP; reads 352·166·4 = 234 KB, reads and writes 53 KB.
{
  const dRaw = values(VECTORS * WRITE_HEAD), hidden = values(VECTORS * H);
  const dWeights = new Float32Array(WRITE_HEAD * H);
  const dispatches = await repeated(REPEATS, async () =>
    await matmul(context!, {
      a: gpuRegion("dRaw", dRaw),
      b: gpuRegion("hidden", hidden),
      c: gpuRegion("dWeights", dWeights),
    }, { m: WRITE_HEAD, n: H, k: VECTORS, transposeA: true, accumulate: true }));
  group(
    "matmul dW += dYᵀ·X 66x100, k 352",
    { cpu: "outerAdd", gpu: "matmul Aᵀ +=" },
    dispatches,
    () => plainKernels.outerAdd(dWeights, dRaw, hidden, WRITE_HEAD, H, VECTORS),
  );
}

// ---- matmul, one step's LSTM gates: Y [B, 4H] = X [B, 129]·W_ihᵀ (W [4H, 129]).
// Per call: 2·16·400·129 = 1.65 MFLOP; reads (16 + 400)·129·4 = 215 KB, writes 26 KB.
{
  const inputs = values(B * CONTROLLER_INPUT), weights = values(4 * H * CONTROLLER_INPUT);
  const gates = new Float32Array(B * 4 * H);
  const dispatches = await repeated(REPEATS, async () =>
    await matmul(context!, {
      a: gpuRegion("inputs", inputs),
      b: gpuRegion("weights", weights),
      c: gpuRegion("gates", gates),
    }, { m: B, n: 4 * H, k: CONTROLLER_INPUT, transposeB: true }));
  group("matmul Y = X·Wᵀ 16x400, k 129", { cpu: "matVecAdd", gpu: "matmul Bᵀ" }, dispatches, () => {
    gates.fill(0);
    plainKernels.matVecAdd(gates, weights, inputs, 4 * H, CONTROLLER_INPUT, B);
  });
}

// ---- matmul, one step's LSTM gradient to its input: dX [B, 129] = dGates [B, 4H]·W_ih [4H, 129].
// Per call: 2·16·129·400 = 1.65 MFLOP; reads (16 + 129)·400·4 = 232 KB, writes 8 KB.
{
  const dGates = values(B * 4 * H), weights = values(4 * H * CONTROLLER_INPUT);
  const dInputs = new Float32Array(B * CONTROLLER_INPUT);
  const dispatches = await repeated(REPEATS, async () =>
    await matmul(context!, {
      a: gpuRegion("dGates", dGates),
      b: gpuRegion("weights", weights),
      c: gpuRegion("dInputs", dInputs),
    }, { m: B, n: CONTROLLER_INPUT, k: 4 * H }));
  group("matmul dX = dY·W 16x129, k 400", { cpu: "matTVecAdd", gpu: "matmul" }, dispatches, () => {
    dInputs.fill(0);
    plainKernels.matTVecAdd(dInputs, weights, dGates, 4 * H, CONTROLLER_INPUT, B);
  });
}

// ---- sigmoid over one step's gates [B, 4H]: 6400 exp; reads and writes 6400·4 = 26 KB each.
{
  const x = values(B * 4 * H, -5, 5), y = new Float32Array(x.length);
  const dispatches = await repeated(REPEATS, async () =>
    await activation(context!, "sigmoid", {
      x: gpuRegion("x", x),
      y: gpuRegion("y", x.length),
    }, x.length));
  group("activation sigmoid 16x400", { cpu: "sigmoid", gpu: "activation" }, dispatches, () => {
    for (let i = 0; i < x.length; i++) y[i] = sigmoid(x[i]);
  });
}

// ---- softplus gradient dx = dy·f'(x) over [B, 4H] (softplus: its derivative has a CPU twin,
// softplusGrad; sigmoid's and tanh's are a multiply from the saved y): 6400 exp; reads x and dy
// (51 KB), writes 26 KB.
{
  const x = values(B * 4 * H, -5, 5), dy = values(x.length), dx = new Float32Array(x.length);
  const dispatches = await repeated(
    REPEATS,
    async () =>
      await activationBackward(context!, "softplus", {
        saved: gpuRegion("x", x),
        dy: gpuRegion("dy", dy),
        dx: gpuRegion("dx", dx.length),
      }, x.length),
  );
  group(
    "activationBackward softplus 16x400",
    { cpu: "dy·softplusGrad", gpu: "activationBackward" },
    dispatches,
    () => {
      for (let i = 0; i < x.length; i++) dx[i] = dy[i] * softplusGrad(x[i]);
    },
  );
}

// ---- softmax over content logits [B, N]: 2048 exp, 3 passes over the row; 8 KB in, 8 KB out.
{
  const x = values(B * N, -10, 10), y = new Float32Array(x.length);
  const dispatches = await repeated(REPEATS, async () =>
    await softmax(context!, {
      x: gpuRegion("x", x),
      y: gpuRegion("y", x.length),
    }, { rows: B, cols: N }));
  group(
    "softmax 16x128",
    { cpu: "softmaxRows", gpu: "softmax" },
    dispatches,
    () => softmaxRows(x, B, N, y),
  );
}

// ---- softmax gradient over [B, N], dx = y·(dy - Σ dy·y): 4 FLOP per element (8 KFLOP), two
// passes over the row; reads y and dy (16 KB), writes 8 KB.
{
  const y = new Float32Array(B * N), dy = values(B * N), dx = new Float32Array(B * N);
  softmaxRows(values(B * N, -10, 10), B, N, y);
  const dispatches = await repeated(REPEATS, async () =>
    await softmaxBackward(context!, {
      y: gpuRegion("y", y),
      dy: gpuRegion("dy", dy),
      dx: gpuRegion("dx", dx.length),
    }, { rows: B, cols: N }));
  group(
    "softmaxBackward 16x128",
    { cpu: "softmaxRowsBackward", gpu: "softmaxBackward" },
    dispatches,
    () => softmaxRowsBackward(y, dy, B, N, dx),
  );
}

// ---- cosine similarity of the memory [B, N, M] against keys [B, M]: 6·B·N·M = 246 KFLOP;
// reads 164 KB of memory, writes 8 KB. (The CPU twin also computes the softmax: content
// addressing is its only form.)
{
  const memory = values(B * N * M), key = values(B * M);
  const similarity = new Float32Array(B * N), norms = new Float32Array(N), wc = new Float32Array(N);
  const dispatches = await repeated(REPEATS, async () =>
    await cosineSimilarity(context!, {
      memory: gpuRegion("memory", memory),
      key: gpuRegion("key", key),
      similarity: gpuRegion("similarity", similarity.length),
    }, { batch: B, n: N, m: M }));
  groupPerRow(
    "cosineSimilarity 16x128x20",
    { cpu: "contentForward", gpu: "cosineSimilarity" },
    dispatches,
    (b) =>
      contentForward(
        rowOf(memory, b, N * M),
        rowOf(key, b, M),
        1,
        N,
        M,
        rowOf(similarity, b),
        norms,
        wc,
      ),
  );
}

// ---- interpolation of [B, N] weightings, wg = g·wc + (1 - g)·w_prev: 3 FLOP per element
// (6 KFLOP); reads 16 KB, writes 8 KB.
// Backward: 7 FLOP per element (14 KFLOP) and a row sum for dGate; reads wc, w_prev and dwg
// (24 KB), reads and writes dwc and dw_prev (16 KB).
{
  const content = values(B * N, 0, 1), previous = values(B * N, 0, 1), gate = values(B, 0, 1);
  const interpolated = new Float32Array(B * N), dInterpolated = values(B * N);
  const dContent = values(B * N), dPrevious = values(B * N), dGate = values(B);
  const forwardRegions = lazy(() => ({
    content: gpuRegion("content", content),
    previous: gpuRegion("previous", previous),
    gate: gpuRegion("gate", gate),
  }));
  const forward = await repeated(REPEATS, async () =>
    await interpolate(context!, {
      ...forwardRegions(),
      interpolated: gpuRegion("interpolated", interpolated.length),
    }, { batch: B, n: N }));
  groupPerRow(
    "interpolate 16x128",
    { cpu: "interpolateForward", gpu: "interpolate" },
    forward,
    (b) =>
      interpolateForward(rowOf(content, b), rowOf(previous, b), gate[b], N, rowOf(interpolated, b)),
  );
  const backward = await repeated(REPEATS, async () =>
    await interpolateBackward(context!, {
      ...forwardRegions(),
      dInterpolated: gpuRegion("dInterpolated", dInterpolated),
      dContent: gpuRegion("dContent", dContent),
      dPrevious: gpuRegion("dPrevious", dPrevious),
      dGate: gpuRegion("dGate", dGate),
    }, { batch: B, n: N }));
  groupPerRow(
    "interpolateBackward 16x128",
    { cpu: "interpolateBackward", gpu: "interpolateBackward" },
    backward,
    (b) => {
      dGate[b] += interpolateBackwardReference(
        rowOf(content, b),
        rowOf(previous, b),
        gate[b],
        N,
        rowOf(dInterpolated, b),
        rowOf(dContent, b),
        rowOf(dPrevious, b),
      );
    },
  );
}

// ---- shift of [B, N] weightings: 5·B·N = 10 KFLOP; 8 KB in, 8 KB out.
{
  const weights = values(B * N, 0, 1), taps = values(B * 3, 0, 1);
  const shifted = new Float32Array(B * N);
  const dispatches = await repeated(REPEATS, async () =>
    await shift(context!, {
      weights: gpuRegion("weights", weights),
      shift: gpuRegion("shift", taps),
      shifted: gpuRegion("shifted", shifted.length),
    }, { batch: B, n: N }));
  groupPerRow(
    "shift 16x128",
    { cpu: "shiftForward", gpu: "shift" },
    dispatches,
    (b) => shiftForward(rowOf(weights, b), rowOf(taps, b, 3), N, rowOf(shifted, b)),
  );
}

// ---- shift's backward over [B, N]: 12 FLOP per element (25 KFLOP) and three row sums for
// dShift; reads the weights and dShifted (16 KB), reads and writes dWeights (8 KB).
{
  const weights = values(B * N, 0, 1), taps = values(B * 3, 0, 1), dShifted = values(B * N);
  const dWeights = values(B * N), dShift = values(B * 3);
  const dispatches = await repeated(REPEATS, async () =>
    await shiftBackward(context!, {
      weights: gpuRegion("weights", weights),
      shift: gpuRegion("shift", taps),
      dShifted: gpuRegion("dShifted", dShifted),
      dWeights: gpuRegion("dWeights", dWeights),
      dShift: gpuRegion("dShift", dShift),
    }, { batch: B, n: N }));
  groupPerRow(
    "shiftBackward 16x128",
    { cpu: "shiftBackward", gpu: "shiftBackward" },
    dispatches,
    (b) =>
      shiftBackwardReference(
        rowOf(weights, b),
        rowOf(taps, b, 3),
        N,
        rowOf(dShifted, b),
        rowOf(dWeights, b),
        rowOf(dShift, b, 3),
      ),
  );
}

// ---- sharpen of [B, N] weightings: B·N pow (twice on the GPU) and a row sum; 8 KB in and out.
{
  const ws = values(B * N, 0, 1), gamma = values(B, 1, 4);
  const w = new Float32Array(B * N);
  const dispatches = await repeated(REPEATS, async () =>
    await sharpen(context!, {
      shifted: gpuRegion("shifted", ws),
      gamma: gpuRegion("gamma", gamma),
      sharpened: gpuRegion("sharpened", w.length),
    }, { batch: B, n: N }));
  groupPerRow(
    "sharpen 16x128",
    { cpu: "sharpenForward", gpu: "sharpen" },
    dispatches,
    (b) => sharpenForward(rowOf(ws, b), gamma[b], N, rowOf(w, b)),
  );
}

// ---- sharpening's backward over [B, N]: 10 FLOP and a log per element (20 KFLOP, 2048 log),
// two passes over the row; reads ws, w and dw (24 KB), reads and writes dws (8 KB).
{
  const ws = values(B * N, 0, 1), gamma = values(B, 1, 4), dw = values(B * N);
  const w = new Float32Array(B * N), dws = values(B * N), dGamma = values(B);
  for (let b = 0; b < B; b++) sharpenForward(rowOf(ws, b), gamma[b], N, rowOf(w, b));
  const dispatches = await repeated(REPEATS, async () =>
    await sharpenBackward(context!, {
      shifted: gpuRegion("shifted", ws),
      gamma: gpuRegion("gamma", gamma),
      sharpened: gpuRegion("sharpened", w),
      dSharpened: gpuRegion("dSharpened", dw),
      dShifted: gpuRegion("dShifted", dws),
      dGamma: gpuRegion("dGamma", dGamma),
    }, { batch: B, n: N }));
  groupPerRow(
    "sharpenBackward 16x128",
    { cpu: "sharpenBackward", gpu: "sharpenBackward" },
    dispatches,
    (b) => {
      dGamma[b] += sharpenBackwardReference(
        rowOf(ws, b),
        gamma[b],
        N,
        rowOf(w, b),
        rowOf(dw, b),
        rowOf(dws, b),
      );
    },
  );
}

// ---- bias gradient of the LSTM over a sequence: Σ over T·B rows of dGates [352, 4H]:
// 141 K adds; reads 563 KB, writes 1.6 KB.
{
  const dGates = values(VECTORS * 4 * H), dBias = new Float32Array(4 * H);
  const dispatches = await repeated(REPEATS, async () =>
    await sumRows(context!, {
      input: gpuRegion("dGates", dGates),
      output: gpuRegion("dBias", dBias),
    }, { count: VECTORS, width: 4 * H, accumulate: true }));
  group(
    "sumRows 352x400",
    { cpu: "sumRows", gpu: "sumRows +=" },
    dispatches,
    () => sumRowsReference(dBias, dGates, VECTORS, 4 * H),
  );
}

// ---- total of the loss terms [T/2·B·O] = 1408 (one workgroup): 1408 adds; reads 5.6 KB, writes
// one value.
{
  const terms = values(LOSS_TERMS, 0, 1), total = new Float32Array(1);
  const dispatches = await repeated(REPEATS, async () =>
    await sumAll(context!, {
      input: gpuRegion("terms", terms),
      output: gpuRegion("total", total.length),
    }, { count: LOSS_TERMS }));
  group(`sumAll ${LOSS_TERMS}`, { cpu: "sumAll", gpu: "sumAll" }, dispatches, () => {
    total[0] = sumAllReference(terms);
  });
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
  const shape = { hidden: H, inputs: 0, batch: B };
  const forward = await repeated(REPEATS, async () =>
    await lstmCell(context!, {
      preActivations: gpuRegion("preActivations", pre),
      cPrev: gpuRegion("cPrev", cPrev),
      gates: gpuRegion("gates", gates.length),
      c: gpuRegion("c", c.length),
      h: gpuRegion("h", h.length),
    }, { batch: B, hidden: H }));
  group(
    "lstmCell 16x100",
    { cpu: "lstmForward without products", gpu: "lstmCell" },
    forward,
    () => lstmForward(noProducts, weights, shape, pre, h, cPrev, gates, c, tanhC, h),
  );

  // Backward [B, H]: about 22 FLOP per unit (35 KFLOP), and on the GPU a tanh of c (the CPU
  // reads it saved); reads gates, c_prev, c, dh and dc (51 KB), writes dPreActivations and
  // dc_prev (32 KB). The CPU twin is lstmBackward without products; it replaces dc by dc_prev in
  // place, so each call first copies dc (6.4 KB) into the array it overwrites.
  const savedGates = pre.slice(), savedC = new Float32Array(B * H);
  const savedTanhC = new Float32Array(B * H);
  plainCpuKernels.lstmCellForward(savedGates, cPrev, H, B, savedC, savedTanhC, h);
  const dh = values(B * H), dc = values(B * H);
  const dPre = new Float32Array(B * 4 * H), dcPrev = new Float32Array(B * H);
  const unused = new Float32Array(0);
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
  group(
    "lstmCellBackward 16x100",
    { cpu: "lstmBackward without products", gpu: "lstmCellBackward" },
    backward,
    () => {
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
    },
  );
}

// ---- write-head activations [B, 3M + 6]: per row 26 exp and 2 log (softplus twice, the gate,
// the shift's softmax over 3, M erase sigmoids), 416 exp in all; reads and writes 4.2 KB each.
// Backward: about 80 FLOP and 2 exp per row (1.3 KFLOP); reads raw, act and dAct (12.7 KB),
// writes dRaw (4.2 KB).
{
  const layout = headLayout("write", M);
  const raw = values(B * WRITE_HEAD, -5, 5), act = new Float32Array(B * WRITE_HEAD);
  const dAct = values(B * WRITE_HEAD), dRaw = new Float32Array(B * WRITE_HEAD);
  const headOf = (array: Float32Array, b: number) => rowOf(array, b, WRITE_HEAD);
  for (let b = 0; b < B; b++) activateHead(layout, M, headOf(raw, b), headOf(act, b));
  const rawRegion = lazy(() => gpuRegion("raw", raw));
  const shape = { kind: "write", batch: B, m: M } as const;
  const forward = await repeated(REPEATS, async () =>
    await headActivations(context!, {
      raw: rawRegion(),
      act: gpuRegion("act", act.length),
    }, shape));
  groupPerRow(
    "headActivations write 16x66",
    { cpu: "activateHead", gpu: "headActivations" },
    forward,
    (b) => activateHead(layout, M, headOf(raw, b), headOf(act, b)),
  );
  const backward = await repeated(REPEATS, async () =>
    await headActivationsBackward(context!, {
      raw: rawRegion(),
      act: gpuRegion("saved act", act),
      dAct: gpuRegion("dAct", dAct),
      dRaw: gpuRegion("dRaw", dRaw.length),
    }, shape));
  groupPerRow(
    "headActivationsBackward write 16x66",
    { cpu: "activateHeadBackward", gpu: "headActivationsBackward" },
    backward,
    (b) =>
      activateHeadBackward(
        layout,
        M,
        headOf(raw, b),
        headOf(act, b),
        headOf(dAct, b),
        headOf(dRaw, b),
      ),
  );
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
  const forwardRegions = lazy(() => ({
    memory: gpuRegion("memory", memory),
    key: gpuRegion("key", key),
    beta: gpuRegion("beta", beta),
  }));
  const similarityRegion = lazy(() => gpuRegion("similarity", similarity.length));
  const weightsRegion = lazy(() => gpuRegion("weights", weights.length));
  const forward = await repeated(REPEATS, async () =>
    await contentAddressing(context!, {
      ...forwardRegions(),
      similarity: similarityRegion(),
      weights: weightsRegion(),
    }, { batch: B, n: N, m: M }));
  groupPerRow(
    "contentAddressing 16x128x20",
    { cpu: "contentForward", gpu: "contentAddressing" },
    forward,
    (b) =>
      contentForward(
        rowOf(memory, b, N * M),
        rowOf(key, b, M),
        beta[b],
        N,
        M,
        rowOf(similarity, b),
        rowOf(norms, b),
        rowOf(weights, b),
      ),
  );
  const backward = await repeated(REPEATS, async () =>
    await contentAddressingBackward(context!, {
      ...forwardRegions(),
      similarity: similarityRegion(),
      weights: weightsRegion(),
      dWeights: gpuRegion("dWeights", dWeights),
      dMemory: gpuRegion("dMemory", dMemory.length),
      dKey: gpuRegion("dKey", dKey.length),
      dBeta: gpuRegion("dBeta", B),
    }, { batch: B, n: N, m: M }));
  groupPerRow(
    "contentAddressingBackward 16x128x20",
    { cpu: "contentBackward", gpu: "contentAddressingBackward" },
    backward,
    (b) =>
      contentBackward(
        rowOf(memory, b, N * M),
        rowOf(key, b, M),
        beta[b],
        N,
        M,
        rowOf(similarity, b),
        rowOf(norms, b),
        rowOf(weights, b),
        rowOf(dWeights, b),
        rowOf(dMemory, b, N * M),
        rowOf(dKey, b, M),
      ),
  );
}

// ---- memory write [B, N, M]: 4 FLOP per element (164 KFLOP); reads 164 KB, writes 164 KB.
{
  const before = values(B * N * M), weights = values(B * N, 0, 1);
  const erase = values(B * M, 0, 1), add = values(B * M), after = new Float32Array(B * N * M);
  const forwardRegions = lazy(() => ({
    before: gpuRegion("before", before),
    weights: gpuRegion("weights", weights),
    erase: gpuRegion("erase", erase),
    add: gpuRegion("add", add),
  }));
  const dispatches = await repeated(REPEATS, async () =>
    await memoryWrite(context!, {
      ...forwardRegions(),
      after: gpuRegion("after", after.length),
    }, { batch: B, n: N, m: M }));
  groupPerRow(
    "memoryWrite 16x128x20",
    { cpu: "writeForward", gpu: "memoryWrite" },
    dispatches,
    (b) =>
      writeForward(
        rowOf(before, b, N * M),
        rowOf(weights, b),
        rowOf(erase, b, M),
        rowOf(add, b, M),
        N,
        M,
        rowOf(after, b, N * M),
      ),
  );

  // Backward: about 12 FLOP per element (492 KFLOP); reads the memory before the write and
  // dAfter (328 KB), writes dBefore (164 KB), reads and writes dWeights, dErase and dAdd (10 KB).
  // The CPU twin writeBackward turns dAfter into dBefore in place, so each call first copies
  // dAfter (164 KB) into the array it overwrites.
  const dAfter = values(B * N * M), dBefore = new Float32Array(B * N * M);
  const dWeights = values(B * N), dErase = values(B * M), dAdd = values(B * M);
  const backward = await repeated(REPEATS, async () =>
    await memoryWriteBackward(context!, {
      ...forwardRegions(),
      dAfter: gpuRegion("dAfter", dAfter),
      dBefore: gpuRegion("dBefore", dBefore.length),
      dWeights: gpuRegion("dWeights", dWeights),
      dErase: gpuRegion("dErase", dErase),
      dAdd: gpuRegion("dAdd", dAdd),
    }, { batch: B, n: N, m: M }));
  const writeBackwardRow = (b: number) =>
    writeBackward(
      rowOf(before, b, N * M),
      rowOf(weights, b),
      rowOf(erase, b, M),
      rowOf(add, b, M),
      N,
      M,
      rowOf(dBefore, b, N * M),
      rowOf(dWeights, b),
      rowOf(dErase, b, M),
      rowOf(dAdd, b, M),
    );
  group(
    "memoryWriteBackward 16x128x20",
    { cpu: "writeBackward", gpu: "memoryWriteBackward" },
    backward,
    () => {
      dBefore.set(dAfter);
      for (let b = 0; b < B; b++) writeBackwardRow(b);
    },
  );
}
