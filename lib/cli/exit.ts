/**
 * How the command-line tools end: a usage problem is one line on stderr and exit status 2;
 * anything else is a failure with exit status 1.
 *
 * @module
 */

import { UsageError } from "../config.ts";

/** Exit status for bad input (options, params, files). */
export const EXIT_USAGE = 2;

/** Exit status after Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/**
 * Runs a command-line tool and returns its exit status. A UsageError (GpuUnavailableError, whose
 * message suggests `--backend cpu`, is one) prints its message alone and gives 2; other errors
 * print their stack and give 1.
 */
export async function runCommand(command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${(error as Error).message}`);
      return EXIT_USAGE;
    }
    console.error(error instanceof Error ? error.stack ?? error.message : String(error));
    return 1;
  }
}
