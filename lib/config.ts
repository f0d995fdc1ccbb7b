/**
 * The shape of an NTM: sizes of the controller, the memory and the head list.
 *
 * @module
 */

/** The kind of a head: reads come back to the controller, writes change the memory. */
export type HeadKind = "read" | "write";

/** Everything that fixes the shapes of an NTM's parameters and state. */
export interface NTMConfig {
  /** External inputs per step (I). */
  readonly inputs: number;
  /** External outputs per step (O). */
  readonly outputs: number;
  /** LSTM controller size (H). */
  readonly controllerSize: number;
  /** LSTM controller layers (L). */
  readonly controllerLayers: number;
  /** Memory rows (N). */
  readonly memoryN: number;
  /** Memory width (M). */
  readonly memoryM: number;
  /** Heads in the order they run each step. At least one read. */
  readonly heads: readonly HeadKind[];
  /** Sequences per batch (B). */
  readonly batchSize: number;
}

/** Raised for a config or setting a user got wrong; CLIs turn it into exit status 2. */
export class UsageError extends Error {
  /** Builds the error; the message names the failed action and the detail after a colon. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Values of one head's linear layer, before activations, in the reference's split order. */
export interface HeadLayout {
  /** Total width of the head's linear layer: M+6 for reads, 3M+6 for writes. */
  readonly width: number;
  /** Offset of the key vector `k` (M values); always 0. */
  readonly key: number;
  /** Offset of the key strength `beta` (1 value, softplus). */
  readonly beta: number;
  /** Offset of the interpolation gate `g` (1 value, sigmoid). */
  readonly gate: number;
  /** Offset of the shift weights `s` (3 values, softmax). */
  readonly shift: number;
  /** Offset of the sharpening exponent `gamma` (1 value, 1 + softplus). */
  readonly gamma: number;
  /** Offset of the erase vector (writes only; -1 for reads). */
  readonly erase: number;
  /** Offset of the add vector (writes only; -1 for reads). */
  readonly add: number;
}

/** The split table of a head's linear output: `k (M), beta, g, s (3), gamma [, e (M), a (M)]`. */
export function headLayout(kind: HeadKind, memoryM: number): HeadLayout {
  const key = 0, beta = memoryM, gate = memoryM + 1, shift = memoryM + 2, gamma = memoryM + 5;
  if (kind === "read") {
    return { width: memoryM + 6, key, beta, gate, shift, gamma, erase: -1, add: -1 };
  }
  return {
    width: 3 * memoryM + 6,
    key,
    beta,
    gate,
    shift,
    gamma,
    erase: memoryM + 6,
    add: 2 * memoryM + 6,
  };
}

/** Number of read heads (R). */
export function readCount(config: NTMConfig): number {
  return config.heads.filter((kind) => kind === "read").length;
}

/** Width of the controller's input: `I + R·M`. */
export function controllerInputSize(config: NTMConfig): number {
  return config.inputs + readCount(config) * config.memoryM;
}

/** Width of the output layer's input: `H + R·M`. */
export function outputInputSize(config: NTMConfig): number {
  return config.controllerSize + readCount(config) * config.memoryM;
}

/** The default head list of the reference: `[read, write]` repeated `pairs` times. */
export function headPairs(pairs: number): HeadKind[] {
  const heads: HeadKind[] = [];
  for (let i = 0; i < pairs; i++) heads.push("read", "write");
  return heads;
}

/** Parses `"read,write,read"` into a head list, naming what is wrong on bad input. */
export function parseHeads(text: string): HeadKind[] {
  const heads = text.split(",").map((part) => part.trim());
  for (const head of heads) {
    if (head !== "read" && head !== "write") {
      throw new UsageError(
        `Cannot parse heads "${text}": "${head}" is not a head kind; use a comma-separated list of read and write`,
      );
    }
  }
  return heads as HeadKind[];
}

const positiveSizes = [
  "inputs",
  "outputs",
  "controllerSize",
  "controllerLayers",
  "memoryM",
  "batchSize",
] as const;

/** Checks every size and the head list; throws a UsageError naming the first bad field. */
export function validateConfig(config: NTMConfig): NTMConfig {
  for (const field of positiveSizes) {
    const value = config[field];
    if (!Number.isInteger(value) || value < 1) {
      throw new UsageError(
        `Cannot build the model: ${field} must be a positive integer, got ${value}`,
      );
    }
  }
  if (!Number.isInteger(config.memoryN) || config.memoryN < 3) {
    throw new UsageError(
      `Cannot build the model: memoryN must be an integer of at least 3 (the shift has 3 taps), got ${config.memoryN}`,
    );
  }
  if (config.heads.length === 0 || readCount(config) === 0) {
    throw new UsageError(
      `Cannot build the model: heads must hold at least one read head, got [${
        config.heads.join(", ")
      }]`,
    );
  }
  for (const head of config.heads) {
    if (head !== "read" && head !== "write") {
      throw new UsageError(`Cannot build the model: head kind "${head}" is not one of read, write`);
    }
  }
  return config;
}
