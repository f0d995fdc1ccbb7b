/**
 * The NTM over a whole sequence on the CPU: forward pass (NTM-SPEC "One time step") and its
 * hand-written backward pass (BPTT through the memory, the addressing, the heads and the LSTM).
 *
 * This is the project's oracle. It runs in float32 (to match the PyTorch reference, and to
 * train) or float64 (for finite-difference checks), with plain TypeScript or WebAssembly
 * kernels (`kernels.ts`).
 *
 * @module
 */

import { controllerInputSize, headLayout, type NTMConfig, outputInputSize } from "../config.ts";
import { headNames, lstmName, type ParamLayout, paramView } from "../params.ts";
import { sigmoid } from "./activations.ts";
import {
  interpolateBackward,
  interpolateForward,
  sharpenBackward,
  sharpenForward,
  shiftBackward,
  shiftForward,
} from "./addressing.ts";
import { type Allocate, type Floats, plainAllocator } from "./floats.ts";
import { activateHead, activateHeadBackward } from "./head_activations.ts";
import { type CpuKernels, plainCpuKernels } from "./kernels.ts";
import { lstmBackward, lstmForward, type LstmWeights } from "./lstm.ts";
import { checkSequenceSteps, type SequenceSteps, totalSteps } from "../sequence_steps.ts";
import { sumRows } from "./sum.ts";
import {
  allocateGradientTape,
  allocateTape,
  type GradientTape,
  type Tape,
  workspaceFloats,
  writeCount,
} from "./tape.ts";

/** How a CPU model computes. */
export interface CpuNtmOptions {
  /** Longest sequence (`outputStart + T_out` steps) the model will run. */
  readonly capacity: number;
  /** Array precision; `float32` unless told otherwise. */
  readonly precision?: "float32" | "float64";
  /** Kernels; the plain TypeScript ones unless told otherwise. */
  readonly kernels?: CpuKernels;
  /** Where arrays come from (kernels that need their own memory supply one). */
  readonly allocate?: Allocate;
}

interface Views {
  hBias: Floats;
  cBias: Floats;
  layers: LstmWeights[];
  heads: { weight: Floats; bias: Floats }[];
  fcWeight: Floats;
  fcBias: Floats;
  readBias: Floats[];
  memoryBias: Floats;
}

/** Every tensor of a store (parameters or gradients) as a view, by its role in the model. */
function views(layout: ParamLayout, store: Floats): Views {
  const view = (name: string) => paramView(layout, store, name);
  const { config } = layout;
  return {
    hBias: view("controller.lstm_h_bias"),
    cBias: view("controller.lstm_c_bias"),
    layers: Array.from({ length: config.controllerLayers }, (_, layer) => ({
      weightIh: view(lstmName("weight_ih", layer)),
      weightHh: view(lstmName("weight_hh", layer)),
      biasIh: view(lstmName("bias_ih", layer)),
      biasHh: view(lstmName("bias_hh", layer)),
    })),
    heads: config.heads.map((_, index) => {
      const names = headNames(config, index);
      return { weight: view(names.weight), bias: view(names.bias) };
    }),
    fcWeight: view("fc.weight"),
    fcBias: view("fc.bias"),
    readBias: config.heads.filter((kind) => kind === "read").map((_, read) =>
      view(`read${read}_bias`)
    ),
    memoryBias: view("memory.mem_bias"),
  };
}

/** The sizes the step loops index with (NTM-SPEC's letters; U and F are the layer inputs). */
interface Sizes {
  readonly B: number;
  readonly I: number;
  readonly O: number;
  readonly N: number;
  readonly M: number;
  readonly H: number;
  readonly L: number;
  /** Controller input width `I + R·M`. */
  readonly U: number;
  /** Output layer input width `H + R·M`. */
  readonly F: number;
  /** Write heads. */
  readonly W: number;
  /** Input width of each LSTM layer. */
  readonly layerInputs: readonly number[];
  /** Linear output width of each head. */
  readonly headWidths: readonly number[];
}

/**
 * The sizes of a config as int32 values (`| 0`). A config built from parsed numbers can hold
 * them as doubles, and V8 then stores that field as a double in every config of the same
 * shape; indices computed from doubles are float64 and made the step loops ~2.5× slower.
 */
function modelSizes(config: NTMConfig): Sizes {
  const M = config.memoryM | 0, H = config.controllerSize | 0, U = controllerInputSize(config) | 0;
  return {
    B: config.batchSize | 0,
    I: config.inputs | 0,
    O: config.outputs | 0,
    N: config.memoryN | 0,
    M,
    H,
    L: config.controllerLayers | 0,
    U,
    F: outputInputSize(config) | 0,
    W: writeCount(config) | 0,
    layerInputs: Array.from({ length: config.controllerLayers }, (_, layer) => layer === 0 ? U : H),
    headWidths: config.heads.map((kind) => headLayout(kind, M).width | 0),
  };
}

/**
 * Refuses a workspace larger than this machine's memory, where Deno may tell (`--allow-sys`):
 * a system that overcommits memory would otherwise hand out the arrays and only fail, or swap,
 * once the model runs.
 */
function checkWorkspaceFits(config: NTMConfig, capacity: number, bytesPerFloat: number): void {
  const permission = Deno.permissions.querySync({ name: "sys", kind: "systemMemoryInfo" });
  if (permission.state !== "granted") return;
  const needed = workspaceFloats(config, capacity) * bytesPerFloat;
  const total = Deno.systemMemoryInfo().total;
  if (needed > total) {
    const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
    throw new RangeError(
      `Cannot build a CPU NTM for ${capacity} steps at batch ${config.batchSize}: its workspace ` +
        `needs ${gib(needed)}, more than this machine's ${gib(total)} of memory`,
    );
  }
}

/**
 * A CPU NTM: the workspace of one config for sequences up to `capacity` steps. Parameters and
 * gradients are flat stores (see `paramLayout`) passed in by the caller; the model keeps only
 * what the last forward pass recorded.
 */
export class CpuNtm {
  /** The config and its parameter table. */
  readonly layout: ParamLayout;
  /** The forward record of the last sequence. */
  readonly tape: Tape;
  readonly #grads: GradientTape;
  readonly #kernels: CpuKernels;
  readonly #allocate: Allocate;
  readonly #sizes: Sizes;
  /** The weighting every head starts from, `[N]`. */
  readonly #zeros: Floats;
  #steps: SequenceSteps = { inputSteps: 0, outputSteps: 0, outputStart: 0 };

  /** Sizes the workspace for `options.capacity` steps. */
  constructor(layout: ParamLayout, options: CpuNtmOptions) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new RangeError(`Cannot build a CPU NTM: capacity must be a positive integer`);
    }
    const precision = options.precision ?? "float32";
    checkWorkspaceFits(layout.config, options.capacity, precision === "float64" ? 8 : 4);
    this.layout = layout;
    this.#sizes = modelSizes(layout.config);
    this.#kernels = options.kernels ?? plainCpuKernels;
    this.#allocate = options.allocate ?? plainAllocator(precision);
    this.tape = allocateTape(layout.config, options.capacity, this.#allocate);
    this.#grads = allocateGradientTape(layout.config, options.capacity, this.#allocate);
    this.#zeros = this.#allocate(layout.config.memoryN);
  }

  /** A zeroed array in the model's precision and memory (for parameter and gradient stores). */
  allocate(length: number): Floats {
    return this.#allocate(length);
  }

  /** The steps of the last forward pass. */
  get steps(): SequenceSteps {
    return this.#steps;
  }

  /**
   * Runs a sequence of `outputStart + T_out` steps: `input [T_in, B, I]` for the first T_in, then
   * zeros. Returns the outputs of the T_out steps from `outputStart`, `[T_out, B, O]` (a view into
   * the tape).
   */
  forward(params: Floats, input: Floats, steps: SequenceSteps): Floats {
    const config = this.layout.config;
    const { B, I, O, N, M, H, L, U, F, W, layerInputs, headWidths } = this.#sizes;
    checkSequenceSteps(steps, "run the forward pass");
    const S = totalSteps(steps);
    if (S > this.tape.capacity) {
      throw new RangeError(
        `Cannot run a sequence of ${S} steps: this model holds at most ${this.tape.capacity}`,
      );
    }
    if (input.length !== steps.inputSteps * B * I) {
      throw new RangeError(
        `Cannot run the forward pass: input holds ${input.length} values, ` +
          `[${steps.inputSteps}, ${B}, ${I}] needs ${steps.inputSteps * B * I}`,
      );
    }
    this.#steps = steps;
    const p = views(this.layout, params);
    const tape = this.tape, kernels = this.#kernels;

    // Initial state: learned h and c, fixed reads and memory.
    for (let layer = 0; layer < L; layer++) {
      for (let b = 0; b < B; b++) {
        tape.layers[layer].h.set(p.hBias.subarray(layer * H, (layer + 1) * H), b * H);
        tape.layers[layer].c.set(p.cBias.subarray(layer * H, (layer + 1) * H), b * H);
      }
    }
    tape.reads.forEach((reads, read) => {
      for (let b = 0; b < B; b++) reads.set(p.readBias[read], b * M);
    });
    for (let b = 0; b < B; b++) tape.memory.set(p.memoryBias, b * N * M);

    for (let t = 0; t < S; t++) {
      // 1. Controller input u = [x, r_prev…].
      const u = tape.controllerInput.subarray(t * B * U, (t + 1) * B * U);
      for (let b = 0; b < B; b++) {
        if (t < steps.inputSteps) {
          u.set(input.subarray((t * B + b) * I, (t * B + b + 1) * I), b * U);
        } else u.fill(0, b * U, b * U + I);
        tape.reads.forEach((reads, read) => {
          u.set(reads.subarray((t * B + b) * M, (t * B + b + 1) * M), b * U + I + read * M);
        });
      }
      // 2. Controller.
      for (let layer = 0; layer < L; layer++) {
        const lt = tape.layers[layer];
        const layerInput = layer === 0
          ? u
          : tape.layers[layer - 1].h.subarray((t + 1) * B * H, (t + 2) * B * H);
        lstmForward(
          kernels,
          p.layers[layer],
          { hidden: H, inputs: layerInputs[layer], batch: B },
          layerInput,
          lt.h.subarray(t * B * H, (t + 1) * B * H),
          lt.c.subarray(t * B * H, (t + 1) * B * H),
          lt.gates.subarray(t * B * 4 * H, (t + 1) * B * 4 * H),
          lt.c.subarray((t + 1) * B * H, (t + 2) * B * H),
          lt.tanhC.subarray(t * B * H, (t + 1) * B * H),
          lt.h.subarray((t + 1) * B * H, (t + 2) * B * H),
        );
      }
      const hTop = tape.layers[L - 1].h.subarray((t + 1) * B * H, (t + 2) * B * H);
      // 3–5. Heads in list order, each on the memory the heads before it left.
      config.heads.forEach((kind, k) => {
        const head = tape.heads[k];
        const width = headWidths[k];
        const raw = head.raw.subarray(t * B * width, (t + 1) * B * width);
        for (let b = 0; b < B; b++) raw.set(p.heads[k].bias, b * width);
        kernels.matVecAdd(raw, p.heads[k].weight, hTop, width, H, B);
        const snapshot = t * W + head.writesBefore;
        for (let b = 0; b < B; b++) {
          const row = (t * B + b) * N;
          const rawRow = raw.subarray(b * width, (b + 1) * width);
          const act = head.act.subarray((t * B + b) * width, (t * B + b + 1) * width);
          activateHead(head.layout, M, rawRow, act);
          const memory = tape.memory.subarray(
            (snapshot * B + b) * N * M,
            (snapshot * B + b + 1) * N * M,
          );
          const wc = head.wc.subarray(row, row + N);
          const wg = head.wg.subarray(row, row + N);
          const ws = head.ws.subarray(row, row + N);
          const w = head.w.subarray(row, row + N);
          kernels.contentForward(
            memory,
            act.subarray(head.layout.key, head.layout.key + M),
            act[head.layout.beta],
            N,
            M,
            head.similarity.subarray(row, row + N),
            head.rowNorms.subarray(row, row + N),
            wc,
          );
          const wPrev = t === 0 ? this.#zeros : head.w.subarray(row - B * N, row - B * N + N);
          interpolateForward(wc, wPrev, act[head.layout.gate], N, wg);
          shiftForward(wg, act.subarray(head.layout.shift, head.layout.shift + 3), N, ws);
          sharpenForward(ws, act[head.layout.gamma], N, w);
          if (kind === "read") {
            const reads = tape.reads[head.slot];
            kernels.readForward(memory, w, N, M, reads.subarray(((t + 1) * B + b) * M));
          } else {
            const after = tape.memory.subarray(
              ((snapshot + 1) * B + b) * N * M,
              ((snapshot + 1) * B + b + 1) * N * M,
            );
            kernels.writeForward(
              memory,
              w,
              act.subarray(head.layout.erase, head.layout.erase + M),
              act.subarray(head.layout.add, head.layout.add + M),
              N,
              M,
              after,
            );
          }
        }
      });
      // 6. Output, at the trained steps (from outputStart) only: y = sigmoid(W_o·[h, r…] + b_o).
      if (t >= steps.outputStart) {
        const fcIn = tape.outputInput.subarray(t * B * F, (t + 1) * B * F);
        const y = tape.outputs.subarray(t * B * O, (t + 1) * B * O);
        for (let b = 0; b < B; b++) {
          fcIn.set(hTop.subarray(b * H, (b + 1) * H), b * F);
          tape.reads.forEach((reads, read) => {
            const start = ((t + 1) * B + b) * M;
            fcIn.set(reads.subarray(start, start + M), b * F + H + read * M);
          });
          y.set(p.fcBias, b * O);
        }
        kernels.matVecAdd(y, p.fcWeight, fcIn, O, F, B);
        for (let j = 0; j < B * O; j++) y[j] = sigmoid(y[j]);
      }
    }
    return tape.outputs.subarray(steps.outputStart * B * O, S * B * O);
  }

  /**
   * Backpropagates `dOutputs [T_out, B, O]` (the loss gradient with respect to the last
   * forward pass's outputs) through the whole sequence. Overwrites the trainable range of
   * `grads` (a store of `layout.size`) with the parameter gradients.
   */
  backward(params: Floats, dOutputs: Floats, grads: Floats): void {
    const config = this.layout.config;
    const { B, I, O, N, M, H, L, U, F, W, layerInputs, headWidths } = this.#sizes;
    const { outputSteps, outputStart } = this.#steps;
    const S = totalSteps(this.#steps);
    if (S === 0) throw new Error("Cannot run the backward pass: no forward pass has run");
    if (dOutputs.length !== outputSteps * B * O) {
      throw new RangeError(
        `Cannot run the backward pass: dOutputs holds ${dOutputs.length} values, ` +
          `[${outputSteps}, ${B}, ${O}] needs ${outputSteps * B * O}`,
      );
    }
    const p = views(this.layout, params);
    const g = views(this.layout, grads);
    grads.fill(0, 0, this.layout.trainableSize);
    const tape = this.tape, d = this.#grads, kernels = this.#kernels;
    d.dMemory.fill(0);
    for (const array of [...d.dh, ...d.dc, ...d.dReadNext, ...d.dwNext]) array.fill(0);

    for (let t = S - 1; t >= 0; t--) {
      const dTop = d.dh[L - 1];
      d.dReadNext.forEach((next, read) => d.dRead[read].set(next));
      // 6. Output layer.
      if (t >= outputStart) {
        const y = tape.outputs.subarray(t * B * O, (t + 1) * B * O);
        const dLogits = d.dLogits.subarray(t * B * O, (t + 1) * B * O);
        const dy = dOutputs.subarray((t - outputStart) * B * O, (t - outputStart + 1) * B * O);
        for (let j = 0; j < B * O; j++) dLogits[j] = dy[j] * ((1 - y[j]) * y[j]);
        d.dOutputInput.fill(0);
        kernels.matTVecAdd(d.dOutputInput, p.fcWeight, dLogits, O, F, B);
        for (let b = 0; b < B; b++) {
          for (let j = 0; j < H; j++) dTop[b * H + j] += d.dOutputInput[b * F + j];
          d.dRead.forEach((dRead, read) => {
            for (let m = 0; m < M; m++) {
              dRead[b * M + m] += d.dOutputInput[b * F + H + read * M + m];
            }
          });
        }
      }
      // 5–3. Heads in reverse order.
      for (let k = config.heads.length - 1; k >= 0; k--) {
        const head = tape.heads[k], layout = head.layout, width = headWidths[k];
        const snapshot = t * W + head.writesBefore;
        const dRaw = d.dRaw[k].subarray(t * B * width, (t + 1) * B * width);
        for (let b = 0; b < B; b++) {
          const row = (t * B + b) * N;
          const act = head.act.subarray((t * B + b) * width, (t * B + b + 1) * width);
          const memory = tape.memory.subarray(
            (snapshot * B + b) * N * M,
            (snapshot * B + b + 1) * N * M,
          );
          const dMemory = d.dMemory.subarray(b * N * M, (b + 1) * N * M);
          const w = head.w.subarray(row, row + N);
          const dwNext = d.dwNext[k].subarray(b * N, (b + 1) * N);
          d.dw.set(dwNext);
          d.dAct.fill(0);
          if (layout.erase < 0) {
            const dRead = d.dRead[head.slot].subarray(b * M, (b + 1) * M);
            kernels.readBackward(memory, w, N, M, dRead, d.dw, dMemory);
          } else {
            kernels.writeBackward(
              memory,
              w,
              act.subarray(layout.erase, layout.erase + M),
              act.subarray(layout.add, layout.add + M),
              N,
              M,
              dMemory,
              d.dw,
              d.dAct.subarray(layout.erase, layout.erase + M),
              d.dAct.subarray(layout.add, layout.add + M),
            );
          }
          const ws = head.ws.subarray(row, row + N);
          const wg = head.wg.subarray(row, row + N);
          const wc = head.wc.subarray(row, row + N);
          d.dws.fill(0);
          d.dAct[layout.gamma] = sharpenBackward(ws, act[layout.gamma], N, w, d.dw, d.dws);
          d.dwg.fill(0);
          shiftBackward(
            wg,
            act.subarray(layout.shift, layout.shift + 3),
            N,
            d.dws,
            d.dwg,
            d.dAct.subarray(layout.shift, layout.shift + 3),
          );
          d.dwc.fill(0);
          dwNext.fill(0);
          const wPrev = t === 0 ? this.#zeros : head.w.subarray(row - B * N, row - B * N + N);
          d.dAct[layout.gate] = interpolateBackward(
            wc,
            wPrev,
            act[layout.gate],
            N,
            d.dwg,
            d.dwc,
            dwNext,
          );
          d.dAct[layout.beta] = kernels.contentBackward(
            memory,
            act.subarray(layout.key, layout.key + M),
            act[layout.beta],
            N,
            M,
            head.similarity.subarray(row, row + N),
            head.rowNorms.subarray(row, row + N),
            wc,
            d.dwc,
            dMemory,
            d.dAct.subarray(layout.key, layout.key + M),
          );
          activateHeadBackward(
            layout,
            M,
            head.raw.subarray((t * B + b) * width, (t * B + b + 1) * width),
            act,
            d.dAct,
            dRaw.subarray(b * width, (b + 1) * width),
          );
        }
        kernels.matTVecAdd(dTop, p.heads[k].weight, dRaw, width, H, B);
      }
      // 2–1. Controller, top layer first.
      for (let layer = L - 1; layer >= 0; layer--) {
        const lt = tape.layers[layer];
        const dInput = d.dLayerInput.subarray(0, B * layerInputs[layer]).fill(0);
        d.dhPrev.fill(0);
        lstmBackward(
          kernels,
          p.layers[layer],
          { hidden: H, inputs: layerInputs[layer], batch: B },
          lt.gates.subarray(t * B * 4 * H, (t + 1) * B * 4 * H),
          lt.c.subarray(t * B * H, (t + 1) * B * H),
          lt.tanhC.subarray(t * B * H, (t + 1) * B * H),
          d.dh[layer],
          d.dc[layer],
          d.dGates[layer].subarray(t * B * 4 * H, (t + 1) * B * 4 * H),
          dInput,
          d.dhPrev,
        );
        d.dh[layer].set(d.dhPrev);
        if (layer > 0) {
          const below = d.dh[layer - 1];
          for (let j = 0; j < B * H; j++) below[j] += dInput[j];
        } else {
          d.dReadNext.forEach((dReadNext, read) => {
            for (let b = 0; b < B; b++) {
              dReadNext.set(
                dInput.subarray(b * U + I + read * M, b * U + I + (read + 1) * M),
                b * M,
              );
            }
          });
        }
      }
    }

    // Initial state: the learned h and c biases are shared by every batch row.
    for (let layer = 0; layer < L; layer++) {
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) {
          g.hBias[layer * H + j] += d.dh[layer][b * H + j];
          g.cBias[layer * H + j] += d.dc[layer][b * H + j];
        }
      }
    }
    // Weight gradients of the whole sequence, one outer product each.
    for (let layer = 0; layer < L; layer++) {
      const lt = tape.layers[layer], dGates = d.dGates[layer].subarray(0, S * B * 4 * H);
      const layerInput = layer === 0
        ? tape.controllerInput
        : tape.layers[layer - 1].h.subarray(B * H);
      const inputs = layerInputs[layer];
      kernels.outerAdd(g.layers[layer].weightIh, dGates, layerInput, 4 * H, inputs, S * B);
      kernels.outerAdd(g.layers[layer].weightHh, dGates, lt.h, 4 * H, H, S * B);
      sumRows(g.layers[layer].biasIh, dGates, S * B, 4 * H);
      sumRows(g.layers[layer].biasHh, dGates, S * B, 4 * H);
    }
    const hTops = tape.layers[L - 1].h.subarray(B * H);
    config.heads.forEach((_, k) => {
      const width = headWidths[k];
      kernels.outerAdd(g.heads[k].weight, d.dRaw[k], hTops, width, H, S * B);
      sumRows(g.heads[k].bias, d.dRaw[k], S * B, width);
    });
    const dLogits = d.dLogits.subarray(outputStart * B * O, S * B * O);
    const fcIn = tape.outputInput.subarray(outputStart * B * F, S * B * F);
    kernels.outerAdd(g.fcWeight, dLogits, fcIn, O, F, outputSteps * B);
    sumRows(g.fcBias, dLogits, outputSteps * B, O);
  }

  /** Head `k`'s weightings at every step of the last sequence, `[S, B, N]`. */
  weightings(k: number): Floats {
    const { batchSize: B, memoryN: N } = this.layout.config;
    const S = totalSteps(this.#steps);
    return this.tape.heads[k].w.subarray(0, S * B * N);
  }

  /** The memory after the last step of the last sequence, `[B, N, M]`. */
  finalMemory(): Floats {
    const { batchSize: B, memoryN: N, memoryM: M } = this.layout.config;
    const S = totalSteps(this.#steps);
    const last = S * writeCount(this.layout.config);
    return this.tape.memory.subarray(last * B * N * M, (last + 1) * B * N * M);
  }
}
