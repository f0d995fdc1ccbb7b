/**
 * The WebGPU context: adapter and device, a pipeline cache, labelled buffers, readback, and
 * errors that name the kernel that raised them. Nothing here is global; callers pass the
 * context explicitly.
 *
 * @module
 */

import { UsageError } from "../config.ts";

/**
 * Raised when WebGPU has no adapter or device; the message suggests the CPU backend. A
 * UsageError, so command-line tools exit with status 2.
 */
export class GpuUnavailableError extends UsageError {
  /** Builds the error with the reason WebGPU is unavailable. */
  constructor(detail: string) {
    super(`Cannot start WebGPU: ${detail}; run with --backend cpu to train on the CPU`);
    this.name = "GpuUnavailableError";
  }
}

/** Raised for a validation, out-of-memory or internal error, naming the kernel involved. */
export class GpuKernelError extends Error {
  /** Builds the error for `kernel` with WebGPU's own message. */
  constructor(kernel: string, detail: string) {
    super(`WebGPU kernel "${kernel}" failed: ${detail}`);
    this.name = "GpuKernelError";
  }
}

/** A device with its adapter's description and a pipeline cache. */
export interface GpuContext {
  /** The WebGPU device every buffer, pipeline and submit of this context uses. */
  readonly device: GPUDevice;
  /** The adapter's description, e.g. "NVIDIA H100" or "llvmpipe (LLVM 15.0.6, 256 bits)". */
  readonly adapterName: string;
  /** True for a software adapter (llvmpipe, lavapipe, SwiftShader or a fallback adapter). */
  readonly isSoftware: boolean;
  /** Compiled pipelines by label and constants, shared by every kernel of this context. */
  readonly pipelines: Map<string, GPUComputePipeline>;
  /** Set once the device is lost; every later use throws it. */
  lost?: Error;
  /** The label of the work `submit` last sent, which a device loss names. */
  lastSubmitted?: string;
}

const SOFTWARE_ADAPTERS = /llvmpipe|lavapipe|swiftshader|software/i;

/** Options for `createGpuContext`. */
export interface GpuContextOptions {
  /** Adapter preference passed to `requestAdapter`. */
  readonly powerPreference?: GPUPowerPreference;
}

/** The description of an adapter, falling back to its vendor and architecture. */
export function describeAdapter(adapter: GPUAdapter): string {
  const info = adapter.info;
  return info.description || [info.vendor, info.architecture, info.device].filter(Boolean)
    .join(" ") ||
    "unknown adapter";
}

/** Requests the adapter, or null when WebGPU has none. */
export async function requestAdapter(
  options: GpuContextOptions = {},
): Promise<GPUAdapter | null> {
  if (typeof navigator === "undefined" || !("gpu" in navigator)) return null;
  return await navigator.gpu.requestAdapter({
    powerPreference: options.powerPreference ?? "high-performance",
  });
}

/**
 * Acquires an adapter and a device with the adapter's full compute limits (workgroup storage,
 * storage buffers per stage, buffer and texture sizes). Throws GpuUnavailableError without an
 * adapter.
 */
export async function createGpuContext(options: GpuContextOptions = {}): Promise<GpuContext> {
  const adapter = await requestAdapter(options);
  if (!adapter) throw new GpuUnavailableError("no WebGPU adapter was found");
  const wanted = [
    "maxComputeWorkgroupStorageSize",
    "maxStorageBuffersPerShaderStage",
    "maxStorageBufferBindingSize",
    "maxBufferSize",
    "maxComputeInvocationsPerWorkgroup",
    "maxComputeWorkgroupSizeX",
    "maxTextureDimension2D",
  ] as const;
  const requiredLimits: Record<string, number> = {};
  for (const name of wanted) requiredLimits[name] = adapter.limits[name];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ label: "ntm", requiredLimits });
  } catch (error) {
    throw new GpuUnavailableError(`the adapter refused a device (${(error as Error).message})`);
  }
  const adapterName = describeAdapter(adapter);
  const context: GpuContext = {
    device,
    adapterName,
    isSoftware: adapter.info.isFallbackAdapter || SOFTWARE_ADAPTERS.test(adapterName),
    pipelines: new Map(),
  };
  device.lost.then((info) => {
    context.lost = new GpuKernelError(
      context.lastSubmitted ?? "device",
      `device lost (${info.reason}): ${info.message}`,
    );
  });
  return context;
}

// ---- The loop limit of software adapters.
//
// llvmpipe (Mesa's software rasteriser; lavapipe shares its code) gives each shader invocation
// one loop counter, shared by every loop in it, nested or not: it starts at 65535
// (LP_MAX_TGSI_LOOP_ITERATIONS) and drops by one at the end of each iteration of any loop. At
// zero every loop exits early, silently, and the kernel computes garbage. The counter belongs to
// a SIMD vector of lanes (8 with AVX2), so a loop costs the most trips any of its lanes runs.
// Measured there: a loop costs its trips + 1 (the failing test ends an iteration too) each time
// it is reached, and 1 when it sits in a branch no lane takes (both sides of a branch run,
// masked); loops the compiler unrolls (small constant trip counts) cost nothing. Kernels whose
// loop counts grow with the sizes they are given bound them with the helpers below and check
// the bound on software adapters.

/** The loop iterations llvmpipe lets one invocation run (see above). */
export const SOFTWARE_LOOP_ITERATION_LIMIT = 65535;

/**
 * The loop iterations one invocation may run on this context's adapter: 65535 on a software
 * adapter (llvmpipe's limit, see `SOFTWARE_LOOP_ITERATION_LIMIT`), Infinity on a GPU.
 */
export function loopIterationLimit(context: GpuContext): number {
  return context.isSoftware ? SOFTWARE_LOOP_ITERATION_LIMIT : Infinity;
}

/**
 * What a loop of `trips` iterations costs against the limit, each iteration running loops that
 * cost `body`: `trips + 1 + trips·body`. Count every loop, unrolled or not, and both sides of a
 * branch, so that the sum is an upper bound.
 */
export function loopIterations(trips: number, body = 0): number {
  return trips + 1 + trips * body;
}

/**
 * What a loop over `count` items shared by `lanes` lanes (`for (var i = lane; i < count;
 * i += lanes)`) costs its busiest lane, each iteration running loops that cost `body`.
 */
export function stridedLoopIterations(count: number, lanes: number, body = 0): number {
  return loopIterations(Math.ceil(count / lanes), body);
}

/** What one call of a workgroup reduction of shaders/common/reduce.wgsl costs over `lanes`. */
export function reductionLoopIterations(lanes: number): number {
  // One lane in 8 adds up its group of up to 8 values, then every lane adds up the groups.
  return loopIterations(8) + loopIterations(Math.ceil(lanes / 8));
}

/**
 * Throws a UsageError when `iterations`, an upper bound of the loop iterations one invocation of
 * `kernel` runs, exceeds the context's `loopIterationLimit`; `remedy` says what to change.
 */
export function checkLoopIterations(
  context: GpuContext,
  kernel: string,
  iterations: number,
  remedy: string,
): void {
  const limit = loopIterationLimit(context);
  if (iterations > limit) {
    throw new UsageError(
      `Cannot prepare ${kernel}: an invocation may run up to ${iterations} loop iterations, ` +
        `and ${context.adapterName} stops every loop after ${limit}; ${remedy}`,
    );
  }
}

/** Throws if the device was lost. */
export function assertAlive(context: GpuContext): void {
  if (context.lost) throw context.lost;
}

/**
 * Runs `body` inside validation, out-of-memory and internal error scopes and throws a
 * GpuKernelError naming `kernel` for the first error WebGPU reports.
 */
export async function checked<T>(
  context: GpuContext,
  kernel: string,
  body: () => T,
): Promise<T> {
  assertAlive(context);
  const { device } = context;
  device.pushErrorScope("internal");
  device.pushErrorScope("out-of-memory");
  device.pushErrorScope("validation");
  let result: T | undefined, thrown: unknown;
  try {
    result = body();
  } catch (error) {
    thrown = error;
  }
  const errors = await Promise.all([
    device.popErrorScope(),
    device.popErrorScope(),
    device.popErrorScope(),
  ]);
  const first = errors.find((error) => error !== null);
  if (first) {
    throw new GpuKernelError(
      kernel,
      first.message || `${first.constructor.name} without a message`,
    );
  }
  if (thrown !== undefined) throw thrown;
  return result as T;
}

/**
 * A compute pipeline for WGSL `code`, cached under `label` and `constants` (the `override`
 * values): a label must name one shader source.
 */
export async function pipeline(
  context: GpuContext,
  label: string,
  code: string,
  constants: Record<string, number> = {},
  entryPoint = "main",
): Promise<GPUComputePipeline> {
  const key = `${label} ${JSON.stringify(constants)}`;
  const cached = context.pipelines.get(key);
  if (cached) return cached;
  const made = await checked(context, label, () => {
    const module = context.device.createShaderModule({ label, code });
    return context.device.createComputePipeline({
      label,
      layout: "auto",
      compute: { module, entryPoint, constants },
    });
  });
  context.pipelines.set(key, made);
  return made;
}

/** A storage buffer of `size` bytes (rounded up to 4), optionally filled from `data`. */
export function storageBuffer(
  context: GpuContext,
  label: string,
  sizeOrData: number | Float32Array | Uint32Array | Int32Array,
  extraUsage = 0,
): GPUBuffer {
  const bytes = typeof sizeOrData === "number" ? sizeOrData : sizeOrData.byteLength;
  const buffer = context.device.createBuffer({
    label,
    size: Math.max(4, Math.ceil(bytes / 4) * 4),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST |
      extraUsage,
  });
  if (typeof sizeOrData !== "number") upload(context, buffer, sizeOrData);
  return buffer;
}

/** A uniform buffer holding `data` (u32 values unless given floats). */
export function uniformBuffer(
  context: GpuContext,
  label: string,
  data: Uint32Array | Float32Array,
): GPUBuffer {
  const buffer = context.device.createBuffer({
    label,
    size: Math.max(16, Math.ceil(data.byteLength / 16) * 16),
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  upload(context, buffer, data);
  return buffer;
}

/** Writes `data` into `buffer` at byte `offset`. */
export function upload(
  context: GpuContext,
  buffer: GPUBuffer,
  data: Float32Array | Uint32Array | Int32Array,
  offset = 0,
): void {
  context.device.queue.writeBuffer(
    buffer,
    offset,
    data.buffer as ArrayBuffer,
    data.byteOffset,
    data.byteLength,
  );
}

/** Copies `bytes` bytes of `buffer` from `offset` back to the host. */
export async function readBytes(
  context: GpuContext,
  buffer: GPUBuffer,
  offset = 0,
  bytes = buffer.size - offset,
): Promise<ArrayBuffer> {
  assertAlive(context);
  const staging = context.device.createBuffer({
    label: `${buffer.label} readback`,
    size: bytes,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const encoder = context.device.createCommandEncoder({ label: `${buffer.label} readback` });
  encoder.copyBufferToBuffer(buffer, offset, staging, 0, bytes);
  // Not through `submit`: a device loss while the copy waits is the kernels' before it.
  context.device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const copy = staging.getMappedRange().slice(0);
  staging.unmap();
  staging.destroy();
  return copy;
}

/** Reads `count` float32 values of `buffer` starting at element `first`. */
export async function readFloats(
  context: GpuContext,
  buffer: GPUBuffer,
  first = 0,
  count = buffer.size / 4 - first,
): Promise<Float32Array> {
  return new Float32Array(await readBytes(context, buffer, 4 * first, 4 * count));
}

/** Binds `resources` to bindings 0, 1, … of group 0 of `computePipeline`. */
export function bindResources(
  context: GpuContext,
  computePipeline: GPUComputePipeline,
  label: string,
  resources: readonly GpuResource[],
): GPUBindGroup {
  return context.device.createBindGroup({
    label,
    layout: computePipeline.getBindGroupLayout(0),
    entries: resources.map((resource, binding) => bindingEntry(binding, resource)),
  });
}

/** What a kernel binds: a whole buffer, or a texture's view. */
export type GpuResource = GPUBuffer | GPUTextureView;

/** The bind group entry that binds `resource` (a whole buffer or a texture view) at `binding`. */
export function bindingEntry(binding: number, resource: GpuResource): GPUBindGroupEntry {
  return { binding, resource: resource instanceof GPUBuffer ? { buffer: resource } : resource };
}

/** A dispatch with its pipeline, bindings and grid fixed, ready to record into any pass. */
export interface PreparedKernel {
  /** The pipeline's label; errors and command labels name the kernel by it. */
  readonly label: string;
  /** Records the dispatch into `pass`. */
  encode(pass: GPUComputePassEncoder): void;
}

/** Prepares one dispatch of `computePipeline` over `workgroups` with `resources` bound in order. */
export function prepareDispatch(
  context: GpuContext,
  computePipeline: GPUComputePipeline,
  resources: readonly GpuResource[],
  workgroups: readonly [number, number?, number?],
): PreparedKernel {
  const label = computePipeline.label;
  const bindGroup = bindResources(context, computePipeline, label, resources);
  return {
    label,
    encode(pass) {
      pass.setPipeline(computePipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1);
    },
  };
}

/**
 * Records `kernels` in order into one compute pass, submits it and waits for the queue; errors
 * are raised as GpuKernelError naming the kernels.
 */
export async function runKernels(
  context: GpuContext,
  kernels: readonly PreparedKernel[],
): Promise<void> {
  const label = kernels.map((kernel) => kernel.label).join(", ");
  await checked(context, label, () => {
    const encoder = context.device.createCommandEncoder({ label });
    const pass = encoder.beginComputePass({ label });
    for (const kernel of kernels) kernel.encode(pass);
    pass.end();
    submit(context, encoder);
  });
  await context.device.queue.onSubmittedWorkDone();
}

/**
 * Finishes `encoder` and submits it, remembering its label as the work a device loss names.
 */
export function submit(context: GpuContext, encoder: GPUCommandEncoder): void {
  context.lastSubmitted = encoder.label;
  context.device.queue.submit([encoder.finish()]);
}
