/**
 * The CPU training backend: the reference model, trained batch by batch.
 *
 * @module
 */

import type {
  BatchRecord,
  TrainingBackend,
  TrainingSetup,
  TrainingState,
} from "../train/backend.ts";
import { measureArena } from "../wasm/float_arena.ts";
import { type Allocate, type Floats, plainAllocator } from "./floats.ts";
import { bceLoss, bceLossBackward, bitCost } from "./loss.ts";
import { CpuNtm } from "./ntm.ts";
import { rmspropStep, settingsAt } from "./rmsprop.ts";
import { WasmKernels, wasmSimdAvailable } from "./wasm_kernels.ts";

/** Which kernels the CPU backend computes with. */
export type CpuKernelChoice = "wasm" | "plain";

/** How the CPU backend computes. */
export interface CpuBackendOptions {
  /**
   * `wasm` (WebAssembly SIMD) or `plain` (TypeScript loops); by default `wasm` where the runtime
   * has WebAssembly SIMD, `plain` otherwise.
   */
  readonly kernels?: CpuKernelChoice;
}

/** The model and every array a training step touches. */
interface Workspace {
  readonly model: CpuNtm;
  readonly params: Floats;
  readonly grads: Floats;
  readonly squareAverage: Floats;
  readonly momentumBuffer: Floats;
  readonly dOutputs: Floats;
}

/** Allocates the workspace of `setup` (allocation only, so it can be measured first). */
function allocateWorkspace(
  setup: TrainingSetup,
  allocate: Allocate,
  wasm?: WasmKernels,
): Workspace {
  const { layout, capacity } = setup;
  const model = new CpuNtm(layout, {
    capacity,
    kernels: wasm,
    allocate,
  });
  const { batchSize, outputs } = layout.config;
  return {
    model,
    params: allocate(layout.size),
    grads: allocate(layout.size),
    squareAverage: allocate(layout.trainableSize),
    momentumBuffer: allocate(layout.trainableSize),
    dOutputs: allocate(capacity * batchSize * outputs),
  };
}

/** Trains on the CPU in float32, with WebAssembly SIMD kernels or plain TypeScript ones. */
export class CpuBackend implements TrainingBackend {
  readonly name = "cpu";
  readonly description: string;
  readonly #setup: TrainingSetup;
  readonly #workspace: Workspace;
  readonly #step: typeof rmspropStep;

  /** Builds the model for the setup's capacity and loads its initial state. */
  constructor(setup: TrainingSetup, options: CpuBackendOptions = {}) {
    this.#setup = setup;
    const choice = options.kernels ?? (wasmSimdAvailable() ? "wasm" : "plain");
    if (choice === "wasm") {
      const wasm = new WasmKernels(
        measureArena((allocate) => allocateWorkspace(setup, allocate)),
      );
      this.#workspace = allocateWorkspace(setup, wasm.allocate, wasm);
      this.#step = (...args) => wasm.rmspropStep(...args);
      this.description = "cpu (WebAssembly SIMD kernels)";
    } else {
      this.#workspace = allocateWorkspace(setup, plainAllocator("float32"));
      this.#step = rmspropStep;
      this.description = "cpu (plain TypeScript kernels)";
    }
    const { params, squareAverage, momentumBuffer } = this.#workspace;
    params.set(setup.initial.params);
    squareAverage.set(setup.initial.squareAverage);
    momentumBuffer.set(setup.initial.momentumBuffer);
  }

  train(
    first: number,
    count: number,
    onProgress?: (done: number) => void,
  ): Promise<BatchRecord[]> {
    const { layout, optimizer } = this.#setup;
    const records: BatchRecord[] = [];
    const { model, params, grads, squareAverage, momentumBuffer } = this.#workspace;
    for (let done = 0; done < count; done++) {
      const batch = this.#setup.batch(first + done);
      const outputs = model.forward(params, batch.input, batch);
      const loss = bceLoss(outputs, batch.target);
      const cost = bitCost(outputs, batch.target, layout.config.batchSize);
      const dOutputs = this.#workspace.dOutputs.subarray(0, outputs.length);
      bceLossBackward(outputs, batch.target, dOutputs);
      model.backward(params, dOutputs, grads);
      const settings = settingsAt(optimizer, first + done);
      this.#step(settings, params, grads, { squareAverage, momentumBuffer }, layout.trainableSize);
      records.push({ batch: first + done, loss, cost, length: batch.length });
      onProgress?.(done + 1);
    }
    return Promise.resolve(records);
  }

  readState(): Promise<TrainingState> {
    const { params, squareAverage, momentumBuffer } = this.#workspace;
    return Promise.resolve({
      params: Float32Array.from(params),
      squareAverage: Float32Array.from(squareAverage),
      momentumBuffer: Float32Array.from(momentumBuffer),
    });
  }

  dispose(): void {}
}
