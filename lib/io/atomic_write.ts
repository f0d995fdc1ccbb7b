/**
 * Writing files so that readers never see half of one.
 *
 * @module
 */

import { join } from "node:path";

/** The temporary file this process writes `path` through before renaming it. */
export function temporaryPath(path: string): string {
  return `${path}.${Deno.pid}.tmp`;
}

/**
 * Writes `bytes` to `path` through a temporary file in the same folder and a rename, so an
 * interrupted run leaves either the old file or the new one, never a partial file.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await writeFilesAtomic([[path, bytes]]);
}

/**
 * Writes several files, each through a temporary file in its folder: all of them first, then
 * the renames in order, so that an interruption leaves no partial file and at most the first
 * renames done. On an error the temporary files are removed.
 */
export async function writeFilesAtomic(
  files: readonly (readonly [path: string, bytes: Uint8Array | string])[],
): Promise<void> {
  const written: string[] = [];
  try {
    for (const [path, bytes] of files) {
      const temporary = temporaryPath(path);
      written.push(temporary);
      if (typeof bytes === "string") await Deno.writeTextFile(temporary, bytes);
      else await Deno.writeFile(temporary, bytes);
    }
    for (const [path] of files) await Deno.rename(temporaryPath(path), path);
  } catch (error) {
    for (const temporary of written) await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

/**
 * Removes the temporary files this process has in `directory`: for a quit that cuts a write
 * short. Synchronous, for exit paths; returns the paths removed.
 */
export function removeTemporaryFiles(directory: string): string[] {
  const suffix = temporaryPath("");
  const removed: string[] = [];
  try {
    for (const entry of Deno.readDirSync(directory)) {
      if (!entry.isFile || !entry.name.endsWith(suffix)) continue;
      const path = join(directory, entry.name);
      try {
        Deno.removeSync(path);
        removed.push(path);
      } catch {
        // Already renamed or removed: nothing of ours is left there.
      }
    }
  } catch {
    // No such folder: nothing to remove.
  }
  return removed;
}
