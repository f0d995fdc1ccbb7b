/**
 * What the forward pass keeps for the backward pass, for every step of a sequence, and the
 * backward pass's own scratch. All arrays are time-major (`[steps, B, …]`), so the weight
 * gradients of a whole sequence are one `outerAdd` each.
 *
 * @module
 */

import {
  controllerInputSize,
  type HeadLayout,
  headLayout,
  type NTMConfig,
  outputInputSize,
  readCount,
} from "../config.ts";
import type { Allocate, Floats } from "./floats.ts";

/** The forward record of one head over the sequence. */
export interface HeadTape {
  /** Where each addressing parameter lies in the head's `width` linear outputs. */
  readonly layout: HeadLayout;
  /** Index among reads (reads) or writes (writes). */
  readonly slot: number;
  /** Memory snapshot a head sees at step 0 (the count of writes before it in the list). */
  readonly writesBefore: number;
  /** Linear output, `[S, B, width]`. */
  readonly raw: Floats;
  /** Activated addressing parameters, same layout as `raw`. */
  readonly act: Floats;
  /** Cosine similarities, `[S, B, N]`. */
  readonly similarity: Floats;
  /** Norms of the memory rows, `[S, B, N]`. */
  readonly rowNorms: Floats;
  /** Content weighting, `[S, B, N]`. */
  readonly wc: Floats;
  /** Interpolated weighting, `[S, B, N]`. */
  readonly wg: Floats;
  /** Shifted weighting, `[S, B, N]`. */
  readonly ws: Floats;
  /** Final weighting, `[S, B, N]`. */
  readonly w: Floats;
}

/** The forward record of one LSTM layer. */
export interface LayerTape {
  /** The layer's input width. */
  readonly inputs: number;
  /** Activated gates, `[S, B, 4H]`. */
  readonly gates: Floats;
  /** Cell states, `[S+1, B, H]`; index 0 is the initial state. */
  readonly c: Floats;
  /** Hidden states, `[S+1, B, H]`; index 0 is the initial state. */
  readonly h: Floats;
  /** `tanh(c)`, `[S, B, H]`. */
  readonly tanhC: Floats;
}

/** Everything the forward pass records, sized for `capacity` steps. */
export interface Tape {
  /** Most steps of one sequence (S, `outputStart + T_out`); arrays are sized for it. */
  readonly capacity: number;
  /** Controller inputs `u = [x, r_prev…]`, `[S, B, I + R·M]`. */
  readonly controllerInput: Floats;
  /** One record per LSTM layer, bottom layer first. */
  readonly layers: LayerTape[];
  /** One record per head, in the config's head order. */
  readonly heads: HeadTape[];
  /** Reads of each read head, `[S+1, B, M]`; index 0 holds the initial reads. */
  readonly reads: Floats[];
  /** Memory states, `[1 + S·W, B, N, M]`: the start, then after every write. */
  readonly memory: Floats;
  /** Output layer inputs `[h, r…]`, `[S, B, H + R·M]` (output steps only). */
  readonly outputInput: Floats;
  /** Sigmoid outputs, `[S, B, O]` (output steps only). */
  readonly outputs: Floats;
}

/** The backward pass's gradients and scratch. */
export interface GradientTape {
  /** Pre-activation gate gradients per layer, `[S, B, 4H]`. */
  readonly dGates: Floats[];
  /** Raw head output gradients per head, `[S, B, width]`. */
  readonly dRaw: Floats[];
  /** Output logit gradients, `[S, B, O]`. */
  readonly dLogits: Floats;
  /** Carried: hidden and cell gradients per layer, `[B, H]`. */
  readonly dh: Floats[];
  readonly dc: Floats[];
  /** Carried: memory gradient, `[B, N, M]`. */
  readonly dMemory: Floats;
  /** Carried: gradient of each read as the next step's controller input, `[B, M]`. */
  readonly dReadNext: Floats[];
  /** Gradient of each read at the current step, `[B, M]`. */
  readonly dRead: Floats[];
  /** Carried: gradient of each head's weighting as the next step's `w_prev`, `[B, N]`. */
  readonly dwNext: Floats[];
  /** Scratch. */
  readonly dhPrev: Floats;
  readonly dLayerInput: Floats;
  readonly dOutputInput: Floats;
  readonly dAct: Floats;
  readonly dw: Floats;
  readonly dws: Floats;
  readonly dwg: Floats;
  readonly dwc: Floats;
}

/** Number of write heads. */
export function writeCount(config: NTMConfig): number {
  return config.heads.length - readCount(config);
}

/** Allocates a forward tape for `capacity` steps. */
export function allocateTape(config: NTMConfig, capacity: number, allocate: Allocate): Tape {
  const { batchSize: B, controllerSize: H, memoryN: N, memoryM: M } = config;
  const S = capacity;
  let reads = 0, writes = 0;
  const heads = config.heads.map((kind): HeadTape => {
    const layout = headLayout(kind, M);
    const slot = kind === "read" ? reads++ : writes++;
    const writesBefore = writes - (kind === "write" ? 1 : 0);
    return {
      layout,
      slot,
      writesBefore,
      raw: allocate(S * B * layout.width),
      act: allocate(S * B * layout.width),
      similarity: allocate(S * B * N),
      rowNorms: allocate(S * B * N),
      wc: allocate(S * B * N),
      wg: allocate(S * B * N),
      ws: allocate(S * B * N),
      w: allocate(S * B * N),
    };
  });
  const layers: LayerTape[] = [];
  for (let layer = 0; layer < config.controllerLayers; layer++) {
    layers.push({
      inputs: layer === 0 ? controllerInputSize(config) : H,
      gates: allocate(S * B * 4 * H),
      c: allocate((S + 1) * B * H),
      h: allocate((S + 1) * B * H),
      tanhC: allocate(S * B * H),
    });
  }
  return {
    capacity,
    controllerInput: allocate(S * B * controllerInputSize(config)),
    layers,
    heads,
    reads: Array.from({ length: readCount(config) }, () => allocate((S + 1) * B * M)),
    memory: allocate((1 + S * writeCount(config)) * B * N * M),
    outputInput: allocate(S * B * outputInputSize(config)),
    outputs: allocate(S * B * config.outputs),
  };
}

/** Allocates the backward pass's arrays for `capacity` steps. */
export function allocateGradientTape(
  config: NTMConfig,
  capacity: number,
  allocate: Allocate,
): GradientTape {
  const { batchSize: B, controllerSize: H, memoryN: N, memoryM: M } = config;
  const S = capacity;
  const widest = Math.max(...config.heads.map((kind) => headLayout(kind, M).width));
  const R = readCount(config);
  return {
    dGates: Array.from({ length: config.controllerLayers }, () => allocate(S * B * 4 * H)),
    dRaw: config.heads.map((kind) => allocate(S * B * headLayout(kind, M).width)),
    dLogits: allocate(S * B * config.outputs),
    dh: Array.from({ length: config.controllerLayers }, () => allocate(B * H)),
    dc: Array.from({ length: config.controllerLayers }, () => allocate(B * H)),
    dMemory: allocate(B * N * M),
    dReadNext: Array.from({ length: R }, () => allocate(B * M)),
    dRead: Array.from({ length: R }, () => allocate(B * M)),
    dwNext: config.heads.map(() => allocate(B * N)),
    dhPrev: allocate(B * H),
    dLayerInput: allocate(B * Math.max(controllerInputSize(config), H)),
    dOutputInput: allocate(B * outputInputSize(config)),
    dAct: allocate(widest),
    dw: allocate(N),
    dws: allocate(N),
    dwg: allocate(N),
    dwc: allocate(N),
  };
}

/** Floats the forward and backward tapes of `capacity` steps hold together. */
export function workspaceFloats(config: NTMConfig, capacity: number): number {
  let floats = 0;
  const empty = new Float32Array(0);
  const count: Allocate = (length) => {
    floats += length;
    return empty;
  };
  allocateTape(config, capacity, count);
  allocateGradientTape(config, capacity, count);
  return floats;
}
