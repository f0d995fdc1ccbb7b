/**
 * Parsing a command line with `node:util` parseArgs, where every parse error becomes one line,
 * and reading the values of its options.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../config.ts";
import { parseDecimal, parseInteger } from "../io/number_text.ts";

/**
 * `config.args` with `--name -1` written `--name=-1` (and `-p -1` as `-p-1`) for every option
 * that takes a value, up to a `--`, so a negative number reaches the option's own check (which
 * names the valid range) instead of parseArgs's "argument is ambiguous".
 */
function joinNegativeValues(config: ParseArgsConfig): ParseArgsConfig {
  const args = config.args;
  if (!args) return config;
  const options = Object.entries(config.options ?? {});
  const takesValue = (arg: string) =>
    options.some(([name, option]) =>
      option.type === "string" &&
      (arg === `--${name}` || (option.short !== undefined && arg === `-${option.short}`))
    );
  const joined: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index], next = args[index + 1];
    if (arg === "--") {
      joined.push(...args.slice(index));
      break;
    }
    if (takesValue(arg) && next !== undefined && /^-\.?\d/.test(next)) {
      joined.push(arg.startsWith("--") ? `${arg}=${next}` : `${arg}${next}`);
      index++;
    } else {
      joined.push(arg);
    }
  }
  return { ...config, args: joined };
}

/**
 * `parseArgs(config)`, with its errors (some span several lines, such as an option value that
 * starts with a dash) turned into a one-line UsageError that points to `help` (the command's
 * help option, such as `--help` or `history --help`). A negative number after an option that
 * takes a value is that option's value.
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  config: T,
  help = "--help",
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(joinNegativeValues(config) as T);
  } catch (error) {
    const message = (error as Error).message.trim().replace(/\s*\n\s*/g, " ").replace(/\.$/, "");
    throw new UsageError(`Cannot parse arguments: ${message}; see ${help}`);
  }
}

/** The value of an integer option in `[min, max]`; throws UsageError naming the range. */
export function integerOption(option: string, text: string, min: number, max: number): number {
  const value = parseInteger(text, min, max);
  if (value === undefined) {
    throw new UsageError(
      `Cannot use option ${option}=${text}: it must be an integer from ${min} to ${max}`,
    );
  }
  return value;
}

/** The value of an option that is a finite number above 0; throws UsageError otherwise. */
export function positiveNumberOption(option: string, text: string): number {
  const value = parseDecimal(text);
  if (value === undefined || !(value > 0) || !Number.isFinite(value)) {
    throw new UsageError(
      `Cannot use option ${option}=${text}: it must be a finite number above 0`,
    );
  }
  return value;
}

/** The value of a path option, unless it is empty; `what` says what it names. */
export function pathOption(
  option: string,
  text: string | undefined,
  what: string,
): string | undefined {
  if (text === "") {
    throw new UsageError(
      `Cannot use option ${option}: the path is empty; give the path of ${what}`,
    );
  }
  return text;
}

/**
 * Throws UsageError unless a command that reads checkpoints was given at least one (unless it
 * asks for `help`) and no empty path; `action` names the command (`evaluate`, `show a history`)
 * and `example` is a command line that names a checkpoint.
 */
export function checkCheckpointArguments(
  checkpoints: readonly string[],
  help: boolean,
  action: string,
  example: string,
): void {
  if (!help && checkpoints.length === 0) {
    throw new UsageError(
      `Cannot ${action}: no checkpoint given; name one or more, e.g. ${example}`,
    );
  }
  if (checkpoints.includes("")) {
    throw new UsageError(`Cannot ${action}: a checkpoint's path is empty; give a checkpoint`);
  }
}

/** The command that runs a task, as `--help` shows it: `copy-task` runs as `deno task copy`. */
export function taskCommand(taskName: string): string {
  return `deno task ${taskName.replace(/-task$/, "")}`;
}
