/**
 * The picture of an evaluated sequence, laid out as the NTM paper's figures: time runs left to
 * right, one column per step; from the top, the input, the target, the output, then where each
 * head attended (one row per memory location). Every panel shares the time axis, so the target
 * and output panels start where the output phase does. A margin on the left names each panel.
 *
 * @module
 */

import type { NTMConfig } from "../config.ts";
import type { RgbImage } from "../io/png.ts";
import { totalSteps } from "../sequence_steps.ts";
import type { Evaluation } from "./evaluate.ts";
import { GLYPH_HEIGHT, textWidth } from "./font.ts";
import { BACKGROUND, blankImage, drawText, fillRect, LABEL_COLOUR } from "./raster.ts";

/** One band of the picture: a matrix of values drawn as coloured cells. */
export interface PicturePanel {
  /** What it shows, e.g. `target` or `write head 0`. */
  readonly name: string;
  /** Rows of cells (channels or memory locations). */
  readonly rows: number;
  /** The first row's top edge, in pixels. */
  readonly top: number;
  /** Where its label's top edge is, in pixels (below `top` when the panel above is short). */
  readonly labelTop: number;
}

/** An evaluation picture and what its bands show. */
export interface EvaluationPicture {
  /** The pixels. */
  readonly image: RgbImage;
  /** The bands from top to bottom. */
  readonly panels: readonly PicturePanel[];
  /** Columns of cells: one per step of the sequence (`outputStart + T_out`). */
  readonly steps: number;
  /** The left edge of the cells, in pixels: the labels' margin. */
  readonly left: number;
}

/** How an evaluation is drawn. */
export interface PictureOptions {
  /** Which sequence of the batch, from 0 (default 0). */
  readonly sequence?: number;
  /** Pixels per cell side (default `DEFAULT_PICTURE_SCALE`). */
  readonly scale?: number;
  /** Whether a left margin names the panels (default true). */
  readonly labels?: boolean;
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

/** Where everything of a picture goes, in pixels. */
export interface PictureLayout {
  /** Pixels per row. */
  readonly width: number;
  /** Rows of pixels. */
  readonly height: number;
  /** The left edge of the cells: the labels' margin, 0 without labels. */
  readonly left: number;
  /** Font pixels per label pixel. */
  readonly labelScale: number;
  /** The bands from top to bottom. */
  readonly panels: readonly PicturePanel[];
}

/**
 * Where the panels, labels and cells of the picture of a sequence of `steps` steps go when
 * drawn with `scale` (see `PictureOptions`): the size is checked before the model runs, then
 * `evaluationPicture` draws to it.
 */
export function pictureLayout(
  shape: PictureShape,
  steps: number,
  scale: number,
  labels = true,
): PictureLayout {
  const gap = gapPixels(scale);
  const labelScale = Math.max(1, Math.floor(scale / 2));
  const bands = [
    { name: "input", rows: shape.inputs },
    { name: "target", rows: shape.outputs },
    { name: "output", rows: shape.outputs },
    ...shape.heads.map((kind, index) => ({ name: `${kind} head ${index}`, rows: shape.memoryN })),
  ];
  const panels: PicturePanel[] = [];
  let top = 0, labelBottom = 0;
  for (const band of bands) {
    // A label starts beside its panel, or below the label before it.
    const labelTop = Math.max(top, labelBottom === 0 ? 0 : labelBottom + gap);
    panels.push({ ...band, top, labelTop });
    labelBottom = labelTop + GLYPH_HEIGHT * labelScale;
    top += band.rows * scale + gap;
  }
  const left = labels
    ? Math.max(...bands.map((band) => textWidth(band.name))) * labelScale + 2 * gap
    : 0;
  return {
    width: left + steps * scale,
    height: Math.max(top - gap, labels ? labelBottom : 0),
    left,
    labelScale,
    panels,
  };
}

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
  const { inputSteps, outputStart } = batch;
  const steps = totalSteps(batch);
  const values: PanelValues[] = [
    (row, t) => t < inputSteps ? batch.input[(t * B + sequence) * I + row] : undefined,
    (row, t) =>
      t >= outputStart ? batch.target[((t - outputStart) * B + sequence) * O + row] : undefined,
    (row, t) =>
      t >= outputStart ? outputs[((t - outputStart) * B + sequence) * O + row] : undefined,
    ...weightings.map((head) => (row: number, t: number) =>
      head.weights[(t * B + sequence) * N + row]
    ),
  ];
  const labels = options.labels ?? true;
  const { width, height, left, labelScale, panels } = pictureLayout(config, steps, scale, labels);
  if (width * height > MAX_PICTURE_PIXELS) {
    throw new RangeError(
      `Cannot draw a picture of ${width}×${height} pixels: at most ${MAX_PICTURE_PIXELS} ` +
        "pixels; lower the scale or the lengths",
    );
  }
  const image = blankImage(width, height, BACKGROUND);
  panels.forEach((panel, index) => {
    for (let row = 0; row < panel.rows; row++) {
      for (let t = 0; t < steps; t++) {
        const value = values[index](row, t);
        if (value !== undefined) {
          fillRect(
            image,
            left + t * scale,
            panel.top + row * scale,
            scale,
            scale,
            heatColour(value),
          );
        }
      }
    }
    if (labels) {
      drawText(image, panel.name, gapPixels(scale), panel.labelTop, labelScale, LABEL_COLOUR);
    }
  });
  return { image, panels, steps, left };
}
