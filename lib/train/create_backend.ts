/**
 * Picks and builds the training backend named on the command line.
 *
 * @module
 */

import { UsageError } from "../config.ts";
import { CpuBackend } from "../cpu/backend.ts";
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

/** Builds the backend of `kind` for `setup`. */
export function createBackend(
  kind: BackendKind,
  setup: TrainingSetup,
): Promise<TrainingBackend> {
  if (kind === "webgpu") {
    throw new UsageError(`Cannot use backend "webgpu": it is not built yet; use --backend cpu`);
  }
  return Promise.resolve(new CpuBackend(setup));
}
