/**
 * Runs a Deno script in a child process, for tests of the command-line tools.
 *
 * @module
 */

/** What a finished child process left. */
export interface ScriptRun {
  /** Exit status. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `deno run -A <script> <args…>` in `cwd` (the current folder by default) to its end, with
 * `env` added to the environment.
 */
export async function runScript(
  script: string,
  args: readonly string[],
  cwd?: string,
  env?: Record<string, string>,
): Promise<ScriptRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    cwd,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
