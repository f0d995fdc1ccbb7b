/**
 * A 5×7 pixel font for the labels of evaluation pictures and charts: capital letters (lower case
 * draws as capitals), digits, space and `. - _ ( ) / : , = + "`. Each glyph is seven rows, top
 * first, of `#` (ink) and `.` (paper).
 *
 * @module
 */

/** Glyph width in pixels; a character advances one more. */
export const GLYPH_WIDTH = 5;

/** Glyph height in pixels. */
export const GLYPH_HEIGHT = 7;

const GLYPHS: Readonly<Record<string, string>> = {
  A: ".###./#...#/#...#/#####/#...#/#...#/#...#",
  B: "####./#...#/#...#/####./#...#/#...#/####.",
  C: ".###./#...#/#..../#..../#..../#...#/.###.",
  D: "####./#...#/#...#/#...#/#...#/#...#/####.",
  E: "#####/#..../#..../####./#..../#..../#####",
  F: "#####/#..../#..../####./#..../#..../#....",
  G: ".###./#...#/#..../#.###/#...#/#...#/.####",
  H: "#...#/#...#/#...#/#####/#...#/#...#/#...#",
  I: ".###./..#../..#../..#../..#../..#../.###.",
  J: "..###/...#./...#./...#./...#./#..#./.##..",
  K: "#...#/#..#./#.#../##.../#.#../#..#./#...#",
  L: "#..../#..../#..../#..../#..../#..../#####",
  M: "#...#/##.##/#.#.#/#.#.#/#...#/#...#/#...#",
  N: "#...#/#...#/##..#/#.#.#/#..##/#...#/#...#",
  O: ".###./#...#/#...#/#...#/#...#/#...#/.###.",
  P: "####./#...#/#...#/####./#..../#..../#....",
  Q: ".###./#...#/#...#/#...#/#.#.#/#..#./.##.#",
  R: "####./#...#/#...#/####./#.#../#..#./#...#",
  S: ".####/#..../#..../.###./....#/....#/####.",
  T: "#####/..#../..#../..#../..#../..#../..#..",
  U: "#...#/#...#/#...#/#...#/#...#/#...#/.###.",
  V: "#...#/#...#/#...#/#...#/#...#/.#.#./..#..",
  W: "#...#/#...#/#...#/#.#.#/#.#.#/#.#.#/.#.#.",
  X: "#...#/#...#/.#.#./..#../.#.#./#...#/#...#",
  Y: "#...#/#...#/.#.#./..#../..#../..#../..#..",
  Z: "#####/....#/...#./..#../.#.../#..../#####",
  "0": ".###./#...#/#..##/#.#.#/##..#/#...#/.###.",
  "1": "..#../.##../..#../..#../..#../..#../.###.",
  "2": ".###./#...#/....#/...#./..#../.#.../#####",
  "3": "#####/...#./..#../...#./....#/#...#/.###.",
  "4": "...#./..##./.#.#./#..#./#####/...#./...#.",
  "5": "#####/#..../####./....#/....#/#...#/.###.",
  "6": "..##./.#.../#..../####./#...#/#...#/.###.",
  "7": "#####/....#/...#./..#../.#.../.#.../.#...",
  "8": ".###./#...#/#...#/.###./#...#/#...#/.###.",
  "9": ".###./#...#/#...#/.####/....#/...#./.##..",
  " ": "...../...../...../...../...../...../.....",
  ".": "...../...../...../...../...../.##../.##..",
  "-": "...../...../...../#####/...../...../.....",
  _: "...../...../...../...../...../...../#####",
  "(": "...#./..#../.#.../.#.../.#.../..#../...#.",
  ")": ".#.../..#../...#./...#./...#./..#../.#...",
  "/": "...../....#/...#./..#../.#.../#..../.....",
  ":": "...../.##../.##../...../.##../.##../.....",
  ",": "...../...../...../...../.##../..#../.#...",
  "=": "...../...../#####/...../#####/...../.....",
  "+": "...../..#../..#../#####/..#../..#../.....",
  '"': ".#.#./.#.#./...../...../...../...../.....",
};

/** The characters the font has. */
export const FONT_CHARACTERS: readonly string[] = Object.keys(GLYPHS);

/** What the font has, in words, for error messages. */
export const FONT_SUMMARY = 'A-Z, 0-9, space and . - _ ( ) / : , = + "';

/** The first character of `text` the font lacks (lower case counts as capitals), if any. */
export function missingCharacter(text: string): string | undefined {
  return [...text].find((character) => GLYPHS[character.toUpperCase()] === undefined);
}

/**
 * Whether pixel (`x`, `y`) of `character`'s glyph is ink; lower-case letters are drawn as
 * capitals. Throws RangeError for a character the font lacks.
 */
export function glyphInk(character: string, x: number, y: number): boolean {
  const glyph = GLYPHS[character.toUpperCase()];
  if (glyph === undefined) {
    throw new RangeError(
      `Cannot draw "${character}": the label font has only ${FONT_SUMMARY}`,
    );
  }
  return glyph[y * (GLYPH_WIDTH + 1) + x] === "#";
}

/** The width in pixels of `text` at one pixel per font pixel, one blank column between glyphs. */
export function textWidth(text: string): number {
  return text.length === 0 ? 0 : text.length * (GLYPH_WIDTH + 1) - 1;
}
