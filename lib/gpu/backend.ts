/**
 * The WebGPU training backend: the fused NTM kernels, trained GPU-resident. A call to `train`
 * records every batch's step (data → forward → loss → backward → weight gradients → optimizer)
 * into a few command buffers; the batch numbers come from a GPU-side counter, the loss, cost and
 * length of each batch are filed in a GPU buffer, and they are read back once, at the end.
 *
 * @module
 */

import { UsageError } from "../config.ts";
import type {
  BatchRecord,
  TrainingBackend,
  TrainingSetup,
  TrainingState,
} from "../train/backend.ts";
import { checked, type GpuContext, runKernels, submit } from "./context.ts";
import { GpuNtm } from "./ntm/model.ts";
import { GpuTaskData } from "./ntm/task_data.ts";

/** How the WebGPU backend runs. */
export interface GpuBackendOptions {
  /** Lanes per batch row of the fused kernels (default: `preferredWorkgroupSize`). */
  readonly workgroupSize?: number;
  /** Batches whose records the GPU holds between readbacks; default 1024. */
  readonly recordCapacity?: number;
  /** Batches per submit, the granularity of `onProgress`; default 16. */
  readonly batchesPerSubmit?: number;
  /** Whether `dispose` also destroys the context's device (when the backend made it). */
  readonly ownsContext?: boolean;
}

/** Trains on a WebGPU device. */
export class GpuBackend implements TrainingBackend {
  readonly name = "webgpu";
  readonly description: string;
  readonly #context: GpuContext;
  readonly #model: GpuNtm;
  readonly #data: GpuTaskData;
  readonly #batchesPerSubmit: number;
  readonly #ownsContext: boolean;

  private constructor(
    context: GpuContext,
    model: GpuNtm,
    data: GpuTaskData,
    batchesPerSubmit: number,
    ownsContext: boolean,
  ) {
    this.#context = context;
    this.#model = model;
    this.#data = data;
    this.#batchesPerSubmit = batchesPerSubmit;
    this.#ownsContext = ownsContext;
    const { forward, backward } = model.stepsPerDispatch;
    const split = forward < model.shape.capacity || backward < model.shape.capacity
      ? `, up to ${forward} forward and ${backward} backward steps per dispatch (loop limit)`
      : "";
    this.description = `webgpu (${context.adapterName}; fused kernels, ` +
      `${model.shape.workgroupSize} lanes per batch row${split})`;
  }

  /**
   * Builds the model and the data kernel for `setup` and loads its initial state. Needs the
   * task's WGSL data twin (`setup.deviceData`).
   */
  static async create(
    context: GpuContext,
    setup: TrainingSetup,
    options: GpuBackendOptions = {},
  ): Promise<GpuBackend> {
    if (!setup.deviceData) {
      throw new UsageError(
        "Cannot use backend webgpu: the task has no WGSL twin of its data generator; " +
          "use --backend cpu",
      );
    }
    const batchesPerSubmit = options.batchesPerSubmit ?? 16;
    if (!Number.isInteger(batchesPerSubmit) || batchesPerSubmit < 1) {
      throw new RangeError("Cannot build the webgpu backend: batchesPerSubmit must be positive");
    }
    const model = await GpuNtm.create(context, setup.layout, {
      capacity: setup.capacity,
      optimizer: setup.optimizer,
      records: options.recordCapacity ?? 1024,
      workgroupSize: options.workgroupSize,
    });
    let data: GpuTaskData;
    try {
      data = await GpuTaskData.create(context, model.shape, setup.deviceData, setup.seed, {
        batch: model.buffers.batch,
        steps: model.buffers.steps,
      });
    } catch (error) {
      model.dispose();
      throw error;
    }
    try {
      await warmUp(data, model);
    } catch (error) {
      data.dispose();
      model.dispose();
      throw error;
    }
    model.writeParams(setup.initial.params);
    model.writeOptimizerState(setup.initial.squareAverage, setup.initial.momentumBuffer);
    return new GpuBackend(context, model, data, batchesPerSubmit, options.ownsContext ?? false);
  }

  async train(
    first: number,
    count: number,
    onProgress?: (done: number) => void,
  ): Promise<BatchRecord[]> {
    const records: BatchRecord[] = [];
    while (records.length < count) {
      const round = Math.min(count - records.length, this.#model.recordCapacity);
      const start = first + records.length;
      const { completed } = await this.#submitRound(
        start,
        round,
        (done) => onProgress?.(records.length + done),
      );
      // The readback queues behind the round's work: one wait for both (each costs a device
      // poll, ~10 ms in Deno). Both settle before an error surfaces; a lost device names the
      // round's kernels.
      const [filed, done] = await Promise.allSettled([this.#model.readRecords(round), completed]);
      if (filed.status === "rejected") throw this.#context.lost ?? filed.reason;
      if (done.status === "rejected") throw this.#context.lost ?? done.reason;
      filed.value.forEach((record, index) => records.push({ batch: start + index, ...record }));
    }
    return records;
  }

  /**
   * Submits the training of `count` batches from `first` in chunks, and resolves, once they
   * are submitted, with `completed`, which resolves when they are done; each chunk's
   * completion reports progress. The records stay on the GPU.
   */
  async #submitRound(
    first: number,
    count: number,
    onProgress: (done: number) => void,
  ): Promise<{ completed: Promise<unknown> }> {
    const { device } = this.#context;
    const step = [this.#data.kernel, ...this.#model.trainingStep];
    this.#data.start(first);
    const completions: Promise<void>[] = [];
    const label = step.map((kernel) => kernel.label).join(", ");
    await checked(this.#context, label, () => {
      for (let done = 0; done < count;) {
        const batches = Math.min(this.#batchesPerSubmit, count - done);
        const encoder = device.createCommandEncoder({ label });
        const pass = encoder.beginComputePass({ label: "ntm training" });
        for (let batch = 0; batch < batches; batch++) {
          for (const kernel of step) kernel.encode(pass);
        }
        pass.end();
        submit(this.#context, encoder);
        done += batches;
        const reached = done;
        completions.push(device.queue.onSubmittedWorkDone().then(() => onProgress(reached)));
      }
    });
    return { completed: Promise.all(completions) };
  }

  async readState(): Promise<TrainingState> {
    const params = await this.#model.readParams();
    const { squareAverage, momentumBuffer } = await this.#model.readOptimizerState();
    return { params, squareAverage, momentumBuffer };
  }

  dispose(): void {
    this.#data.dispose();
    this.#model.dispose();
    if (this.#ownsContext) this.#context.device.destroy();
  }
}

/**
 * Runs one training step of batch 0 before the initial state is loaded, so that a software
 * adapter, which compiles a pipeline at its first dispatch, does so here and not inside the
 * first report's timing. Everything it writes is overwritten before training: the state by the
 * upload that follows, the counter by `train`, the batch, tapes, gradients and record by the
 * next step.
 */
async function warmUp(data: GpuTaskData, model: GpuNtm): Promise<void> {
  data.start(0);
  await runKernels(model.context, [data.kernel, ...model.trainingStep]);
}
