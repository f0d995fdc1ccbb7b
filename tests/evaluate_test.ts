import assert from "node:assert/strict";
import { resolveParams } from "../lib/cli/params.ts";
import { CpuBackend } from "../lib/cpu/backend.ts";
import { CpuNtm } from "../lib/cpu/ntm.ts";
import { evaluateBatch, type Evaluation } from "../lib/eval/evaluate.ts";
import {
  evaluationPicture,
  heatColour,
  MAX_PICTURE_PIXELS,
  pictureLayout,
} from "../lib/eval/picture.ts";
import { BACKGROUND, LABEL_COLOUR } from "../lib/eval/raster.ts";
import { trainingSetup } from "../lib/train/task.ts";
import {
  FONT_CHARACTERS,
  FONT_SUMMARY,
  GLYPH_HEIGHT,
  GLYPH_WIDTH,
  glyphInk,
  missingCharacter,
  textWidth,
} from "../lib/eval/font.ts";
import { repeatCopyTask } from "../tasks/repeat_copy.ts";
import { assertClose } from "./helpers/assert_close.ts";

Deno.test("evaluateBatch() gives the loss and cost training records for the same batch", async () => {
  // write first, then reads: the weightings of heads of both kinds in either order.
  const params = resolveParams(repeatCopyTask.params, [
    "heads=write,read,read",
    "controller_size=12",
    "memory_n=10",
    "memory_m=4",
    "sequence_width=3",
    "sequence_max_len=4",
    "repeat_max=3",
    "batch_size=3",
  ]);
  const setup = trainingSetup(repeatCopyTask, params, 7);
  const backend = new CpuBackend(setup, { kernels: "plain" });
  const [record] = await backend.train(5, 1);
  const model = new CpuNtm(setup.layout, { capacity: setup.capacity });
  const evaluation = evaluateBatch(model, setup.initial.params, setup.batch(5));
  assert.equal(evaluation.loss, record.loss);
  assert.equal(evaluation.cost, record.cost);
  assert.equal(evaluation.batch.length, record.length);

  const { inputSteps, outputSteps } = evaluation.batch;
  const steps = inputSteps + outputSteps, B = 3, N = 10;
  assert.equal(evaluation.outputs.length, outputSteps * B * 4);
  // The loss is a mean over T_out·B·4 outputs; per sequence, in bits, it sums T_out·4 of them.
  assertClose(
    [evaluation.crossEntropyBits],
    [record.loss * outputSteps * 4 / Math.LN2],
    { atol: 0, rtol: 1e-12 },
    "cross-entropy in bits per sequence",
  );
  assert.deepEqual(evaluation.weightings.map((head) => [head.kind, head.index]), [
    ["write", 0],
    ["read", 1],
    ["read", 2],
  ]);
  for (const head of evaluation.weightings) {
    assert.equal(head.weights.length, steps * B * N);
    const sums = Array.from(
      { length: steps * B },
      (_, row) => head.weights.subarray(row * N, (row + 1) * N).reduce((total, w) => total + w, 0),
    );
    assertClose(
      sums,
      sums.map(() => 1),
      { atol: 1e-5, rtol: 0 },
      `${head.kind} head ${head.index}`,
    );
  }
  // The evaluation keeps its own arrays: the next forward pass does not change them.
  const outputs = evaluation.outputs.slice();
  evaluateBatch(model, setup.initial.params, setup.batch(6));
  assert.deepEqual(evaluation.outputs, outputs);

  assert.throws(
    () => evaluateBatch(model, new Float32Array(3), setup.batch(5)),
    /Cannot evaluate a batch: params hold 3 values, the model needs \d+/,
  );
});

/** A hand-made evaluation: 2 sequences, I 2, O 1, N 3, one read head; 2 input and 1 output step. */
function smallEvaluation(): Evaluation {
  return {
    config: {
      inputs: 2,
      outputs: 1,
      controllerSize: 1,
      controllerLayers: 1,
      memoryN: 3,
      memoryM: 1,
      heads: ["read"],
      batchSize: 2,
    },
    batch: {
      // [T_in 2, B 2, I 2]
      input: Float32Array.of(1, 0, 0.5, 0.5, 0, 1, 0.25, 0.75),
      // [T_out 1, B 2, O 1]
      target: Float32Array.of(1, 0),
      inputSteps: 2,
      outputSteps: 1,
      outputStart: 2,
      length: 1,
    },
    outputs: Float32Array.of(0.75, 0.25),
    loss: 0,
    cost: 0,
    crossEntropyBits: 0,
    weightings: [{
      kind: "read",
      index: 0,
      // [S 3, B 2, N 3]
      weights: Float32Array.of(1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0),
    }],
  };
}

Deno.test("evaluationPicture() draws each value as a cell on a shared time axis", () => {
  const scale = 2;
  const picture = evaluationPicture(smallEvaluation(), { sequence: 1, scale, labels: false });
  assert.equal(picture.steps, 3);
  assert.deepEqual(picture.panels.map(({ name, rows, top }) => ({ name, rows, top })), [
    { name: "input", rows: 2, top: 0 },
    { name: "target", rows: 1, top: 7 },
    { name: "output", rows: 1, top: 12 },
    { name: "read head 0", rows: 3, top: 17 },
  ]);
  assert.equal(picture.left, 0);
  const { width, height, pixels } = picture.image;
  assert.equal(width, 3 * scale);
  // Gaps of 3 pixels, the least there is.
  assert.equal(height, 17 + 3 * scale);
  const layout = pictureLayout(smallEvaluation().config, 3, scale, false);
  assert.deepEqual([layout.width, layout.height], [width, height]);
  const pixel = (x: number, y: number) =>
    Array.from(pixels.subarray((y * width + x) * 3, (y * width + x) * 3 + 3));
  /** Every pixel of cell (row, step) of a panel. */
  const cell = (top: number, row: number, step: number) =>
    [0, 1].flatMap((dy) => [0, 1].map((dx) => pixel(step * scale + dx, top + row * scale + dy)));
  const filled = (colour: number[]) => Array(4).fill(colour);
  // Sequence 1: input steps (0.5, 0.5) and (0.25, 0.75), target 0, output 0.25.
  assert.deepEqual(cell(0, 0, 0), filled(heatColour(0.5)));
  assert.deepEqual(cell(0, 1, 1), filled(heatColour(0.75)));
  assert.deepEqual(cell(0, 0, 2), filled([...BACKGROUND]), "no input in the output phase");
  assert.deepEqual(cell(7, 0, 1), filled([...BACKGROUND]), "no target in the input phase");
  assert.deepEqual(cell(7, 0, 2), filled(heatColour(0)));
  assert.deepEqual(cell(12, 0, 2), filled(heatColour(0.25)));
  // Its weightings: location 1, then 2, then 0.
  assert.deepEqual(cell(17, 1, 0), filled(heatColour(1)));
  assert.deepEqual(cell(17, 0, 0), filled(heatColour(0)));
  assert.deepEqual(cell(17, 2, 1), filled(heatColour(1)));
  assert.deepEqual(cell(17, 0, 2), filled(heatColour(1)));
  // The gap between panels.
  assert.deepEqual([pixel(0, 4), pixel(5, 6)], [[...BACKGROUND], [...BACKGROUND]]);

  assert.throws(
    () => evaluationPicture(smallEvaluation(), { sequence: 2 }),
    /Cannot draw sequence 2: the batch holds sequences 0 to 1/,
  );
  assert.throws(
    () => evaluationPicture(smallEvaluation(), { scale: 0 }),
    /Cannot draw with scale 0: it must be an integer from 1 to 64/,
  );
  // A picture past MAX_PICTURE_PIXELS is refused before any pixel is allocated.
  const long = smallEvaluation();
  const { height: tall } = pictureLayout(long.config, 1, 64, false);
  const steps = Math.floor(MAX_PICTURE_PIXELS / (64 * tall)) + 1;
  const tooLong = { ...long, batch: { ...long.batch, outputSteps: steps - 2 } };
  assert.throws(
    () => evaluationPicture(tooLong, { scale: 64, labels: false }),
    /Cannot draw a picture of \d+×\d+ pixels: at most 67108864 pixels; lower the scale or the lengths/,
  );
});

Deno.test("evaluationPicture() names the panels in a left margin, each label below the one before", () => {
  // Scale 2: labels at one font pixel per pixel, gaps of 3 pixels.
  const picture = evaluationPicture(smallEvaluation(), { sequence: 1, scale: 2 });
  // The widest label, "read head 0", is 11 glyphs of 5 pixels with 1 between; a gap each side.
  assert.equal(picture.left, 11 * 6 - 1 + 2 * 3);
  const { width, height, pixels } = picture.image;
  assert.equal(width, picture.left + 3 * 2);
  // Labels of 7 pixels and gaps of 3 push each label below the one before: 0, 10, 20, 30.
  assert.deepEqual(picture.panels.map((panel) => [panel.top, panel.labelTop]), [
    [0, 0],
    [7, 10],
    [12, 20],
    [17, 30],
  ]);
  assert.equal(height, 37, "tall enough for the last label");
  const pixel = (x: number, y: number) =>
    Array.from(pixels.subarray((y * width + x) * 3, (y * width + x) * 3 + 3));
  // "I" of "input" starts with the row .###. at the label's top-left corner (x 3, y 0).
  assert.deepEqual([pixel(3, 0), pixel(4, 0), pixel(6, 0), pixel(7, 0)], [
    [...BACKGROUND],
    [...LABEL_COLOUR],
    [...LABEL_COLOUR],
    [...BACKGROUND],
  ]);
  // "T" of "target" starts with the row ##### at (3, 10).
  assert.deepEqual(pixel(3, 10), [...LABEL_COLOUR]);
  // The cells move right by the margin: sequence 1's output 0.25 at step 2.
  assert.deepEqual(pixel(picture.left + 2 * 2, 12), heatColour(0.25));
});

Deno.test('the label font has a distinct 5×7 glyph for A-Z, 0-9, space and . - _ ( ) / : , = + ", and lower case draws as capitals', () => {
  assert.equal(
    [...FONT_CHARACTERS].sort().join(""),
    ' "()+,-./0123456789:=ABCDEFGHIJKLMNOPQRSTUVWXYZ_',
  );
  const bitmaps = new Map<string, string>();
  for (const character of FONT_CHARACTERS) {
    // Columns 0 to 5 of each row: column 5 is the blank between glyphs, never ink.
    const ink = Array.from(
      { length: GLYPH_HEIGHT },
      (_, y) =>
        Array.from({ length: GLYPH_WIDTH + 1 }, (_, x) => glyphInk(character, x, y) ? "#" : ".")
          .join(""),
    );
    assert.equal(ink.length, 7, character);
    assert.ok(ink.every((row) => row.endsWith(".")), `${character} fits 5 columns`);
    if (character === " ") assert.ok(ink.every((row) => row === "......"));
    else assert.ok(ink.some((row) => row.includes("#")), `${character} has ink`);
    const bitmap = ink.join("/");
    const twin = [...bitmaps].find(([, other]) => other === bitmap)?.[0];
    assert.equal(twin, undefined, `${character} looks like ${twin}`);
    bitmaps.set(character, bitmap);
  }
  // A few glyphs as drawn: the point sits at the bottom, the minus in the middle row.
  const rows = (character: string) =>
    Array.from(
      { length: GLYPH_HEIGHT },
      (_, y) =>
        Array.from({ length: GLYPH_WIDTH }, (_, x) => glyphInk(character, x, y) ? "#" : ".")
          .join(""),
    ).join("/");
  assert.equal(rows("."), "...../...../...../...../...../.##../.##..");
  assert.equal(rows("-"), "...../...../...../#####/...../...../.....");
  assert.equal(rows("_"), "...../...../...../...../...../...../#####");
  assert.equal(glyphInk("h", 0, 3), glyphInk("H", 0, 3));
  assert.deepEqual([textWidth(""), textWidth("a"), textWidth("ab")], [0, 5, 11]);
  assert.throws(
    () => glyphInk("#", 0, 0),
    /Cannot draw "#": the label font has only A-Z, 0-9, space and \. - _ \( \) \/ : , = \+ "$/,
  );
  assert.equal(FONT_SUMMARY, 'A-Z, 0-9, space and . - _ ( ) / : , = + "');
  assert.equal(missingCharacter('Seed_10 (a/b): x=1, y+2.5-3, heads=""'), undefined);
  assert.equal(missingCharacter("cost %"), "%");
  assert.equal(missingCharacter("é"), "é");
});

Deno.test("heatColour() runs from dark blue at 0 to yellow at 1, clamped, and marks NaN red", () => {
  assert.deepEqual(heatColour(0), [68, 1, 84]);
  assert.deepEqual(heatColour(1), [253, 231, 37]);
  assert.deepEqual(heatColour(0.5), [33, 145, 140]);
  assert.deepEqual(heatColour(-3), heatColour(0));
  assert.deepEqual(heatColour(7), heatColour(1));
  assert.deepEqual(heatColour(NaN), [255, 0, 0]);
  // Halfway between the first two stops.
  assert.deepEqual(heatColour(0.125), [64, 42, 112]);
});
