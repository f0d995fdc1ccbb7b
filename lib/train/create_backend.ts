/**
 * Picks and builds the training backend named on the command line: `cpu`, `webgpu`, or `auto`
 * (WebGPU on a hardware adapter, the CPU when there is no adapter or only a software one, with a
 * note in the description saying why).
 *
 * @module
 */

import { UsageError } from "../config.ts";
import { CpuBackend } from "../cpu/backend.ts";
import { GpuBackend } from "../gpu/backend.ts";
import { createGpuContext, type GpuContext, GpuUnavailableError } from "../gpu/context.ts";
import type { TrainingBackend, TrainingSetup } from "./backend.ts";

/** The backends a user can ask for. */
export const BACKEND_KINDS = ["cpu", "webgpu", "auto"] as const;

/** A backend name from the command line. */
export type BackendKind = typeof BACKEND_KINDS[number];

/** Checks a `--backend` value, naming the valid ones. */
export function parseBackendKind(value: string): BackendKind {
  if (!(BACKEND_KINDS as readonly string[]).includes(value)) {
    throw new UsageError(
      `Cannot use backend "${value}": valid backends are ${BACKEND_KINDS.join(", ")}`,
    );
  }
  return value as BackendKind;
}

/** The same backend with a note appended to its description. */
function withNote(backend: TrainingBackend, note: string): TrainingBackend {
  return {
    name: backend.name,
    description: `${backend.description}; ${note}`,
    train: (first, count, onProgress) => backend.train(first, count, onProgress),
    readState: () => backend.readState(),
    dispose: () => backend.dispose(),
  };
}

/**
 * Builds the backend of `kind` for `setup`. `auto` trains on WebGPU only on a hardware adapter:
 * a software one (llvmpipe, lavapipe, SwiftShader) is slower than the CPU backend. On a hardware
 * adapter that cannot hold the config (a UsageError from GpuBackend.create), `auto` falls back
 * to the CPU with a note saying why.
 */
export async function createBackend(
  kind: BackendKind,
  setup: TrainingSetup,
): Promise<TrainingBackend> {
  if (kind === "cpu") return new CpuBackend(setup);
  if (kind === "webgpu") {
    // No adapter or device raises GpuUnavailableError, a UsageError suggesting --backend cpu.
    return await createOwning(await createGpuContext(), setup);
  }
  let context: GpuContext;
  try {
    context = await createGpuContext();
  } catch (error) {
    if (!(error instanceof GpuUnavailableError)) throw error;
    return withNote(new CpuBackend(setup), "auto: no usable WebGPU adapter");
  }
  if (context.isSoftware) {
    context.device.destroy();
    return withNote(
      new CpuBackend(setup),
      `auto: the only WebGPU adapter is a software one (${context.adapterName})`,
    );
  }
  try {
    return await createOwning(context, setup);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return withNote(
      new CpuBackend(setup),
      `auto: this config does not fit ${context.adapterName} (${error.message})`,
    );
  }
}

/**
 * A GpuBackend that destroys `context`'s device when disposed, or at once when it cannot be
 * built.
 */
async function createOwning(context: GpuContext, setup: TrainingSetup): Promise<GpuBackend> {
  try {
    return await GpuBackend.create(context, setup, { ownsContext: true });
  } catch (error) {
    context.device.destroy();
    throw error;
  }
}
