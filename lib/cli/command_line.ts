/**
 * Parsing a command line with `node:util` parseArgs, where every parse error becomes one line.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../config.ts";

/**
 * `parseArgs(config)`, with its errors (some span several lines, such as an option value that
 * starts with a dash) turned into a one-line UsageError that points to `--help`.
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const message = (error as Error).message.trim().replace(/\s*\n\s*/g, " ").replace(/\.$/, "");
    throw new UsageError(`Cannot parse arguments: ${message}; see --help`);
  }
}
