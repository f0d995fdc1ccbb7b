/**
 * Neural Turing Machines with an LSTM controller, trained on the GPU through WebGPU (fused WGSL
 * forward and backward kernels) or on the CPU (a plain TypeScript reference with WebAssembly SIMD
 * kernels), matching the PyTorch reference loudinthecloud/pytorch-ntm.
 *
 * @example Train the copy task on the best available backend
 * ```ts
 * import { copyTask, runTrainingCli } from "./mod.ts";
 *
 * await runTrainingCli(copyTask, ["--seed", "10", "-p", "num_batches=1000"]);
 * ```
 *
 * @example Run the reference model on one sequence
 * ```ts
 * import { CpuNtm, initParams, paramLayout } from "./mod.ts";
 *
 * const layout = paramLayout({
 *   inputs: 9,
 *   outputs: 8,
 *   controllerSize: 100,
 *   controllerLayers: 1,
 *   memoryN: 128,
 *   memoryM: 20,
 *   heads: ["read", "write"],
 *   batchSize: 1,
 * });
 * const model = new CpuNtm(layout, { capacity: 7 });
 * const input = new Float32Array(4 * 9);
 * input[3 * 9 + 8] = 1; // the delimiter
 * const steps = { inputSteps: 4, outputSteps: 3, outputStart: 4 };
 * const outputs = model.forward(initParams(layout, 10), input, steps);
 * ```
 *
 * @example Evaluate a checkpoint on sequences of length 80 and draw the first
 * ```ts
 * import { copyTask, runEvaluationCli } from "./mod.ts";
 *
 * await runEvaluationCli(copyTask, [
 *   "checkpoints/copy-task-10-batch-20000.safetensors",
 *   "-p", "sequence_min_len=80", "-p", "sequence_max_len=80",
 *   "--image", "copy-80.png",
 * ]);
 * ```
 *
 * @example Compare how two seeds trained, as a table and a chart
 * ```ts
 * import { copyTask, runHistoryCli } from "./mod.ts";
 *
 * await runHistoryCli(copyTask, [
 *   "checkpoints/copy-task-10-batch-30000.safetensors",
 *   "checkpoints/copy-task-1-batch-30000.safetensors",
 *   "--image", "convergence.png",
 * ]);
 * ```
 *
 * @module
 */

// Shapes, parameters and randomness.
export * from "./lib/config.ts";
export * from "./lib/params.ts";
export * from "./lib/random.ts";
export * from "./lib/sequence_steps.ts";

// Files: safetensors and checkpoints.
export * from "./lib/io/safetensors.ts";
export * from "./lib/io/checkpoint.ts";
export { writeFileAtomic } from "./lib/io/atomic_write.ts";

// The CPU reference model and backend.
export { CpuNtm, type CpuNtmOptions } from "./lib/cpu/ntm.ts";
export type { HeadTape, LayerTape, Tape } from "./lib/cpu/tape.ts";
export type { Allocate, Floats } from "./lib/cpu/floats.ts";
export { type LinearKernels, plainKernels } from "./lib/cpu/linear_kernels.ts";
export { type CpuKernels, plainCpuKernels } from "./lib/cpu/kernels.ts";
export { lstmCellForward, type LstmKernels } from "./lib/cpu/lstm.ts";
export type { MemoryKernels } from "./lib/cpu/memory_kernels.ts";
export { contentBackward, contentForward } from "./lib/cpu/addressing.ts";
export { readBackward, readForward, writeBackward, writeForward } from "./lib/cpu/memory.ts";
export { WasmKernels, wasmSimdAvailable } from "./lib/cpu/wasm_kernels.ts";
export { FloatArena } from "./lib/wasm/float_arena.ts";
export { bceLoss, bceLossBackward, bitCost } from "./lib/cpu/loss.ts";
export * from "./lib/cpu/rmsprop.ts";
export { type FixtureKernels, runFixtureCpu } from "./lib/cpu/run_fixture.ts";
export * from "./lib/cpu/backend.ts";

// WebGPU: context, tensor ops, the fused NTM and its backend.
export * from "./lib/gpu/context.ts";
export { linkShader } from "./lib/gpu/shader.ts";
export * from "./lib/gpu/ops/mod.ts";
export { preferredWorkgroupSize } from "./lib/gpu/ntm/model.ts";
export { runFixtureWebgpu } from "./lib/gpu/ntm/run_fixture.ts";
export * from "./lib/gpu/backend.ts";

// Training: tasks, the trainer loop, backends, the CLI.
export * from "./lib/train/backend.ts";
export * from "./lib/train/task.ts";
export * from "./lib/train/lr_schedule.ts";
export * from "./lib/train/trainer.ts";
export * from "./lib/train/create_backend.ts";
export { runTrainingCli } from "./lib/cli/train_cli.ts";
export { runEvaluationCli } from "./lib/cli/evaluate_cli.ts";
export { runHistoryCli } from "./lib/cli/history_cli.ts";
export { runTaskCli } from "./lib/cli/task_cli.ts";
export { resolveParams } from "./lib/cli/params.ts";
export { copyParams, type CopyParamSpecs, copyTask } from "./tasks/copy.ts";
export {
  repeatCopyParams,
  type RepeatCopyParamSpecs,
  repeatCopyTask,
} from "./tasks/repeat_copy.ts";
export {
  associativeRecallParams,
  type AssociativeRecallParamSpecs,
  associativeRecallTask,
} from "./tasks/associative_recall.ts";
export {
  prioritySortParams,
  type PrioritySortParamSpecs,
  prioritySortTask,
} from "./tasks/priority_sort.ts";
export {
  type DynamicNgramsParams,
  dynamicNgramsParams,
  type DynamicNgramsParamSpecs,
  dynamicNgramsTask,
  type NgramProbability,
  ngramProbability,
  ngramSequence,
  optimalPredictions,
} from "./tasks/dynamic_ngrams.ts";

// Evaluation: trained models on new data, training histories, and pictures of both.
export * from "./lib/eval/evaluate.ts";
export * from "./lib/eval/picture.ts";
export * from "./lib/eval/history.ts";
export * from "./lib/eval/chart.ts";
export * from "./lib/eval/raster.ts";
export * from "./lib/io/png.ts";

// Checking against the PyTorch reference.
export * from "./lib/verify/fixture.ts";
