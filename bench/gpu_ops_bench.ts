/**
 * Timings of the GPU tensor ops against their CPU twins, at copy-task shapes (H 100, N 128,
 * M 20, I 9, one head pair, so the controller sees I + M + H = 129 values and a write head
 * emits 3M + 6 = 66), batch B = 16 and a sequence of T = 22 steps (T·B = 352 vectors).
 *
 * Each GPU bench records a batch of dispatches into one compute pass, submits it and waits for
 * completion (no readback), so per-dispatch cost is the time over the count in the name; the
 * CPU baseline runs its twin the same number of times. `deno bench -A bench/gpu_ops_bench.ts`.
 *
 * @module
 */

import {
  contentBackward,
  contentForward,
  sharpenForward,
  shiftForward,
} from "../lib/cpu/addressing.ts";
import { writeForward } from "../lib/cpu/memory.ts";
import { sigmoid } from "../lib/cpu/activations.ts";
import { type CpuKernels, plainCpuKernels } from "../lib/cpu/kernels.ts";
import { plainKernels } from "../lib/cpu/linear_kernels.ts";
import { lstmForward } from "../lib/cpu/lstm.ts";
import { softmaxRows } from "../lib/cpu/softmax.ts";
import { sumRows as sumRowsReference } from "../lib/cpu/sum.ts";
import {
  createGpuContext,
  type PreparedKernel,
  requestAdapter,
  runKernels,
  storageBuffer,
} from "../lib/gpu/context.ts";
import { activation } from "../lib/gpu/ops/activation.ts";
import { contentAddressing, contentAddressingBackward } from "../lib/gpu/ops/content.ts";
import { memoryWrite } from "../lib/gpu/ops/memory_write.ts";
import { cosineSimilarity } from "../lib/gpu/ops/cosine_similarity.ts";
import { lstmCell } from "../lib/gpu/ops/lstm_cell.ts";
import { matmul } from "../lib/gpu/ops/matmul.ts";
import type { TensorRegion } from "../lib/gpu/ops/region.ts";
import { sharpen } from "../lib/gpu/ops/sharpen.ts";
import { shift } from "../lib/gpu/ops/shift.ts";
import { softmax } from "../lib/gpu/ops/softmax.ts";
import { sumRows } from "../lib/gpu/ops/sum.ts";
import { randomUniform } from "../lib/random.ts";

const H = 100, N = 128, M = 20, B = 16, T = 22;
const CONTROLLER_INPUT = 9 + M + H; // x, the read, h_prev
const WRITE_HEAD = 3 * M + 6;
const VECTORS = T * B;
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
}
