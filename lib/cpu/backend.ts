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
import type { Floats } from "./floats.ts";
import type { LinearKernels } from "./linear_kernels.ts";
import { bceLoss, bceLossBackward, bitCost } from "./loss.ts";
import { CpuNtm } from "./ntm.ts";
import { rmspropStep } from "./rmsprop.ts";

/** Trains on the CPU in float32 with the given linear kernels and allocator. */
export class CpuBackend implements TrainingBackend {
  readonly name = "cpu";
  readonly description: string;
  readonly #setup: TrainingSetup;
  readonly #model: CpuNtm;
  readonly #params: Floats;
  readonly #grads: Floats;
  readonly #squareAverage: Floats;
  readonly #momentumBuffer: Floats;
  readonly #dOutputs: Floats;

  /** Builds the model for the setup's capacity and loads its initial state. */
  constructor(
    setup: TrainingSetup,
    options: { kernels?: LinearKernels; description?: string } = {},
  ) {
    this.#setup = setup;
    this.description = options.description ?? "cpu (plain TypeScript kernels)";
    const { layout } = setup;
    this.#model = new CpuNtm(layout, { capacity: setup.capacity, kernels: options.kernels });
    this.#params = this.#model.allocate(layout.size);
    this.#params.set(setup.initial.params);
    this.#grads = this.#model.allocate(layout.size);
    this.#squareAverage = this.#model.allocate(layout.trainableSize);
    this.#squareAverage.set(setup.initial.squareAverage);
    this.#momentumBuffer = this.#model.allocate(layout.trainableSize);
    this.#momentumBuffer.set(setup.initial.momentumBuffer);
    const { batchSize, outputs } = layout.config;
    this.#dOutputs = this.#model.allocate(setup.capacity * batchSize * outputs);
  }

  train(
    first: number,
    count: number,
    onProgress?: (done: number) => void,
  ): Promise<BatchRecord[]> {
    const { layout, optimizer } = this.#setup;
    const records: BatchRecord[] = [];
    for (let done = 0; done < count; done++) {
      const batch = this.#setup.batch(first + done);
      const outputs = this.#model.forward(this.#params, batch.input, batch);
      const loss = bceLoss(outputs, batch.target);
      const cost = bitCost(outputs, batch.target, layout.config.batchSize);
      const dOutputs = this.#dOutputs.subarray(0, outputs.length);
      bceLossBackward(outputs, batch.target, dOutputs);
      this.#model.backward(this.#params, dOutputs, this.#grads);
      rmspropStep(optimizer, this.#params, this.#grads, {
        squareAverage: this.#squareAverage,
        momentumBuffer: this.#momentumBuffer,
      }, layout.trainableSize);
      records.push({ batch: first + done, loss, cost, length: batch.length });
      onProgress?.(done + 1);
    }
    return Promise.resolve(records);
  }

  readState(): Promise<TrainingState> {
    return Promise.resolve({
      params: Float32Array.from(this.#params),
      squareAverage: Float32Array.from(this.#squareAverage),
      momentumBuffer: Float32Array.from(this.#momentumBuffer),
    });
  }

  dispose(): void {}
}
