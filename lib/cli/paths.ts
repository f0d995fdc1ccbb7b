/**
 * Checks of the paths a command will write, made before it starts work, so a typo costs
 * nothing: the message names the option's meaning, the path and what to do.
 *
 * @module
 */

import { dirname } from "node:path";
import { UsageError } from "../config.ts";

/**
 * Throws UsageError unless `path` is an existing, writable folder; `what` names it in the
 * message (`checkpoint path`).
 */
export async function checkWritableFolder(path: string, what: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(`Cannot use ${what} "${path}": it does not exist; create it first`);
    }
    throw new UsageError(`Cannot use ${what} "${path}": ${(error as Error).message}`);
  }
  if (!info.isDirectory) throw new UsageError(`Cannot use ${what} "${path}": it is not a folder`);
  try {
    await Deno.remove(await Deno.makeTempFile({ dir: path, prefix: ".ntm-write-check-" }));
  } catch (error) {
    throw new UsageError(
      `Cannot use ${what} "${path}": it is not writable (${(error as Error).message})`,
    );
  }
}

/**
 * Throws UsageError unless `path` is a writable file, or a file that can be created in an
 * existing, writable folder; `what` names it in the message (`metrics file`). Nothing is
 * written.
 */
export async function checkWritableFile(path: string, what: string): Promise<void> {
  const info = await Deno.stat(path).catch(() => undefined);
  if (!info) return await checkWritableFolder(dirname(path), `the ${what}'s folder`);
  if (!info.isFile) throw new UsageError(`Cannot use ${what} "${path}": it is not a file`);
  try {
    (await Deno.open(path, { append: true })).close();
  } catch (error) {
    throw new UsageError(
      `Cannot use ${what} "${path}": it is not writable (${(error as Error).message})`,
    );
  }
}

/** Throws UsageError unless `image` is a `.png` path that can be written. */
export async function checkImagePath(image: string): Promise<void> {
  if (!image.toLowerCase().endsWith(".png")) {
    throw new UsageError(`Cannot use image file "${image}": the picture is a PNG; end it in .png`);
  }
  await checkWritableFile(image, "image file");
}
