/**
 * Writing files so that readers never see half of one.
 *
 * @module
 */

/**
 * Writes `bytes` to `path` through a temporary file in the same folder and a rename, so an
 * interrupted run leaves either the old file or the new one, never a partial file.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${Deno.pid}.tmp`;
  try {
    if (typeof bytes === "string") await Deno.writeTextFile(temporary, bytes);
    else await Deno.writeFile(temporary, bytes);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}
