/**
 * A temporary folder for a test's files, removed afterwards.
 *
 * @module
 */

/** Runs `body` with a new temporary folder, and removes the folder whatever happens. */
export async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
