/**
 * Line charts drawn into an RGB raster, without dependencies: one line per series against axes
 * that both start at 0, for training histories (the mean cost of each window of batches against
 * the batch). Text is in the label font of `font.ts`.
 *
 * @example
 * ```ts
 * import { lineChart } from "./chart.ts";
 * import { encodePng } from "../io/png.ts";
 *
 * const chart = lineChart([
 *   { name: "seed 1", points: [[100, 40], [200, 12], [300, NaN], [400, 0.5]] },
 *   { name: "seed 2", points: [[100, 38], [200, 20], [300, 9], [400, 2]] },
 * ], { xTitle: "batch", yTitle: "cost (bits per sequence)" });
 * const png = encodePng(chart.image); // 800×480 pixels
 * ```
 *
 * @module
 */

import type { RgbImage } from "../io/png.ts";
import { FONT_SUMMARY, GLYPH_HEIGHT, missingCharacter, textWidth } from "./font.ts";
import { BACKGROUND, blankImage, type Colour, drawText, fillRect, LABEL_COLOUR } from "./raster.ts";

/** One line of a chart: points in order of x; a NaN or infinite y leaves a gap in the line. */
export interface ChartSeries {
  /** What the legend calls it, such as `seed 10`. */
  readonly name: string;
  /** `[x, y]` pairs, x ascending and at least 0, y at least 0. */
  readonly points: readonly (readonly [number, number])[];
}

/** The size and the axis titles of a chart. */
export interface ChartOptions {
  /** Pixels per row: an integer from 200 to 4096 (default 800). */
  readonly width?: number;
  /** Rows of pixels: an integer from 150 to 4096 (default 480). */
  readonly height?: number;
  /** What x counts, written under the x axis, such as `batch`. */
  readonly xTitle: string;
  /** What y measures, written above the y axis, such as `cost (bits per sequence)`. */
  readonly yTitle: string;
  /** Whether x takes whole numbers only (batches), so x ticks step by 1 or more (default false). */
  readonly xIntegers?: boolean;
}

/** A drawn chart and where its parts went. */
export interface Chart {
  /** The pixels. */
  readonly image: RgbImage;
  /**
   * The plot area in pixels (inside the axes). Lines are 2 pixels thick: a point (x, y) covers
   * the 2×2 pixels whose top-left pixel is column `left + round(x / xMax × (width − 2))`, row
   * `top + round((1 − y / yMax) × (height − 2))`, where xMax and yMax are the last ticks; a point
   * with no finite neighbour is a 6×6 square centred on those pixels (moved inside the plot at
   * an edge). Grid lines and tick marks are 2 pixels thick too, placed the same way.
   */
  readonly plot: {
    /** The leftmost column, just right of the y axis. */
    readonly left: number;
    /** The top row. */
    readonly top: number;
    /** Columns. */
    readonly width: number;
    /** Rows, down to just above the x axis. */
    readonly height: number;
  };
  /** The x axis' tick values, from 0 to the last tick, the right edge of the plot. */
  readonly xTicks: readonly number[];
  /** The y axis' tick values, from 0 to the last tick, the top edge of the plot. */
  readonly yTicks: readonly number[];
  /** Each series' colour, in series order. */
  readonly colours: readonly (readonly [number, number, number])[];
}

/** Default and allowed chart sizes, in pixels. */
const DEFAULT_WIDTH = 800, MIN_WIDTH = 200, DEFAULT_HEIGHT = 480, MIN_HEIGHT = 150;
const MAX_SIDE = 4096;

/** The least plot area, in pixels each way, that names and labels may leave. */
const MIN_PLOT = 50;

/** The series' colours, cycled past the last: Tableau 10, readable on white. */
const PALETTE: readonly Colour[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

/** How many series a chart tells apart by colour; more reuse the palette's colours. */
export const DISTINCT_SERIES: number = PALETTE.length;

/** The grid lines at the y ticks (light grey). */
const GRID_COLOUR: Colour = [230, 230, 230];

/** Thickness in pixels of lines, axes, grid lines and tick marks. */
const LINE = 2;

/** Side in pixels of the square that marks a point with no finite neighbour. */
const DOT = 6;

/** The largest and smallest positive `max` that `niceTicks` takes. */
const MAX_TICKED = 1e300, MIN_TICKED = 1e-290;

/**
 * Ticks from 0 to at least `max`: a step of 1, 2 or 5 × 10^k giving about 4 to 8 intervals; with
 * `integers` (an axis of whole numbers, such as batches) the step is at least 1, so below 4 there
 * are fewer intervals.
 */
export function niceTicks(max: number, integers = false): number[] {
  if (!(max >= 0 && max <= MAX_TICKED) || (max > 0 && max < MIN_TICKED)) {
    throw new RangeError(
      `Cannot choose ticks up to ${max}: it must be 0 or from ${MIN_TICKED} to ${MAX_TICKED}`,
    );
  }
  if (max === 0) return niceTicks(1, integers);
  if (integers && max < 4) return Array.from({ length: Math.ceil(max) + 1 }, (_, tick) => tick);
  // Tick i is i × mantissa × 10^power, computed so that 0.1 × 3 prints as 0.3.
  const tick = (index: number, mantissa: number, power: number) =>
    power >= 0 ? index * mantissa * 10 ** power : (index * mantissa) / 10 ** -power;
  // The largest step that gives at least 4 intervals; since each step is at most 2.5 times the
  // next smaller one, that is also at most 8.
  for (let power = Math.floor(Math.log10(max)) + 2;; power--) {
    for (const mantissa of [5, 2, 1]) {
      let intervals = Math.ceil(max / tick(1, mantissa, power));
      if (tick(intervals - 1, mantissa, power) >= max) intervals--;
      if (tick(intervals, mantissa, power) < max) intervals++;
      if (intervals >= 4) {
        return Array.from({ length: intervals + 1 }, (_, index) => tick(index, mantissa, power));
      }
    }
  }
}

/** The labels of `ticks`, all with the fewest decimals that write each tick exactly. */
function tickLabels(ticks: readonly number[]): string[] {
  let decimals = 0;
  while (decimals < 20 && ticks.some((tick) => Number(tick.toFixed(decimals)) !== tick)) {
    decimals++;
  }
  return ticks.map((tick) => tick.toFixed(decimals));
}

/** Throws RangeError unless `value` is an integer from `min` to `MAX_SIDE`. */
function checkSide(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > MAX_SIDE) {
    throw new RangeError(
      `Cannot draw a chart: ${name} ${value} is not an integer from ${min} to ${MAX_SIDE}`,
    );
  }
}

/** Throws RangeError if the font lacks a character of `text`, which `what` names. */
function checkFont(what: string, text: string): void {
  const missing = missingCharacter(text);
  if (missing !== undefined) {
    throw new RangeError(
      `Cannot draw a chart: ${what} "${text}" has "${missing}", which the label font lacks; ` +
        `it has only ${FONT_SUMMARY}`,
    );
  }
}

/** Throws RangeError unless every series has points, x ascends from 0 and no y is negative. */
function checkSeries(series: readonly ChartSeries[]): void {
  if (series.length === 0) throw new RangeError("Cannot draw a chart: no series");
  series.forEach(({ name, points }, index) => {
    const which = `series ${index} ("${name}")`;
    checkFont(`the name of series ${index}`, name);
    if (points.length === 0) throw new RangeError(`Cannot draw a chart: ${which} has no points`);
    points.forEach(([x, y], position) => {
      const where = `${which} point ${position}`;
      if (!Number.isFinite(x) || x < 0) {
        throw new RangeError(
          `Cannot draw a chart: ${where} has x ${x}; x must be a finite number, 0 or more`,
        );
      }
      const previous = position > 0 ? points[position - 1][0] : -Infinity;
      if (x <= previous) {
        throw new RangeError(
          `Cannot draw a chart: ${where} has x ${x} after ${previous}; x must ascend within ` +
            "a series",
        );
      }
      if (y < 0) {
        throw new RangeError(
          `Cannot draw a chart: ${where} has y ${y}; the y axis starts at 0, so y must be 0 or ` +
            "more (NaN or infinite for a gap)",
        );
      }
    });
  });
}

/**
 * Draws `series` as lines on a white chart: axes from 0, tick marks and labels, grid lines at
 * the y ticks, the y title above the y axis, the x title under the x axis, and a legend right of
 * the plot naming each series beside a swatch of its colour. Text scales with the chart (font
 * pixels of 2×2 at 800×480). Throws RangeError for no series, a series with no points, a size
 * out of range, x negative, not finite or not ascending within a series, a negative y, a
 * character the font lacks, or names, labels and titles that leave no room for the plot.
 */
export function lineChart(series: readonly ChartSeries[], options: ChartOptions): Chart {
  const width = options.width ?? DEFAULT_WIDTH, height = options.height ?? DEFAULT_HEIGHT;
  checkSide("width", width, MIN_WIDTH);
  checkSide("height", height, MIN_HEIGHT);
  checkFont("the x title", options.xTitle);
  checkFont("the y title", options.yTitle);
  checkSeries(series);

  // The largest x and finite y; a loop, since a spread of many points overflows the stack.
  let largestX = 0, largestY = 0;
  for (const { points } of series) {
    for (const [x, y] of points) {
      largestX = Math.max(largestX, x);
      if (Number.isFinite(y)) largestY = Math.max(largestY, y);
    }
  }
  const xTicks = niceTicks(largestX, options.xIntegers), yTicks = niceTicks(largestY);
  const xLabels = tickLabels(xTicks), yLabels = tickLabels(yTicks);

  // Sizes in pixels: text of `scale` pixels per font pixel, spaces in proportion.
  const scale = Math.max(1, Math.min(Math.floor(width / 400), Math.floor(height / 240)));
  const textHeight = GLYPH_HEIGHT * scale, padding = 5 * scale, tickLength = 3 * scale;
  const labelGap = 2 * scale, titleGap = 4 * scale, legendGap = 6 * scale;
  const swatchGap = 3 * scale, legendRow = textHeight + 4 * scale;
  const widthOf = (text: string) => textWidth(text) * scale;
  const widest = (texts: readonly string[]) =>
    texts.reduce((most, text) => Math.max(most, widthOf(text)), 0);

  for (const [what, title] of [["x", options.xTitle], ["y", options.yTitle]]) {
    if (widthOf(title) > width - 2 * padding) {
      throw new RangeError(
        `Cannot draw a chart: the ${what} title "${title}" is ${widthOf(title)} pixels wide, ` +
          `more than the ${width - 2 * padding} a chart ${width} pixels wide has for it`,
      );
    }
  }
  const top = padding + textHeight + titleGap + Math.ceil(textHeight / 2);
  const left = padding + widest(yLabels) + labelGap + tickLength + LINE;
  const legendWidth = legendGap + textHeight + swatchGap +
    widest(series.map((one) => one.name)) + padding;
  const right = Math.max(legendWidth, Math.ceil(widthOf(xLabels.at(-1)!) / 2) + padding);
  const bottom = LINE + tickLength + labelGap + textHeight + titleGap + textHeight + padding;
  const plot = { left, top, width: width - left - right, height: height - top - bottom };
  if (plot.width < MIN_PLOT || plot.height < MIN_PLOT) {
    throw new RangeError(
      `Cannot draw a chart: the legend, tick labels and titles leave a plot of ` +
        `${Math.max(plot.width, 0)}×${
          Math.max(plot.height, 0)
        } pixels, less than ${MIN_PLOT}×${MIN_PLOT}; make the chart ` +
        "larger or the names shorter",
    );
  }
  const legendHeight = series.length * legendRow - (legendRow - textHeight);
  if (legendHeight > plot.height) {
    throw new RangeError(
      `Cannot draw a chart: a legend of ${series.length} series needs ${legendHeight} pixels ` +
        `beside a plot ${plot.height} pixels high; make the chart taller or draw fewer series`,
    );
  }

  const xMax = xTicks.at(-1)!, yMax = yTicks.at(-1)!;
  const column = (x: number) => left + Math.round((x / xMax) * (plot.width - LINE));
  const row = (y: number) => top + Math.round((1 - y / yMax) * (plot.height - LINE));
  const axisRow = top + plot.height;
  const image = blankImage(width, height, BACKGROUND);

  // Grid lines first, so that lines cross them.
  for (const tick of yTicks.slice(1)) {
    fillRect(image, left, row(tick), plot.width, LINE, GRID_COLOUR);
  }

  const colours = series.map((_, index) => PALETTE[index % PALETTE.length]);
  /** Paints a line from (`x`, `y`) to (`toX`, `toY`), data values, in `colour`. */
  const segment = (x: number, y: number, toX: number, toY: number, colour: Colour) => {
    const [fromColumn, fromRow] = [column(x), row(y)];
    const [columns, rows] = [column(toX) - fromColumn, row(toY) - fromRow];
    const steps = Math.max(Math.abs(columns), Math.abs(rows), 1);
    for (let step = 0; step <= steps; step++) {
      const along = (span: number) => Math.round((span * step) / steps);
      fillRect(image, fromColumn + along(columns), fromRow + along(rows), LINE, LINE, colour);
    }
  };
  /** Paints the square of a point alone, moved inside the plot where it would cross an edge. */
  const dot = (x: number, y: number, colour: Colour) => {
    const clamp = (value: number, low: number, high: number) =>
      Math.min(Math.max(value, low), high);
    const squareLeft = clamp(column(x) - (DOT - LINE) / 2, left, left + plot.width - DOT);
    const squareTop = clamp(row(y) - (DOT - LINE) / 2, top, top + plot.height - DOT);
    fillRect(image, squareLeft, squareTop, DOT, DOT, colour);
  };
  series.forEach(({ points }, index) => {
    const drawn = (position: number) => Number.isFinite(points[position]?.[1]);
    points.forEach(([x, y], position) => {
      if (!drawn(position)) return;
      if (drawn(position + 1)) segment(x, y, ...points[position + 1], colours[index]);
      else if (!drawn(position - 1)) dot(x, y, colours[index]);
    });
  });

  // The axes, tick marks and tick labels.
  fillRect(image, left - LINE, top, LINE, plot.height + LINE, LABEL_COLOUR);
  fillRect(image, left - LINE, axisRow, plot.width + LINE, LINE, LABEL_COLOUR);
  /** Every how many ticks a label fits, given the pixels between ticks and a label's size. */
  const labelEvery = (ticks: readonly number[], length: number, size: number) =>
    Math.max(1, Math.ceil(size / ((length - LINE) / (ticks.length - 1))));
  const xEvery = labelEvery(xTicks, plot.width, widest(xLabels) + 3 * scale);
  const xLabelTop = axisRow + LINE + tickLength + labelGap;
  xTicks.forEach((tick, index) => {
    fillRect(image, column(tick), axisRow + LINE, LINE, tickLength, LABEL_COLOUR);
    if (index % xEvery !== 0) return;
    const label = xLabels[index];
    const labelLeft = column(tick) + LINE / 2 - Math.floor(widthOf(label) / 2);
    drawText(image, label, labelLeft, xLabelTop, scale, LABEL_COLOUR);
  });
  const yEvery = labelEvery(yTicks, plot.height, textHeight + 2 * scale);
  const labelRight = left - LINE - tickLength - labelGap;
  yTicks.forEach((tick, index) => {
    fillRect(image, left - LINE - tickLength, row(tick), tickLength, LINE, LABEL_COLOUR);
    if (index % yEvery !== 0) return;
    const label = yLabels[index];
    const labelTop = row(tick) + LINE / 2 - Math.floor(textHeight / 2);
    drawText(image, label, labelRight - widthOf(label), labelTop, scale, LABEL_COLOUR);
  });

  // The titles: y at the top left, above the y axis; x centred under the x labels.
  drawText(image, options.yTitle, padding, padding, scale, LABEL_COLOUR);
  const { xTitle } = options;
  const xTitleLeft = Math.min(
    Math.max(left + Math.floor((plot.width - widthOf(xTitle)) / 2), padding),
    width - padding - widthOf(xTitle),
  );
  const xTitleTop = xLabelTop + textHeight + titleGap;
  drawText(image, xTitle, xTitleLeft, xTitleTop, scale, LABEL_COLOUR);

  // The legend: a swatch of each series' colour and its name, right of the plot.
  const legendLeft = left + plot.width + legendGap;
  series.forEach(({ name }, index) => {
    const rowTop = top + index * legendRow;
    fillRect(image, legendLeft, rowTop, textHeight, textHeight, colours[index]);
    drawText(image, name, legendLeft + textHeight + swatchGap, rowTop, scale, LABEL_COLOUR);
  });

  return { image, plot, xTicks, yTicks, colours };
}
