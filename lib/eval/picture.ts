/**
 * The picture of an evaluated sequence, laid out as the NTM paper's figures: time runs left to
 * right, one column per step; from the top, the input, the target, the output, then where each
 * head attended (one row per memory location). Every panel shares the time axis, so the target
 * and output panels start where the output phase does.
 *
 * @module
 */

import type { NTMConfig } from "../config.ts";
import type { RgbImage } from "../io/png.ts";
import type { Evaluation } from "./evaluate.ts";

/** One band of the picture: a matrix of values drawn as coloured cells. */
export interface PicturePanel {
  /** What it shows, e.g. `target` or `write head 0`. */
  readonly name: string;
  /** Rows of cells (channels or memory locations). */
  readonly rows: number;
  /** The first row's top edge, in pixels. */
  readonly top: number;
}

/** An evaluation picture and what its bands show. */
export interface EvaluationPicture {
  /** The pixels. */
  readonly image: RgbImage;
  /** The bands from top to bottom. */
  readonly panels: readonly PicturePanel[];
  /** Columns of cells: one per step of the sequence, input and output phases. */
  readonly steps: number;
}

/** How an evaluation is drawn. */
export interface PictureOptions {
  /** Which sequence of the batch, from 0 (default 0). */
  readonly sequence?: number;
  /** Pixels per cell side (default `DEFAULT_PICTURE_SCALE`). */
  readonly scale?: number;
}

/** Pixels per cell side unless told otherwise. */
export const DEFAULT_PICTURE_SCALE = 4;

/** Largest `scale`: a cell of 64×64 pixels. */
export const MAX_PICTURE_SCALE = 64;

/** The most pixels a picture may have (about 200 MB of RGB before compression). */
export const MAX_PICTURE_PIXELS = 2 ** 26;

/** The space between panels: one cell, and at least 3 pixels. */
function gapPixels(scale: number): number {
  return Math.max(scale, 3);
}

/** The sizes of an NTM that set a picture's rows (see `NTMConfig`). */
export type PictureShape = Pick<NTMConfig, "inputs" | "outputs" | "memoryN" | "heads">;

/**
 * The size in pixels of the picture of a sequence of `steps` steps drawn with `scale`: checked
 * before the model runs, as `evaluationPicture` draws it.
 */
export function pictureSize(
  shape: PictureShape,
  steps: number,
  scale: number,
): { width: number; height: number } {
  const rows = shape.inputs + 2 * shape.outputs + shape.heads.length * shape.memoryN;
  const panels = 3 + shape.heads.length;
  return { width: steps * scale, height: rows * scale + (panels - 1) * gapPixels(scale) };
}

/** The background, between panels and where a panel has no value (white). */
export const BACKGROUND: readonly [number, number, number] = [255, 255, 255];

/** Stops of the colour scale from 0 to 1, evenly spaced (dark blue, teal, green, yellow). */
const COLOUR_STOPS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** The colour of `value`: 0 dark blue, 1 yellow, clamped to [0, 1]; NaN is drawn red. */
export function heatColour(value: number): [number, number, number] {
  if (Number.isNaN(value)) return [255, 0, 0];
  const position = Math.min(Math.max(value, 0), 1) * (COLOUR_STOPS.length - 1);
  const low = Math.min(Math.floor(position), COLOUR_STOPS.length - 2);
  const fraction = position - low;
  const [from, to] = [COLOUR_STOPS[low], COLOUR_STOPS[low + 1]];
  return [0, 1, 2].map((channel) =>
    Math.round(from[channel] + (to[channel] - from[channel]) * fraction)
  ) as [number, number, number];
}

/** A panel's values: `value(row, step)`, or undefined where the panel has none at that step. */
type PanelValues = (row: number, step: number) => number | undefined;

/**
 * Draws sequence `options.sequence` of an evaluation: input, target, output and every head's
 * weighting, each value a square of `options.scale` pixels coloured by `heatColour`.
 */
export function evaluationPicture(
  evaluation: Evaluation,
  options: PictureOptions = {},
): EvaluationPicture {
  const { config, batch, outputs, weightings } = evaluation;
  const { batchSize: B, inputs: I, outputs: O, memoryN: N } = config;
  const sequence = options.sequence ?? 0;
  const scale = options.scale ?? DEFAULT_PICTURE_SCALE;
  if (!Number.isInteger(sequence) || sequence < 0 || sequence >= B) {
    throw new RangeError(
      `Cannot draw sequence ${sequence}: the batch holds sequences 0 to ${B - 1}`,
    );
  }
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_PICTURE_SCALE) {
    throw new RangeError(
      `Cannot draw with scale ${scale}: it must be an integer from 1 to ${MAX_PICTURE_SCALE}`,
    );
  }
  const T = batch.inputSteps;
  const steps = batch.inputSteps + batch.outputSteps;
  const bands: { name: string; rows: number; value: PanelValues }[] = [
    {
      name: "input",
      rows: I,
      value: (row, t) => t < T ? batch.input[(t * B + sequence) * I + row] : undefined,
    },
    {
      name: "target",
      rows: O,
      value: (row, t) => t >= T ? batch.target[((t - T) * B + sequence) * O + row] : undefined,
    },
    {
      name: "output",
      rows: O,
      value: (row, t) => t >= T ? outputs[((t - T) * B + sequence) * O + row] : undefined,
    },
    ...weightings.map((head) => ({
      name: `${head.kind} head ${head.index}`,
      rows: N,
      value: (row: number, t: number) => head.weights[(t * B + sequence) * N + row],
    })),
  ];
  const { width, height } = pictureSize(config, steps, scale);
  if (width * height > MAX_PICTURE_PIXELS) {
    throw new RangeError(
      `Cannot draw a picture of ${width}×${height} pixels: at most ${MAX_PICTURE_PIXELS} ` +
        "pixels; lower the scale or the lengths",
    );
  }
  const panels: PicturePanel[] = [];
  let top = 0;
  for (const band of bands) {
    panels.push({ name: band.name, rows: band.rows, top });
    top += band.rows * scale + gapPixels(scale);
  }
  const pixels = new Uint8Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel++) pixels.set(BACKGROUND, pixel * 3);
  bands.forEach((band, index) => {
    for (let row = 0; row < band.rows; row++) {
      for (let t = 0; t < steps; t++) {
        const value = band.value(row, t);
        if (value === undefined) continue;
        const colour = heatColour(value);
        for (let y = 0; y < scale; y++) {
          const start = ((panels[index].top + row * scale + y) * width + t * scale) * 3;
          for (let x = 0; x < scale; x++) pixels.set(colour, start + x * 3);
        }
      }
    }
  });
  return { image: { width, height, pixels }, panels, steps };
}
