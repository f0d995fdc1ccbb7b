/**
 * Where the fused kernels keep what the backward pass needs: the forward tape and the gradient
 * tape, two storage buffers each cut into regions, and beside them the memory's states and the
 * memory's gradient, each a buffer of its own. Like `lib/cpu/tape.ts`, every region is
 * time-major (`[…, steps, B, width]`), so the weight gradients of a whole sequence are one matrix
 * product per tensor over `steps·B` rows. Per-layer and per-head regions put the layer or head
 * first, so each layer's or head's rows are contiguous too.
 *
 * The memory buffers are apart from the tapes because the kernels read and write them as vec4s
 * (shaders/ntm/memory_quads.wgsl) and the tapes as floats: WebGPU lets a dispatch bind a buffer
 * it writes only once, so each buffer a kernel writes has one view.
 *
 * The region offsets become override constants (`TAPE_*`, `GRAD_*` in shaders/ntm/shape.wgsl);
 * the index formulas there mirror the shapes listed here.
 *
 * @module
 */

import { controllerInputSize, type NTMConfig, outputInputSize, readCount } from "../../config.ts";
import { writeCount } from "../../cpu/tape.ts";
import { padToVec4 } from "./param_layout.ts";

/** Regions of the forward tape (S = capacity, K heads, R reads, W writes, L layers). */
export interface ForwardTape {
  /** Controller inputs `[x, r_prev…]`, `[S, B, pad4(I + R·M)]`. */
  readonly controllerInput: number;
  /** Activated gates i, f, g, o, `[L, S, B, 4H]`. */
  readonly gates: number;
  /** Cell states, `[L, S+1, B, H]`; step 0 is the initial state. */
  readonly cell: number;
  /** `tanh(c)`, `[L, S, B, H]`. */
  readonly tanhCell: number;
  /** Hidden states, `[L, S+1, B, pad4(H)]`; step 0 is the initial state. */
  readonly hidden: number;
  /** Heads' linear outputs, `[K, S, B, widest head]`. */
  readonly headRaw: number;
  /** Cosine similarities K_i, `[K, S, B, N]`. */
  readonly similarity: number;
  /** Squared norms of the memory rows `|Mem_i + 1e-16|²`, `[K, S, B, N]`. */
  readonly rowSquared: number;
  /** Content weightings wc, `[K, S, B, N]`. */
  readonly contentWeights: number;
  /** Interpolated weightings wg, `[K, S, B, N]`. */
  readonly gatedWeights: number;
  /** Shifted weightings ws, `[K, S, B, N]`. */
  readonly shiftedWeights: number;
  /** Final weightings w, `[K, S, B, N]`. */
  readonly weights: number;
  /** Reads, `[R, S+1, B, M]`; step 0 holds the initial reads. */
  readonly reads: number;
  /** Output layer inputs `[h, r…]`, `[S, B, pad4(H + R·M)]` (output steps only). */
  readonly outputInput: number;
  /** Sigmoid outputs, `[S, B, O]` (output steps only). */
  readonly outputs: number;
  /** Floats in the buffer. */
  readonly size: number;
}

/** Regions of the gradient tape. */
export interface GradientTape {
  /** Pre-activation gate gradients, `[L, S, B, 4H]`. */
  readonly gates: number;
  /** Gradients of the heads' linear outputs, `[K, S, B, pad4(widest head)]`. */
  readonly headRaw: number;
  /** Gradients of the output logits, `[S, B, pad4(O)]` (output steps only). */
  readonly logits: number;
  /**
   * Gradients of each row's initial state, `[B, 2, L, pad4(H)]`: h then c. Between the
   * dispatches of a sequence (lib/gpu/ntm/step_ranges.ts) it carries dh and dc.
   */
  readonly initialState: number;
  /** Scratch carried between dispatches: the gradient of the reads, `[B, R·M]`. */
  readonly reads: number;
  /** Scratch carried between steps: the gradient of each head's weighting, `[B, K, N]`. */
  readonly weights: number;
  /** Floats in the buffer. */
  readonly size: number;
}

/** Both tapes and both memory buffers of a config, sized for sequences of up to `capacity` steps. */
export interface TapeLayout {
  /** The longest sequence (`outputStart + T_out` steps, `totalSteps`) the buffers hold. */
  readonly capacity: number;
  /** The forward tape's regions. */
  readonly forward: ForwardTape;
  /**
   * Floats of the memory states, `[1 + S·W, B, N, pad4(M)]`: the start, then after every write;
   * the columns past M are zero.
   */
  readonly memoryStates: number;
  /** The gradient tape's regions. */
  readonly gradient: GradientTape;
  /** Floats of the memory's gradient, `[B, N, pad4(M)]`, carried between steps and dispatches. */
  readonly memoryGradient: number;
}

/** Lays regions out one after another, each on a 4-float boundary. */
function regions<T extends Record<string, number>>(
  sizes: T,
): { [K in keyof T]: number } & { size: number } {
  let offset = 0;
  const result: Record<string, number> = {};
  for (const [name, size] of Object.entries(sizes)) {
    result[name] = offset;
    offset += padToVec4(size);
  }
  return { ...result, size: offset } as { [K in keyof T]: number } & { size: number };
}

/** The widest head's linear output: 3M+6 with a write head, M+6 with reads only. */
export function widestHead(config: NTMConfig): number {
  return writeCount(config) > 0 ? 3 * config.memoryM + 6 : config.memoryM + 6;
}

/** Lays out both tapes of `config` for sequences of up to `capacity` steps. */
export function tapeLayout(config: NTMConfig, capacity: number): TapeLayout {
  const { batchSize: B, controllerSize: H, controllerLayers: L, memoryN: N, memoryM: M } = config;
  const S = capacity, K = config.heads.length;
  const perHead = K * S * B * N;
  const forward = regions({
    controllerInput: S * B * padToVec4(controllerInputSize(config)),
    gates: L * S * B * 4 * H,
    cell: L * (S + 1) * B * H,
    tanhCell: L * S * B * H,
    hidden: L * (S + 1) * B * padToVec4(H),
    headRaw: K * S * B * widestHead(config),
    similarity: perHead,
    rowSquared: perHead,
    contentWeights: perHead,
    gatedWeights: perHead,
    shiftedWeights: perHead,
    weights: perHead,
    reads: readCount(config) * (S + 1) * B * M,
    outputInput: S * B * padToVec4(outputInputSize(config)),
    outputs: S * B * config.outputs,
  });
  const gradient = regions({
    gates: L * S * B * 4 * H,
    headRaw: K * S * B * padToVec4(widestHead(config)),
    logits: S * B * padToVec4(config.outputs),
    initialState: B * 2 * L * padToVec4(H),
    reads: B * readCount(config) * M,
    weights: B * K * N,
  });
  const memoryState = B * N * padToVec4(M);
  return {
    capacity,
    forward,
    memoryStates: (1 + S * writeCount(config)) * memoryState,
    gradient,
    memoryGradient: memoryState,
  };
}
