/**
 * One flat float32 store for every parameter and buffer of an NTM, with a named offset table
 * that uses the PyTorch reference's names and shapes.
 *
 * Trainable tensors come first, so the optimizer sees one contiguous range `[0, trainableSize)`;
 * the fixed buffers (initial reads and the memory bias) follow.
 *
 * @module
 */

import {
  controllerInputSize,
  headLayout,
  type NTMConfig,
  outputInputSize,
  readCount,
  UsageError,
  validateConfig,
} from "./config.ts";
import { INIT_STREAM, randomNormal, randomUniform } from "./random.ts";
import { requireTensor, shapeSize, type Tensor } from "./io/safetensors.ts";

/** How a tensor is drawn when training starts from scratch (NTM-SPEC, "Initialisation"). */
export type ParamInit =
  | { readonly kind: "uniform"; readonly bound: number }
  | { readonly kind: "normal"; readonly std: number }
  | { readonly kind: "zeros" };

/** One tensor of the store. */
export interface ParamEntry {
  /** The PyTorch reference's name, e.g. `controller.lstm.weight_ih_l0`. */
  readonly name: string;
  /** Row-major shape as in the reference, e.g. `[4H, I_ctrl]` for `weight_ih_l0`. */
  readonly shape: readonly number[];
  /** First element in the flat store. */
  readonly offset: number;
  /** Number of elements. */
  readonly size: number;
  /** Whether the optimizer updates it (buffers such as `memory.mem_bias` are not trained). */
  readonly trainable: boolean;
  /** How it is drawn when training starts from scratch. */
  readonly init: ParamInit;
}

/** The offset table of a config's flat store. */
export interface ParamLayout {
  /** The config whose shapes the table lays out. */
  readonly config: NTMConfig;
  /** Every tensor, trainable ones first. */
  readonly entries: readonly ParamEntry[];
  /** Total elements in the store. */
  readonly size: number;
  /** Elements in the trainable prefix `[0, trainableSize)`. */
  readonly trainableSize: number;
  /** Looks a tensor up by its reference name; throws on an unknown name. */
  entry(name: string): ParamEntry;
}

/** Name of layer `layer`'s LSTM tensor `kind` (`weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`). */
export function lstmName(kind: string, layer: number): string {
  return `controller.lstm.${kind}_l${layer}`;
}

/** Names of head `index`'s linear layer, `heads.<index>.fc_read|fc_write.weight|bias`. */
export function headNames(config: NTMConfig, index: number): { weight: string; bias: string } {
  const layer = config.heads[index] === "read" ? "fc_read" : "fc_write";
  return { weight: `heads.${index}.${layer}.weight`, bias: `heads.${index}.${layer}.bias` };
}

function xavierBound(gain: number, fanOut: number, fanIn: number): number {
  return gain * Math.sqrt(6 / (fanIn + fanOut));
}

/**
 * The most values a flat store may hold: 2^28 float32 values, 1 GiB. Training keeps four
 * stores (parameters, gradients and two optimizer states), which must fit the 4 GiB of a 32-bit
 * WebAssembly memory.
 */
export const MAX_STORE_SIZE = 2 ** 28;

/**
 * The names and shapes of a layout's tensors as one string: two layouts with the same shape
 * load the same checkpoints.
 */
export function modelShape(layout: ParamLayout): string {
  return JSON.stringify(layout.entries.map((entry) => [entry.name, entry.shape]));
}

/**
 * Builds the offset table of a config (validating it first). A store larger than
 * `MAX_STORE_SIZE` raises a UsageError naming its size.
 */
export function paramLayout(config: NTMConfig): ParamLayout {
  validateConfig(config);
  const { controllerSize: H, controllerLayers: L, memoryN: N, memoryM: M } = config;
  const specs: { name: string; shape: number[]; trainable: boolean; init: ParamInit }[] = [];
  const add = (name: string, shape: number[], init: ParamInit, trainable = true) =>
    specs.push({ name, shape, trainable, init });

  add("controller.lstm_h_bias", [L, 1, H], { kind: "normal", std: 0.05 });
  add("controller.lstm_c_bias", [L, 1, H], { kind: "normal", std: 0.05 });
  const lstmBound = 5 / Math.sqrt(controllerInputSize(config) + H);
  for (let layer = 0; layer < L; layer++) {
    const layerInputs = layer === 0 ? controllerInputSize(config) : H;
    add(lstmName("weight_ih", layer), [4 * H, layerInputs], { kind: "uniform", bound: lstmBound });
    add(lstmName("weight_hh", layer), [4 * H, H], { kind: "uniform", bound: lstmBound });
    add(lstmName("bias_ih", layer), [4 * H], { kind: "zeros" });
    add(lstmName("bias_hh", layer), [4 * H], { kind: "zeros" });
  }
  config.heads.forEach((kind, index) => {
    const width = headLayout(kind, M).width;
    const names = headNames(config, index);
    add(names.weight, [width, H], { kind: "uniform", bound: xavierBound(1.4, width, H) });
    add(names.bias, [width], { kind: "normal", std: 0.01 });
  });
  const fcInputs = outputInputSize(config);
  add("fc.weight", [config.outputs, fcInputs], {
    kind: "uniform",
    bound: xavierBound(1, config.outputs, fcInputs),
  });
  add("fc.bias", [config.outputs], { kind: "normal", std: 0.01 });
  for (let read = 0; read < readCount(config); read++) {
    add(`read${read}_bias`, [1, M], { kind: "normal", std: 0.01 }, false);
  }
  add("memory.mem_bias", [N, M], { kind: "uniform", bound: 1 / Math.sqrt(N + M) }, false);

  const total = specs.reduce((sum, spec) => sum + shapeSize(spec.shape), 0);
  if (total > MAX_STORE_SIZE) {
    throw new UsageError(
      `Cannot build the model: its parameters need ${total} floats, more than the ` +
        `${MAX_STORE_SIZE} (1 GiB) a store may hold; lower the controller, memory or input sizes`,
    );
  }
  let offset = 0;
  const entries: ParamEntry[] = specs.map((spec) => {
    const size = shapeSize(spec.shape);
    const entry = { ...spec, offset, size };
    offset += size;
    return entry;
  });
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  const trainableSize = entries.filter((entry) => entry.trainable)
    .reduce((sum, entry) => sum + entry.size, 0);
  return {
    config,
    entries,
    size: offset,
    trainableSize,
    entry(name: string): ParamEntry {
      const found = byName.get(name);
      if (!found) {
        throw new RangeError(
          `Cannot find parameter "${name}": this config's tensors are ${
            entries.map((entry) => entry.name).join(", ")
          }`,
        );
      }
      return found;
    },
  };
}

/** A view of one tensor inside a flat store. */
export function paramView<A extends Float32Array | Float64Array>(
  layout: ParamLayout,
  store: A,
  name: string,
): A {
  const entry = layout.entry(name);
  return store.subarray(entry.offset, entry.offset + entry.size) as A;
}

/** Draws a fresh store from the seed, each tensor from its own random stream. */
export function initParams(layout: ParamLayout, seed: number): Float32Array {
  const store = new Float32Array(layout.size);
  layout.entries.forEach((entry, tensorIndex) => {
    const stream = INIT_STREAM + tensorIndex;
    const view = store.subarray(entry.offset, entry.offset + entry.size);
    const { init } = entry;
    for (let i = 0; i < entry.size; i++) {
      if (init.kind === "uniform") {
        view[i] = (2 * randomUniform(seed, stream, i) - 1) * init.bound;
      } else if (init.kind === "normal") {
        view[i] = init.std * randomNormal(seed, stream, i);
      }
    }
  });
  return store;
}

/**
 * The store as the reference's state dict, in the reference's order: `read<k>_bias`, the
 * controller, `memory.mem_bias`, each head (with its `heads.<k>.memory.mem_bias` alias), `fc`.
 */
export function toReferenceTensors(layout: ParamLayout, store: Float32Array): [string, Tensor][] {
  const tensor = (name: string): Tensor => {
    const entry = layout.entry(name);
    return { shape: entry.shape, data: store.slice(entry.offset, entry.offset + entry.size) };
  };
  const { config } = layout;
  const out: [string, Tensor][] = [];
  for (let read = 0; read < readCount(config); read++) {
    out.push([`read${read}_bias`, tensor(`read${read}_bias`)]);
  }
  out.push(["controller.lstm_h_bias", tensor("controller.lstm_h_bias")]);
  out.push(["controller.lstm_c_bias", tensor("controller.lstm_c_bias")]);
  for (let layer = 0; layer < config.controllerLayers; layer++) {
    for (const kind of ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]) {
      out.push([lstmName(kind, layer), tensor(lstmName(kind, layer))]);
    }
  }
  out.push(["memory.mem_bias", tensor("memory.mem_bias")]);
  config.heads.forEach((_, index) => {
    out.push([`heads.${index}.memory.mem_bias`, tensor("memory.mem_bias")]);
    const names = headNames(config, index);
    out.push([names.weight, tensor(names.weight)]);
    out.push([names.bias, tensor(names.bias)]);
  });
  out.push(["fc.weight", tensor("fc.weight")]);
  out.push(["fc.bias", tensor("fc.bias")]);
  return out;
}

/**
 * Copies the tensor `nameOf(entry)` of `tensors` into `store` at each entry's offset. Every one
 * must be present with the entry's exact shape, or a UsageError `Cannot load <source>: …` names
 * the first that is not.
 */
export function loadTensors(
  entries: readonly ParamEntry[],
  tensors: ReadonlyMap<string, Tensor>,
  nameOf: (entry: ParamEntry) => string,
  store: Float32Array,
  source: string,
): void {
  for (const entry of entries) {
    store.set(requireTensor(tensors, nameOf(entry), entry.shape, source).data, entry.offset);
  }
}

/**
 * Fills a store from tensors under the reference's names, found as `prefix + name`. Every tensor
 * of the layout must be present with its exact shape; the `heads.<k>.memory.mem_bias` aliases
 * are optional. `source` names the origin in error messages.
 */
export function fromReferenceTensors(
  layout: ParamLayout,
  tensors: ReadonlyMap<string, Tensor>,
  prefix = "",
  source = "checkpoint",
): Float32Array {
  const store = new Float32Array(layout.size);
  loadTensors(layout.entries, tensors, (entry) => prefix + entry.name, store, source);
  return store;
}
