/**
 * Reference fixtures: safetensors files written by running the PyTorch reference (NTM-SPEC,
 * "fixtures/"), and the comparison of a backend's results against them.
 *
 * @module
 */

import { type HeadKind, type NTMConfig, UsageError, validateConfig } from "../config.ts";
import { readSafetensors, type Safetensors, type Tensor } from "../io/safetensors.ts";
import { fromReferenceTensors, type ParamLayout, paramLayout } from "../params.ts";
import { referenceRmsprop, type RmspropSettings } from "../cpu/rmsprop.ts";

/** A fixture, loaded: its config, its batch, and every stored tensor. */
export interface Fixture {
  readonly source: string;
  readonly layout: ParamLayout;
  readonly inputSteps: number;
  readonly outputSteps: number;
  readonly optimizer: RmspropSettings;
  /** The parameters before training, as a flat store. */
  readonly params: Float32Array;
  /** `[T_in, B, I]`. */
  readonly input: Float32Array;
  /** `[T_out, B, O]`. */
  readonly target: Float32Array;
  readonly tensors: Map<string, Tensor>;
}

/** What a backend computed on a fixture's batch. */
export interface FixtureRun {
  /** `[T_out, B, O]`. */
  readonly output: Float32Array | Float64Array;
  readonly loss: number;
  /** Per head, `[T_in + T_out, B, N]`. */
  readonly weightings: (Float32Array | Float64Array)[];
  /** `[B, N, M]`. */
  readonly memoryFinal: Float32Array | Float64Array;
  /** Flat store of gradients before clamping (trainable range). */
  readonly grads: Float32Array | Float64Array;
  /** Flat stores after one and two optimizer steps on the same batch. */
  readonly step1: Float32Array | Float64Array;
  readonly step2: Float32Array | Float64Array;
}

/** Parses a fixture's bytes once read. */
export function fixtureFromSafetensors(file: Safetensors, source: string): Fixture {
  const text = file.metadata.config;
  if (typeof text !== "string") {
    throw new UsageError(`Cannot load fixture ${source}: header metadata has no "config"`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`Cannot load fixture ${source}: config is not JSON (${error})`);
  }
  const config: NTMConfig = validateConfig({
    inputs: raw.num_inputs as number,
    outputs: raw.num_outputs as number,
    controllerSize: raw.controller_size as number,
    controllerLayers: raw.controller_layers as number,
    memoryN: raw.memory_n as number,
    memoryM: raw.memory_m as number,
    heads: raw.heads as HeadKind[],
    batchSize: raw.batch_size as number,
  });
  const layout = paramLayout(config);
  const tensor = (name: string): Float32Array => {
    const found = file.tensors.get(name);
    if (!found) throw new UsageError(`Cannot load fixture ${source}: tensor "${name}" is missing`);
    return found.data;
  };
  const rmsprop = raw.rmsprop as Record<string, number> | undefined;
  return {
    source,
    layout,
    inputSteps: raw.T_in as number,
    outputSteps: raw.T_out as number,
    optimizer: rmsprop
      ? {
        lr: rmsprop.lr,
        alpha: rmsprop.alpha,
        momentum: rmsprop.momentum,
        eps: rmsprop.eps,
        clip: rmsprop.clip,
      }
      : referenceRmsprop(raw.lr as number),
    params: fromReferenceTensors(layout, file.tensors, "param.", `fixture ${source}`),
    input: tensor("input"),
    target: tensor("target"),
    tensors: file.tensors,
  };
}

/** Reads a fixture file. */
export async function loadFixture(path: string): Promise<Fixture> {
  return fixtureFromSafetensors(await readSafetensors(path), path);
}

/** One row of the comparison table. */
export interface Agreement {
  readonly name: string;
  readonly maxAbsError: number;
  /** Largest error relative to `atol + rtol·|expected|`; at most 1 passes. */
  readonly worstRatio: number;
  readonly atol: number;
  readonly rtol: number;
  readonly ok: boolean;
  /**
   * Elements held to the exact (float64) value instead of the PyTorch value, because the
   * PyTorch value is itself farther than the tolerance from it (see `compareFixture`).
   */
  readonly heldToExact: number;
}

/** NTM-SPEC tolerances: values 1e-5 absolute, gradients 1e-4 relative or 1e-6 absolute. */
export const FIXTURE_TOLERANCES = {
  value: { atol: 1e-5, rtol: 0 },
  grad: { atol: 1e-6, rtol: 1e-4 },
  step: { atol: 1e-6, rtol: 0 },
} as const;

type Values = ArrayLike<number>;

/**
 * Compares `actual` with `expected` element-wise under `atol + rtol·|expected|`.
 *
 * With `exact` (the same quantity computed in float64), an element whose `expected` value is
 * itself farther than the tolerance from `exact` is instead required to lie within the
 * tolerance of `exact`, widened by the reference's own error there. This matters for RMSprop's
 * first steps, which amplify float32 gradient noise by up to `lr/eps`: the PyTorch reference's
 * steps carry that noise, and no other float32 implementation can reproduce it.
 */
export function agreement(
  name: string,
  actual: Values,
  expected: Values,
  tolerance: { atol: number; rtol: number },
  exact?: Values,
): Agreement {
  if (actual.length !== expected.length || (exact && exact.length !== expected.length)) {
    throw new RangeError(
      `Cannot compare "${name}": ${actual.length} values against ${expected.length} expected`,
    );
  }
  let maxAbsError = 0, worstRatio = 0, heldToExact = 0;
  for (let i = 0; i < expected.length; i++) {
    const bound = tolerance.atol + tolerance.rtol * Math.abs(expected[i]);
    const error = Math.abs(actual[i] - expected[i]);
    let ratio = error / bound;
    if (exact && ratio > 1) {
      const referenceError = Math.abs(expected[i] - exact[i]);
      if (referenceError > bound) {
        heldToExact++;
        ratio = Math.abs(actual[i] - exact[i]) / (bound + referenceError);
      }
    }
    if (!(error <= maxAbsError)) maxAbsError = error;
    if (!(ratio <= worstRatio)) worstRatio = ratio;
  }
  return { name, maxAbsError, worstRatio, ...tolerance, ok: worstRatio <= 1, heldToExact };
}

/**
 * Compares a run with every tensor of the fixture (outputs, loss, w.*, memory, grads, steps).
 * `exact`, a float64 run of the CPU reference, lets the step rows tell the reference's float32
 * noise from ours (see `agreement`).
 */
export function compareFixture(fixture: Fixture, run: FixtureRun, exact?: FixtureRun): Agreement[] {
  const { layout, tensors } = fixture;
  const expected = (name: string) => tensors.get(name)!.data;
  const rows: Agreement[] = [
    agreement("output", run.output, expected("output"), FIXTURE_TOLERANCES.value),
    agreement("loss", [run.loss], expected("loss"), FIXTURE_TOLERANCES.value),
  ];
  run.weightings.forEach((w, k) => {
    rows.push(agreement(`w.${k}`, w, expected(`w.${k}`), FIXTURE_TOLERANCES.value));
  });
  rows.push(
    agreement("memory_final", run.memoryFinal, expected("memory_final"), FIXTURE_TOLERANCES.value),
  );
  const trainable = layout.entries.filter((entry) => entry.trainable);
  for (
    const [prefix, pick, tolerance, useExact] of [
      ["grad.", (r: FixtureRun) => r.grads, FIXTURE_TOLERANCES.grad, false],
      ["step1.", (r: FixtureRun) => r.step1, FIXTURE_TOLERANCES.step, true],
      ["step2.", (r: FixtureRun) => r.step2, FIXTURE_TOLERANCES.step, true],
    ] as const
  ) {
    for (const entry of trainable) {
      const name = prefix + entry.name;
      if (!tensors.has(name)) continue;
      const slice = (store: Float32Array | Float64Array) =>
        store.subarray(entry.offset, entry.offset + entry.size);
      rows.push(
        agreement(
          name,
          slice(pick(run)),
          expected(name),
          tolerance,
          useExact && exact ? slice(pick(exact)) : undefined,
        ),
      );
    }
  }
  return rows;
}
