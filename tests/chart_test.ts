import assert from "node:assert/strict";
import { type Chart, type ChartSeries, lineChart, niceTicks } from "../lib/eval/chart.ts";
import { GLYPH_HEIGHT, textWidth } from "../lib/eval/font.ts";
import {
  BACKGROUND,
  blankImage,
  type Colour,
  drawText,
  fillRect,
  LABEL_COLOUR,
} from "../lib/eval/raster.ts";
import { encodePng, PNG_SIGNATURE, type RgbImage } from "../lib/io/png.ts";

const TITLES = { xTitle: "batch", yTitle: "mean cost (bits per sequence)" };

/** Font pixels are 2×2 image pixels at the default 800×480. */
const TEXT_SCALE = 2;

/** The colour of pixel (`x`, `y`). */
function pixel(image: RgbImage, x: number, y: number): number[] {
  const start = (y * image.width + x) * 3;
  return Array.from(image.pixels.subarray(start, start + 3));
}

/** Whether `colour` is anywhere in columns `left` to `right` and rows `top` to `bottom`. */
function colourIn(
  image: RgbImage,
  colour: readonly number[],
  [left, right]: readonly [number, number],
  [top, bottom]: readonly [number, number],
): boolean {
  for (let y = top; y <= bottom; y++) {
    for (let x = left; x <= right; x++) {
      if (pixel(image, x, y).every((channel, index) => channel === colour[index])) return true;
    }
  }
  return false;
}

/** The column and row of the top-left pixel of a point's 2×2 pixels, as `Chart.plot` says. */
function pointPixel(chart: Chart, x: number, y: number): [number, number] {
  const { plot, xTicks, yTicks } = chart;
  return [
    plot.left + Math.round((x / xTicks.at(-1)!) * (plot.width - 2)),
    plot.top + Math.round((1 - y / yTicks.at(-1)!) * (plot.height - 2)),
  ];
}

/**
 * Where `text`, written in the label font at `TEXT_SCALE` on the background, appears in `image`
 * (its box's top-left pixel, every pixel of the box as drawn), or undefined.
 */
function findText(image: RgbImage, text: string, fromRow = 0): [number, number] | undefined {
  const stamp = blankImage(textWidth(text) * TEXT_SCALE, GLYPH_HEIGHT * TEXT_SCALE, BACKGROUND);
  drawText(stamp, text, 0, 0, TEXT_SCALE, LABEL_COLOUR);
  for (let y = fromRow; y + stamp.height <= image.height; y++) {
    search: for (let x = 0; x + stamp.width <= image.width; x++) {
      for (let dy = 0; dy < stamp.height; dy++) {
        const from = ((y + dy) * image.width + x) * 3, row = dy * stamp.width * 3;
        for (let byte = 0; byte < stamp.width * 3; byte++) {
          if (image.pixels[from + byte] !== stamp.pixels[row + byte]) continue search;
        }
      }
      return [x, y];
    }
  }
  return undefined;
}

/** Asserts that `draw` throws a RangeError whose message matches `message`. */
function assertRangeError(draw: () => unknown, message: RegExp): void {
  assert.throws(draw, (error: unknown) => {
    assert.ok(error instanceof RangeError, `a RangeError, not ${error}`);
    assert.match(error.message, message);
    return true;
  });
}

Deno.test("niceTicks() steps by 1, 2 or 5 × 10^k from 0 to at least the largest value, in 4 to 8 intervals", () => {
  assert.deepEqual(niceTicks(30000), [0, 5000, 10000, 15000, 20000, 25000, 30000]);
  assert.deepEqual(niceTicks(37.6), [0, 10, 20, 30, 40]);
  assert.deepEqual(niceTicks(40), [0, 10, 20, 30, 40]);
  assert.deepEqual(niceTicks(7), [0, 2, 4, 6, 8]);
  // Whole numbers: a step of at least 1.
  assert.deepEqual(niceTicks(1, true), [0, 1]);
  assert.deepEqual(niceTicks(2.5, true), [0, 1, 2, 3]);
  assert.deepEqual(niceTicks(0, true), [0, 1]);
  assert.deepEqual(niceTicks(7, true), [0, 2, 4, 6, 8]);
  assert.deepEqual(niceTicks(30000, true), niceTicks(30000));
  // Exact decimals, not 0.6000000000000001: each tick is an integer multiple divided by 10^k.
  assert.deepEqual(niceTicks(0.9), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0.3), [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]);
  assert.deepEqual(niceTicks(0.07), [0, 0.02, 0.04, 0.06, 0.08]);
  assert.deepEqual(niceTicks(0), niceTicks(1), "nothing to show: the ticks of 1");
  for (let max = 0.0013; max < 2e6; max *= 1.37) {
    const ticks = niceTicks(max);
    const step = ticks[1];
    assert.ok(ticks.length >= 5 && ticks.length <= 9, `${max}: ${ticks}`);
    assert.ok(ticks.at(-1)! >= max && ticks.at(-2)! < max, `${max}: ${ticks}`);
    const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
    assert.ok([1, 2, 5].some((nice) => Math.abs(mantissa - nice) < 1e-9), `${max}: step ${step}`);
    ticks.forEach((tick, index) => assert.equal(tick, Number((index * step).toPrecision(12))));
  }
  for (const bad of [-1, NaN, Infinity]) {
    assertRangeError(() => niceTicks(bad), new RegExp(`Cannot choose ticks up to ${bad}`));
  }
});

Deno.test("lineChart() draws each point where the axes put it, 2 pixels thick, on white", () => {
  const series: ChartSeries[] = [{ name: "seed 1", points: [[10, 10], [90, 30]] }];
  const chart = lineChart(series, TITLES);
  const { image, plot, colours } = chart;
  assert.deepEqual([image.width, image.height, image.pixels.length], [800, 480, 800 * 480 * 3]);
  assert.deepEqual(chart.xTicks, [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(chart.yTicks, [0, 5, 10, 15, 20, 25, 30]);
  const colour = colours[0];
  for (const [x, y] of series[0].points) {
    const [column, row] = pointPixel(chart, x, y);
    for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      assert.deepEqual(pixel(image, column + dx, row + dy), [...colour], `(${x}, ${y})`);
    }
  }
  // The last tick is the plot's top edge: y 30 on its first row.
  assert.equal(pointPixel(chart, 90, 30)[1], plot.top);
  // Halfway along, the line passes through the midpoint (within the rounding of one pixel).
  const [middleColumn, middleRow] = pointPixel(chart, 50, 20);
  assert.ok(
    colourIn(image, colour, [middleColumn - 1, middleColumn + 2], [middleRow - 1, middleRow + 2]),
  );
  // Away from the line, between grid lines: white, inside the plot and in the margins.
  const [, quiet] = pointPixel(chart, 0, 7.5);
  for (const x of [0, 30, 90, 100]) {
    assert.deepEqual(pixel(image, pointPixel(chart, x, 0)[0], quiet), [...BACKGROUND], `x ${x}`);
  }
  assert.deepEqual(pixel(image, plot.left + 5, plot.top - 3), [...BACKGROUND]);
  assert.deepEqual(pixel(image, image.width - 2, image.height - 2), [...BACKGROUND]);
  // The axes: just left of and just below the plot.
  assert.deepEqual(pixel(image, plot.left - 1, plot.top + 100), [...LABEL_COLOUR]);
  assert.deepEqual(pixel(image, plot.left + 100, plot.top + plot.height), [...LABEL_COLOUR]);
  // Nothing of the series' colour left of the plot.
  assert.ok(!colourIn(image, colour, [0, plot.left - 1], [0, image.height - 1]));

  // Another size, every side in range.
  const small = lineChart(series, { ...TITLES, yTitle: "cost", width: 200, height: 150 });
  assert.deepEqual([small.image.width, small.image.height], [200, 150]);
  const [column, row] = pointPixel(small, 90, 30);
  assert.deepEqual(pixel(small.image, column, row), [...colour]);
  const large = lineChart(series, { ...TITLES, width: 4096, height: 4096 });
  assert.deepEqual([large.image.width, large.image.height], [4096, 4096]);
});

Deno.test("lineChart() labels the ticks with the fewest decimals the step needs and writes the titles", () => {
  const chart = lineChart([
    { name: "seed 10", points: [[1000, 0.3], [15000, 0.12], [30000, 0.01]] },
  ], TITLES);
  assert.deepEqual(chart.xTicks, [0, 5000, 10000, 15000, 20000, 25000, 30000]);
  assert.deepEqual(chart.yTicks, [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]);
  const { image, plot } = chart;
  const axis = plot.top + plot.height;
  // x labels under the axis, centred on their ticks.
  for (const [tick, label] of [[0, "0"], [15000, "15000"], [30000, "30000"]] as const) {
    const found = findText(image, label, axis);
    assert.ok(found, label);
    const [column] = pointPixel(chart, tick, 0);
    assert.ok(Math.abs(found[0] + (textWidth(label) * TEXT_SCALE) / 2 - (column + 1)) <= 1);
    assert.ok(found[1] > axis, `${label} is under the axis`);
  }
  // y labels left of the axis, two decimals throughout since the step 0.05 needs them.
  for (const [tick, label] of [[0.25, "0.25"], [0.3, "0.30"], [0.1, "0.10"]] as const) {
    const found = findText(image, label);
    assert.ok(found, label);
    assert.ok(found[0] + textWidth(label) * TEXT_SCALE < plot.left, `${label} is left of the axis`);
    const [, row] = pointPixel(chart, 0, tick);
    assert.ok(Math.abs(found[1] + (GLYPH_HEIGHT * TEXT_SCALE) / 2 - (row + 1)) <= 1);
  }
  assert.equal(findText(image, "0.3 "), undefined, "not 0.3 alone");
  // The y title above the plot at the top left; the x title under the x labels.
  const yTitle = findText(image, TITLES.yTitle);
  assert.ok(yTitle && yTitle[0] < plot.left && yTitle[1] + GLYPH_HEIGHT * TEXT_SCALE < plot.top);
  const xTitle = findText(image, TITLES.xTitle);
  assert.ok(xTitle && xTitle[1] > findText(image, "15000")![1] + GLYPH_HEIGHT * TEXT_SCALE);
  // The legend names the series beside its swatch, right of the plot.
  const name = findText(image, "SEED 10");
  assert.ok(name && name[0] > plot.left + plot.width && name[1] === plot.top);
  assert.deepEqual(pixel(image, name[0] - TEXT_SCALE * 3 - 1, name[1] + 1), [...chart.colours[0]]);

  // Integer ticks are written without decimals or separators.
  const counts = lineChart([{ name: "a", points: [[0, 3], [7, 37.6]] }], TITLES);
  assert.deepEqual(counts.yTicks, [0, 10, 20, 30, 40]);
  assert.ok(findText(counts.image, "40") && findText(counts.image, "8"));
  assert.equal(findText(counts.image, "40.0"), undefined);
});

Deno.test("lineChart() leaves a gap for a NaN or infinite y and draws a point alone as a square", () => {
  const chart = lineChart([{
    name: "diverged",
    points: [[0, 10], [10, 10], [20, NaN], [30, 10], [40, 10], [50, Infinity], [60, 5], [70, NaN]],
  }], TITLES);
  const { image, plot, colours: [colour] } = chart;
  assert.deepEqual(chart.yTicks, [0, 2, 4, 6, 8, 10], "the largest finite y sets the axis");
  const rows: [number, number] = [plot.top, plot.top + plot.height - 1];
  const [before] = pointPixel(chart, 10, 10), [after] = pointPixel(chart, 30, 10);
  assert.ok(colourIn(image, colour, [before, before + 1], rows));
  assert.ok(colourIn(image, colour, [after, after + 1], rows));
  assert.ok(!colourIn(image, colour, [before + 2, after - 1], rows), "nothing across the gap");
  // Batch 60 has no finite neighbour: a 6×6 square centred on its 2×2 pixels.
  const [column, row] = pointPixel(chart, 60, 5);
  for (const [dx, dy] of [[-2, -2], [3, -2], [-2, 3], [3, 3]]) {
    assert.deepEqual(pixel(image, column + dx, row + dy), [...colour], `corner ${dx}, ${dy}`);
  }
  assert.deepEqual(pixel(image, column - 3, row), [...BACKGROUND]);
  assert.deepEqual(pixel(image, column + 4, row), [...BACKGROUND]);
  const [end] = pointPixel(chart, 40, 10), [lone] = pointPixel(chart, 60, 0);
  assert.ok(!colourIn(image, colour, [end + 2, lone - 3], rows), "nothing to or from it");

  // Nothing finite, or nothing above 0: the y axis of 1.
  const flat = lineChart([{ name: "zero", points: [[1, 0], [2, 0], [3, NaN]] }], TITLES);
  assert.deepEqual(flat.yTicks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  const [flatColumn, flatRow] = pointPixel(flat, 2, 0);
  assert.equal(flatRow, flat.plot.top + flat.plot.height - 2, "y 0 on the plot's bottom rows");
  assert.deepEqual(pixel(flat.image, flatColumn, flatRow + 1), [...flat.colours[0]]);
  const empty = lineChart([{ name: "nan", points: [[0, NaN]] }], TITLES);
  assert.deepEqual(empty.yTicks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(empty.xTicks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
});

Deno.test("lineChart() gives each series its own colour and names it in the legend", () => {
  const runs = Array.from({ length: 11 }, (_, index): ChartSeries => ({
    name: `seed ${index}`,
    points: [[0, index], [100, 20 - index]],
  }));
  const chart = lineChart(runs.slice(0, 2), TITLES);
  const { image, plot, colours } = chart;
  assert.equal(colours.length, 2);
  assert.notDeepEqual(colours[0], colours[1]);
  const legend: [number, number] = [plot.left + plot.width + 1, image.width - 1];
  const rows: [number, number] = [plot.top, plot.top + plot.height - 1];
  for (const colour of colours) {
    assert.ok(colourIn(image, colour, legend, rows), `${colour} in the legend`);
    assert.ok(colourIn(image, colour, [plot.left, plot.left + plot.width - 1], rows));
  }
  const [first, second] = [findText(image, "seed 0")!, findText(image, "seed 1")!];
  assert.ok(first[1] < second[1], "in series order, top down");

  // Ten distinct colours, readable on white, then they cycle.
  const many = lineChart(runs, TITLES);
  const distinct = new Set(many.colours.slice(0, 10).map((colour) => colour.join()));
  assert.equal(distinct.size, 10);
  assert.deepEqual(many.colours[10], many.colours[0]);
  for (const colour of many.colours) {
    assert.ok(colour.some((channel) => channel < 200), `${colour} is not too pale`);
    assert.notDeepEqual([...colour], [...LABEL_COLOUR]);
  }
  // A long name widens the right margin rather than running over the plot or off the chart.
  const long = lineChart([{ name: "checkpoints/copy-seed-10_long_name.json", points: [[0, 1]] }], {
    ...TITLES,
  });
  const found = findText(long.image, "checkpoints/copy-seed-10_long_name.json");
  assert.ok(found && found[0] > long.plot.left + long.plot.width);
  assert.ok(long.plot.width < chart.plot.width);
});

Deno.test("lineChart() is deterministic and its image encodes as a PNG", () => {
  const series: ChartSeries[] = [
    { name: "seed 1", points: [[100, 40], [200, 12], [300, NaN], [400, 0.5]] },
    { name: "seed 2", points: [[100, 38], [200, 20], [300, 9], [400, 2]] },
  ];
  const [first, second] = [lineChart(series, TITLES), lineChart(series, TITLES)];
  assert.deepEqual(first.image.pixels, second.image.pixels);
  const png = encodePng(first.image);
  assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
});

Deno.test("lineChart() refuses what it cannot draw, saying what is wrong", () => {
  const fine: ChartSeries = { name: "a", points: [[0, 1], [1, 2]] };
  const draw = (series: readonly ChartSeries[], options = {}) => () =>
    lineChart(series, { ...TITLES, ...options });
  const points = (...points: [number, number][]) => draw([fine, { name: "b", points }]);
  const cases: [string, () => unknown, RegExp][] = [
    ["no series", draw([]), /^Cannot draw a chart: no series$/],
    [
      "no points",
      draw([fine, { name: "b", points: [] }]),
      /^Cannot draw a chart: series 1 \("b"\) has no points$/,
    ],
    ["narrow", draw([fine], { width: 199 }), /width 199 is not an integer from 200 to 4096$/],
    ["wide", draw([fine], { width: 4097 }), /width 4097 is not an integer from 200 to 4096$/],
    ["fraction", draw([fine], { width: 300.5 }), /width 300\.5 is not an integer/],
    ["short", draw([fine], { height: 149 }), /height 149 is not an integer from 150 to 4096$/],
    ["tall", draw([fine], { height: 5000 }), /height 5000 is not an integer from 150 to 4096$/],
    [
      "x backwards",
      points([2, 1], [1, 1]),
      /series 1 \("b"\) point 1 has x 1 after 2; x must ascend within a series$/,
    ],
    ["x repeated", points([2, 1], [2, 3]), /point 1 has x 2 after 2; x must ascend/],
    ["x negative", points([-1, 1]), /point 0 has x -1; x must be a finite number, 0 or more$/],
    ["x NaN", points([0, 1], [NaN, 1]), /point 1 has x NaN; x must be a finite number/],
    ["x infinite", points([Infinity, 1]), /point 0 has x Infinity; x must be a finite number/],
    ["y negative", points([0, 1], [1, -0.5]), /point 1 has y -0\.5; the y axis starts at 0/],
    [
      "a name",
      draw([fine, { name: "seed #2", points: [[0, 1]] }]),
      /^Cannot draw a chart: the name of series 1 "seed #2" has "#", which the label font lacks; it has only A-Z, 0-9, space and \. - _ \( \) \/ : , = \+ "$/,
    ],
    [
      "the x title",
      draw([fine], { xTitle: "batch %" }),
      /the x title "batch %" has "%", which the label font lacks; it has only A-Z/,
    ],
    ["the y title", draw([fine], { yTitle: "coût" }), /the y title "coût" has "û"/],
    [
      "a title too wide",
      draw([fine], { width: 200, yTitle: "mean cost (bits per sequence) of 1000 batches" }),
      /the y title "mean cost \(bits per sequence\) of 1000 batches" is 269 pixels wide, more than the 190 a chart 200 pixels wide has for it$/,
    ],
    [
      "names too long",
      draw([{ name: "n".repeat(100), points: [[0, 1]] }]),
      /the legend, tick labels and titles leave a plot of 0×383 pixels, less than 50×50; make the chart larger or the names shorter$/,
    ],
    [
      "too many series",
      draw(Array(20).fill(fine), { width: 400, height: 150 }),
      /a legend of 20 series needs 216 pixels beside a plot 100 pixels high; make the chart taller or draw fewer series$/,
    ],
  ];
  for (const [what, attempt, message] of cases) {
    assert.throws(attempt, (error: unknown) => {
      assert.ok(error instanceof RangeError, `${what}: a RangeError, not ${error}`);
      assert.match(error.message, message, what);
      return true;
    }, what);
  }
});

Deno.test("raster helpers fill rectangles within the image and write text in the label font", () => {
  const colour: Colour = [1, 2, 3];
  const image = blankImage(6, 4, BACKGROUND);
  assert.ok(image.pixels.every((channel) => channel === 255));
  const odd = blankImage(7, 3, colour);
  assert.deepEqual(odd.pixels, new Uint8Array(7 * 3 * 3).map((_, index) => colour[index % 3]));
  fillRect(image, 4, 2, 5, 5, colour); // Past the right and bottom edges: only 2×2 pixels.
  fillRect(image, -3, -3, 4, 4, colour); // Past the left and top: only pixel (0, 0).
  const painted = Array.from(
    { length: 4 },
    (_, y) => Array.from({ length: 6 }, (_, x) => pixel(image, x, y)[0] === 1 ? "#" : ".").join(""),
  );
  assert.deepEqual(painted, ["#.....", "......", "....##", "....##"]);
  // "-" at scale 2 from (1, 0): its middle row of 5 font pixels is rows 6 and 7, columns 1-10.
  const text = blankImage(12, 14, BACKGROUND);
  drawText(text, "-", 1, 0, 2, colour);
  for (let y = 0; y < 14; y++) {
    for (let x = 0; x < 12; x++) {
      const ink = (y === 6 || y === 7) && x >= 1 && x <= 10;
      assert.deepEqual(pixel(text, x, y), ink ? [...colour] : [...BACKGROUND], `(${x}, ${y})`);
    }
  }
});
