/**
 * Reference fixtures: safetensors files written by running the PyTorch reference (NTM-SPEC,
 * "fixtures/"), and the comparison of a backend's results against them.
 *
 * @module
 */

import { type HeadKind, type NTMConfig, UsageError, validateConfig } from "../config.ts";
import {
  readSafetensors,
  requireTensor,
  type Safetensors,
  type Tensor,
} from "../io/safetensors.ts";
import { fromReferenceTensors, type ParamEntry, type ParamLayout, paramLayout } from "../params.ts";
import { referenceRmsprop, type RmspropSettings } from "../cpu/rmsprop.ts";
import type { SequenceSteps } from "../sequence_steps.ts";

/**
 * A fixture, loaded: its config, its batch, and every stored tensor. Its outputs follow its input
 * (`outputStart` is T_in), as in every task of the reference.
 */
export interface Fixture extends SequenceSteps {
  /** Where it was read from (a path), for error messages. */
  readonly source: string;
  /** The store layout of the fixture's config. */
  readonly layout: ParamLayout;
  /** Its `rmsprop` settings, or the reference's RMSprop at its `lr`. */
  readonly optimizer: RmspropSettings;
  /** The parameters before training, as a flat store. */
  readonly params: Float32Array;
  /** `[T_in, B, I]`. */
  readonly input: Float32Array;
  /** `[T_out, B, O]`. */
  readonly target: Float32Array;
  /**
   * Every tensor in the file by name: `input`, `target`, `output`, `loss`, `w.<k>`,
   * `memory_final`, and `param.`, `grad.`, `step1.`, `step2.` plus a reference param name.
   */
  readonly tensors: Map<string, Tensor>;
}

/** What a backend computed on a fixture's batch. */
export interface FixtureRun {
  /** `[T_out, B, O]`. */
  readonly output: Float32Array | Float64Array;
  /** Mean BCE over the `T_out·B·O` output elements. */
  readonly loss: number;
  /** Per head, `[T_in + T_out, B, N]`. */
  readonly weightings: (Float32Array | Float64Array)[];
  /** `[B, N, M]`. */
  readonly memoryFinal: Float32Array | Float64Array;
  /** Flat store of gradients before clamping (trainable range). */
  readonly grads: Float32Array | Float64Array;
  /** Flat store after one optimizer step on the batch. */
  readonly step1: Float32Array | Float64Array;
  /** Flat store after a second step on the same batch. */
  readonly step2: Float32Array | Float64Array;
}

/** A field of a fixture's config that must be an integer of at least `min`. */
function configInteger(
  raw: Record<string, unknown>,
  field: string,
  min: number,
  source: string,
): number {
  const value = raw[field];
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new UsageError(
      `Cannot load fixture ${source}: config "${field}" is ${
        JSON.stringify(value) ?? "missing"
      }, not an integer ≥ ${min}`,
    );
  }
  return value;
}

/** A fixture's config object from its `config` metadata. */
function fixtureConfigObject(file: Safetensors, source: string): Record<string, unknown> {
  const text = file.metadata.config;
  if (typeof text !== "string") {
    throw new UsageError(`Cannot load fixture ${source}: header metadata has no "config"`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`Cannot load fixture ${source}: config is not JSON (${error})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new UsageError(
      `Cannot load fixture ${source}: config is ${JSON.stringify(raw)}, not a JSON object`,
    );
  }
  return raw as Record<string, unknown>;
}

/** A fixture's optimizer: its `rmsprop` settings, or the reference's RMSprop at its `lr`. */
function fixtureOptimizer(raw: Record<string, unknown>, source: string): RmspropSettings {
  const fail = (detail: string): never => {
    throw new UsageError(`Cannot load fixture ${source}: ${detail}`);
  };
  const number = (value: unknown, field: string): number =>
    typeof value === "number" && Number.isFinite(value)
      ? value
      : fail(`config "${field}" is ${JSON.stringify(value) ?? "missing"}, not a number`);
  if (raw.rmsprop === undefined) return referenceRmsprop(number(raw.lr, "lr"));
  const rmsprop = raw.rmsprop;
  if (rmsprop === null || typeof rmsprop !== "object" || Array.isArray(rmsprop)) {
    return fail(`config "rmsprop" is ${JSON.stringify(rmsprop)}, not an object`);
  }
  const settings = rmsprop as Record<string, unknown>;
  const field = (name: string) => number(settings[name], `rmsprop.${name}`);
  return {
    lr: field("lr"),
    alpha: field("alpha"),
    momentum: field("momentum"),
    eps: field("eps"),
    clip: field("clip"),
  };
}

/**
 * Parses a fixture's bytes once read. Every config field and every tensor the comparison reads
 * is checked up front: a missing or malformed one raises a UsageError naming it.
 */
export function fixtureFromSafetensors(file: Safetensors, source: string): Fixture {
  const raw = fixtureConfigObject(file, source);
  const integer = (field: string, min: number) => configInteger(raw, field, min, source);
  const heads = raw.heads;
  if (!Array.isArray(heads) || !heads.every((head) => head === "read" || head === "write")) {
    throw new UsageError(
      `Cannot load fixture ${source}: config "heads" is ${
        JSON.stringify(heads) ?? "missing"
      }, not a list of "read" and "write"`,
    );
  }
  const config: NTMConfig = validateConfig({
    inputs: integer("num_inputs", 1),
    outputs: integer("num_outputs", 1),
    controllerSize: integer("controller_size", 1),
    controllerLayers: integer("controller_layers", 1),
    memoryN: integer("memory_n", 3),
    memoryM: integer("memory_m", 1),
    heads: heads as HeadKind[],
    batchSize: integer("batch_size", 1),
  });
  const inputSteps = integer("T_in", 1), outputSteps = integer("T_out", 1);
  const optimizer = fixtureOptimizer(raw, source);
  const layout = paramLayout(config);
  const what = `fixture ${source}`;
  const { batchSize: B, inputs: I, outputs: O, memoryN: N, memoryM: M } = config;
  const tensor = (name: string, shape: readonly number[]) =>
    requireTensor(file.tensors, name, shape, what).data;
  const input = tensor("input", [inputSteps, B, I]);
  const target = tensor("target", [outputSteps, B, O]);
  tensor("output", [outputSteps, B, O]);
  tensor("loss", [1]);
  config.heads.forEach((_, k) => tensor(`w.${k}`, [inputSteps + outputSteps, B, N]));
  tensor("memory_final", [B, N, M]);
  for (const prefix of ["grad.", "step1.", "step2."]) {
    for (const entry of layout.entries.filter((entry) => entry.trainable)) {
      tensor(prefix + entry.name, entry.shape);
    }
  }
  return {
    source,
    layout,
    inputSteps,
    outputSteps,
    outputStart: inputSteps,
    optimizer,
    params: fromReferenceTensors(layout, file.tensors, "param.", what),
    input,
    target,
    tensors: file.tensors,
  };
}

/** Reads a fixture file. */
export async function loadFixture(path: string): Promise<Fixture> {
  return fixtureFromSafetensors(await readSafetensors(path), path);
}

/** One row of the comparison table. */
export interface Agreement {
  /** The fixture tensor compared, e.g. `output`, `w.0`, `grad.controller.lstm.weight_ih_l0`. */
  readonly name: string;
  /** Largest `|actual - expected|` over the elements. */
  readonly maxAbsError: number;
  /** Largest error relative to `atol + rtol·|expected|`; at most 1 passes. */
  readonly worstRatio: number;
  /** Absolute tolerance of the comparison. */
  readonly atol: number;
  /** Tolerance relative to `|expected|`. */
  readonly rtol: number;
  /** Whether every element is within tolerance (`mismatches` is 0). */
  readonly ok: boolean;
  /** Elements beyond the tolerance. */
  readonly mismatches: number;
  /**
   * Optimizer-step rows only: how many mismatched elements sit where RMSprop's first update
   * amplifies a gradient difference (see `stepSensitivity`), and of those, for `step1`, how many
   * lie within `atol` plus the difference between the run's gradient and the reference's times
   * the largest sensitivity between the two (the mean-value bound of the update).
   */
  readonly amplified?: { readonly count: number; readonly explained: number };
}

/** NTM-SPEC tolerances: values 1e-5 absolute, gradients 1e-4 relative or 1e-6 absolute. */
export const FIXTURE_TOLERANCES = {
  value: { atol: 1e-5, rtol: 0 },
  grad: { atol: 1e-6, rtol: 1e-4 },
  step: { atol: 1e-6, rtol: 0 },
} as const;

/** Compares `actual` with `expected` element-wise under `atol + rtol·|expected|`. */
export function agreement(
  name: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: { atol: number; rtol: number },
): Agreement {
  if (actual.length !== expected.length) {
    throw new RangeError(
      `Cannot compare "${name}": ${actual.length} values against ${expected.length} expected`,
    );
  }
  let maxAbsError = 0, worstRatio = 0, mismatches = 0;
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]);
    const ratio = error / (tolerance.atol + tolerance.rtol * Math.abs(expected[i]));
    if (!(error <= maxAbsError)) maxAbsError = error;
    if (!(ratio <= worstRatio)) worstRatio = ratio;
    if (!(ratio <= 1)) mismatches++;
  }
  return { name, maxAbsError, worstRatio, ...tolerance, ok: mismatches === 0, mismatches };
}

/**
 * The largest derivative of RMSprop's first update, `lr·g / (sqrt(1-alpha)·|g| + eps)`, with
 * respect to the gradient, over the gradients between `a` and `b`: `lr·eps / (sqrt(1-alpha)·m +
 * eps)²` with m the smaller magnitude, or 0 when the signs differ. Above 1 the update amplifies
 * gradient differences; at g = 0 it is `lr/eps` (1e5 at lr 1e-3), so float32 gradient noise on
 * elements with tiny gradients moves the step by far more than 1e-6.
 */
export function stepSensitivity(optimizer: RmspropSettings, a: number, b: number): number {
  const smallest = Math.sign(a) === Math.sign(b) ? Math.min(Math.abs(a), Math.abs(b)) : 0;
  return optimizer.lr * optimizer.eps /
    (Math.sqrt(1 - optimizer.alpha) * smallest + optimizer.eps) ** 2;
}

/** Compares a run with every tensor of the fixture (outputs, loss, w.*, memory, grads, steps). */
export function compareFixture(fixture: Fixture, run: FixtureRun): Agreement[] {
  const { layout, tensors, optimizer } = fixture;
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
  const slice = (store: Float32Array | Float64Array, entry: ParamEntry) =>
    store.subarray(entry.offset, entry.offset + entry.size);
  for (const entry of trainable) {
    const name = `grad.${entry.name}`;
    rows.push(agreement(name, slice(run.grads, entry), expected(name), FIXTURE_TOLERANCES.grad));
  }
  for (const step of ["step1", "step2"] as const) {
    for (const entry of trainable) {
      const name = `${step}.${entry.name}`;
      const actual = slice(run[step], entry), reference = expected(name);
      const row = agreement(name, actual, reference, FIXTURE_TOLERANCES.step);
      if (row.ok) {
        rows.push(row);
        continue;
      }
      const ours = slice(run.grads, entry), theirs = expected(`grad.${entry.name}`);
      let count = 0, explained = 0;
      for (let i = 0; i < entry.size; i++) {
        const error = Math.abs(actual[i] - reference[i]);
        if (error <= FIXTURE_TOLERANCES.step.atol) continue;
        const sensitivity = stepSensitivity(optimizer, ours[i], theirs[i]);
        if (sensitivity <= 1) continue;
        count++;
        const bound = FIXTURE_TOLERANCES.step.atol + sensitivity * Math.abs(ours[i] - theirs[i]);
        if (step === "step1" && error <= bound) explained++;
      }
      rows.push({ ...row, amplified: { count, explained } });
    }
  }
  return rows;
}
