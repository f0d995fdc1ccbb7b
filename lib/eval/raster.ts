/**
 * Drawing into an `RgbImage`: blank images, filled rectangles and text in the label font, for
 * evaluation pictures and charts.
 *
 * @module
 */

import type { RgbImage } from "../io/png.ts";
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphInk } from "./font.ts";

/** Red, green and blue, each from 0 to 255. */
export type Colour = readonly [number, number, number];

/** The background of pictures and charts (white). */
export const BACKGROUND: Colour = [255, 255, 255];

/** The colour of labels, titles and axes (dark grey). */
export const LABEL_COLOUR: Colour = [48, 48, 48];

/** An image of `width`×`height` pixels, every one `colour`. */
export function blankImage(width: number, height: number, colour: Colour): RgbImage {
  const pixels = new Uint8Array(width * height * 3);
  if (pixels.length === 0) return { width, height, pixels };
  // One pixel, then copies of what is filled, doubling each time.
  pixels.set(colour);
  for (let filled = 3; filled < pixels.length; filled *= 2) pixels.copyWithin(filled, 0, filled);
  return { width, height, pixels };
}

/**
 * Paints the rectangle of `width`×`height` pixels whose top-left pixel is (`x`, `y`) in `colour`;
 * what falls outside the image is left out.
 */
export function fillRect(
  image: RgbImage,
  x: number,
  y: number,
  width: number,
  height: number,
  colour: Colour,
): void {
  const left = Math.max(x, 0), right = Math.min(x + width, image.width);
  const top = Math.max(y, 0), bottom = Math.min(y + height, image.height);
  for (let row = top; row < bottom; row++) {
    const start = row * image.width * 3;
    for (let column = left; column < right; column++) image.pixels.set(colour, start + column * 3);
  }
}

/**
 * Writes `text` in the label font with its top-left corner at (`x`, `y`), each font pixel a
 * square of `scale` pixels: `textWidth(text) × scale` pixels wide, `GLYPH_HEIGHT × scale` high.
 * Throws RangeError for a character the font lacks.
 */
export function drawText(
  image: RgbImage,
  text: string,
  x: number,
  y: number,
  scale: number,
  colour: Colour,
): void {
  [...text].forEach((character, position) => {
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      for (let column = 0; column < GLYPH_WIDTH; column++) {
        if (!glyphInk(character, column, row)) continue;
        const left = x + (position * (GLYPH_WIDTH + 1) + column) * scale;
        fillRect(image, left, y + row * scale, scale, scale, colour);
      }
    }
  });
}
