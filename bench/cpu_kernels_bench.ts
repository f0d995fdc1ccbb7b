/**
 * The CPU model's kernels, plain TypeScript (baseline) against WebAssembly SIMD, at copy-task
 * shapes (H 100, N 128, M 20, one head pair: the LSTM's `W_hh` is 400×100, a sequence has about
 * 22 steps). Both run on the same seeded float32 data; the Wasm side's arrays live in its
 * memory. `deno bench -A bench/cpu_kernels_bench.ts`.
 *
 * FLOPs and bytes moved per call are in each group's comment (a multiply-add counts 2 FLOPs;
 * bytes count each array read once and each array written once, 4 bytes a float).
 *
 * @module
 */

import type { Floats } from "../lib/cpu/floats.ts";
import { plainCpuKernels } from "../lib/cpu/kernels.ts";
import { type LinearKernels, plainKernels } from "../lib/cpu/linear_kernels.ts";
import { type MemoryKernels, plainMemoryKernels } from "../lib/cpu/memory_kernels.ts";
import { referenceRmsprop, rmspropStep } from "../lib/cpu/rmsprop.ts";
import { WasmKernels } from "../lib/cpu/wasm_kernels.ts";
import { randomUniform } from "../lib/random.ts";

const GATES = 400, H = 100, STEPS = 22, N = 128, M = 20;
/** Trainable parameters of the copy-task NTM. */
const PARAMS = 62_860;

const wasm = new WasmKernels(1 << 24);
let stream = 0;

/** Seeded values in [-scale, scale), in a plain array and in the Wasm memory. */
function pair(length: number, scale = 1): { plain: Float32Array; wasm: Floats } {
  stream++;
  const plain = Float32Array.from(
    { length },
    (_, i) => scale * (2 * randomUniform(1, stream, i) - 1),
  );
  const inWasm = wasm.allocate(length);
  inWasm.set(plain);
  return { plain, wasm: inWasm };
}

const sides: { name: string; baseline: boolean; pick: "plain" | "wasm" }[] = [
  { name: "plain", baseline: true, pick: "plain" },
  { name: "wasm", baseline: false, pick: "wasm" },
];
const linear: Record<"plain" | "wasm", LinearKernels> = { plain: plainKernels, wasm };
const memoryKernels: Record<"plain" | "wasm", MemoryKernels> = {
  plain: plainMemoryKernels,
  wasm,
};

// matVecAdd, 400×100, one vector: 80 kFLOP; reads W 160 kB, x 0.4 kB, out 1.6 kB, writes 1.6 kB.
// matTVecAdd, 400×100, one vector: 80 kFLOP; reads W 160 kB, dy 1.6 kB, dx 0.4 kB, writes 0.4 kB.
// outerAdd, 400×100 over 22 vectors: 1.76 MFLOP; reads dW 160 kB, dy 35 kB, x 8.8 kB, writes 160 kB.
{
  const W = pair(GATES * H), x = pair(STEPS * H), dy = pair(STEPS * GATES);
  const out = pair(GATES), dx = pair(H), dW = pair(GATES * H, 0);
  for (const side of sides) {
    const kernels = linear[side.pick], pick = side.pick;
    Deno.bench(side.name, { group: "matVecAdd 400x100", baseline: side.baseline }, () => {
      kernels.matVecAdd(out[pick], W[pick], x[pick], GATES, H, 1);
    });
    Deno.bench(side.name, { group: "matTVecAdd 400x100", baseline: side.baseline }, () => {
      kernels.matTVecAdd(dx[pick], W[pick], dy[pick], GATES, H, 1);
    });
    Deno.bench(
      side.name,
      { group: "outerAdd 400x100, 22 vectors", baseline: side.baseline },
      () => {
        kernels.outerAdd(dW[pick], dy[pick], x[pick], GATES, H, STEPS);
      },
    );
  }
}

// contentForward, 128×20: 10 kFLOP for the cosines plus 128 exp; reads the memory 10 kB.
// contentBackward, 128×20: 15 kFLOP; reads the memory 10 kB and dMemory 10 kB, writes dMemory.
// readForward, 128×20: 5 kFLOP; reads the memory 10 kB. readBackward: 10 kFLOP; reads the
// memory and dMemory (10 kB each), writes dMemory.
// writeForward, 128×20: 10 kFLOP; reads the memory 10 kB, writes 10 kB. writeBackward:
// 20 kFLOP; reads the memory and dMemory (10 kB each), writes dMemory.
{
  const memory = pair(N * M), key = pair(M), w = pair(N, 1 / N), dwc = pair(N);
  const similarity = pair(N), rowNorms = pair(N), wc = pair(N), dMemory = pair(N * M, 0);
  const dKey = pair(M), read = pair(M), dRead = pair(M), dw = pair(N);
  const erase = pair(M, 0.5), add = pair(M), after = pair(N * M), dErase = pair(M);
  const dAdd = pair(M);
  for (const side of sides) {
    const kernels = memoryKernels[side.pick], pick = side.pick;
    const options = (group: string) => ({ group, baseline: side.baseline });
    kernels.contentForward(
      memory[pick],
      key[pick],
      2,
      N,
      M,
      similarity[pick],
      rowNorms[pick],
      wc[pick],
    );
    Deno.bench(side.name, options("contentForward 128x20"), () => {
      kernels.contentForward(
        memory[pick],
        key[pick],
        2,
        N,
        M,
        similarity[pick],
        rowNorms[pick],
        wc[pick],
      );
    });
    Deno.bench(side.name, options("contentBackward 128x20"), () => {
      kernels.contentBackward(
        memory[pick],
        key[pick],
        2,
        N,
        M,
        similarity[pick],
        rowNorms[pick],
        wc[pick],
        dwc[pick],
        dMemory[pick],
        dKey[pick],
      );
    });
    Deno.bench(side.name, options("readForward 128x20"), () => {
      kernels.readForward(memory[pick], w[pick], N, M, read[pick]);
    });
    Deno.bench(side.name, options("readBackward 128x20"), () => {
      kernels.readBackward(memory[pick], w[pick], N, M, dRead[pick], dw[pick], dMemory[pick]);
    });
    Deno.bench(side.name, options("writeForward 128x20"), () => {
      kernels.writeForward(memory[pick], w[pick], erase[pick], add[pick], N, M, after[pick]);
    });
    Deno.bench(side.name, options("writeBackward 128x20"), () => {
      kernels.writeBackward(
        memory[pick],
        w[pick],
        erase[pick],
        add[pick],
        N,
        M,
        dMemory[pick],
        dw[pick],
        dErase[pick],
        dAdd[pick],
      );
    });
  }
}

// lstmCellForward, H 100, batch 1: 300 sigmoids and 200 tanh (an exp each) and about 2 kFLOP
// more; reads gates 1.6 kB and c_prev 0.4 kB, writes gates, c, tanh(c) and h (2.8 kB).
{
  const gates = pair(4 * H, 4), cPrev = pair(H), c = pair(H), tanhC = pair(H), h = pair(H);
  const cells = { plain: plainCpuKernels, wasm };
  for (const side of sides) {
    const kernels = cells[side.pick], pick = side.pick;
    Deno.bench(side.name, { group: "lstmCellForward 100", baseline: side.baseline }, () => {
      // Activating in place again each call keeps the gates in (0, 1): the work is the same.
      kernels.lstmCellForward(gates[pick], cPrev[pick], H, 1, c[pick], tanhC[pick], h[pick]);
    });
  }
}

// rmspropStep over the copy task's 62,860 parameters: about 10 FLOPs, a sqrt and a division
// each; reads params, grads and the two state arrays (1 MB), writes params and state (754 kB).
{
  const settings = referenceRmsprop(1e-4);
  const params = pair(PARAMS), grads = pair(PARAMS, 1e-3);
  const squareAverage = pair(PARAMS, 0), momentumBuffer = pair(PARAMS, 0);
  Deno.bench("plain", { group: "rmspropStep 62,860", baseline: true }, () => {
    rmspropStep(settings, params.plain, grads.plain, {
      squareAverage: squareAverage.plain,
      momentumBuffer: momentumBuffer.plain,
    }, PARAMS);
  });
  Deno.bench("wasm", { group: "rmspropStep 62,860" }, () => {
    wasm.rmspropStep(settings, params.wasm, grads.wasm, {
      squareAverage: squareAverage.wasm,
      momentumBuffer: momentumBuffer.wasm,
    }, PARAMS);
  });
}
