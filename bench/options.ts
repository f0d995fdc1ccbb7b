/**
 * The command lines of the bench scripts: `--help`, and every option checked, so a typo stops a
 * script with one line and exit status 2 instead of a stack trace or a table of NaN.
 *
 * @module
 */

import { parseCommandLine, pathOption } from "../lib/cli/command_line.ts";
import { parseAssignment, resolveParams } from "../lib/cli/params.ts";
import { EXIT_USAGE } from "../lib/cli/exit.ts";
import { UsageError } from "../lib/config.ts";
import type { ParamSchema } from "../lib/train/task.ts";
import { parseInteger } from "../lib/io/number_text.ts";

/**
 * One option: an integer (from `min`, by default 1, to `max`, by default 2^31 − 1), a
 * comma-separated list of them, one of a few words, the path of `what`, or space-separated
 * `name=value` assignments to the params of `schema` (checked as `-p` checks them).
 */
export type BenchOption =
  & { readonly help: string; readonly default?: string }
  & (
    | { readonly kind: "integer" | "integers"; readonly min?: number; readonly max?: number }
    | { readonly kind: "choice"; readonly choices: readonly string[] }
    | { readonly kind: "path"; readonly what: string }
    | {
      readonly kind: "params";
      readonly schema: ParamSchema;
      /** The task's own checks across params (`TaskDefinition.check`). */
      readonly check?: (params: Readonly<Record<string, number | string>>) => void;
      /** Params other options set, each with the option that sets it. */
      readonly setElsewhere?: Readonly<Record<string, string>>;
    }
  );

type Value<O extends BenchOption> = O extends { kind: "integer" } ? number
  : O extends { kind: "integers" } ? number[]
  : O extends { kind: "params" } ? string[]
  : string;

/** The parsed options: those with a default always have a value. */
export type BenchValues<S extends Record<string, BenchOption>> = {
  [K in keyof S]: S[K] extends { default: string } ? Value<S[K]> : Value<S[K]> | undefined;
};

function parseValue(
  name: string,
  option: BenchOption,
  text: string,
): number | number[] | string | string[] {
  const fail = (valid: string): never => {
    throw new UsageError(`Cannot use option --${name}=${text}: it must be ${valid}`);
  };
  if (option.kind === "choice") {
    return option.choices.includes(text) ? text : fail(`one of ${option.choices.join(", ")}`);
  }
  if (option.kind === "path") return pathOption(`--${name}`, text, option.what)!;
  if (option.kind === "params") {
    const assignments = text.split(/\s+/).filter((part) => part !== "");
    for (const assignment of assignments) {
      const [param] = parseAssignment(assignment);
      const elsewhere = option.setElsewhere?.[param];
      if (elsewhere) fail(`assignments to params other than ${param}, which ${elsewhere} sets`);
    }
    option.check?.(resolveParams(option.schema, assignments));
    return assignments;
  }
  const min = option.min ?? 1, max = option.max ?? 0x7fff_ffff;
  const integer = (part: string) => parseInteger(part, min, max);
  const range = option.max === undefined ? `≥ ${min}` : `from ${min} to ${max}`;
  if (option.kind === "integer") return integer(text) ?? fail(`an integer ${range}`);
  const values = text.split(",").map(integer);
  return values.every((value) => value !== undefined)
    ? values as number[]
    : fail(`a comma-separated list of integers ${range}`);
}

/**
 * Parses `Deno.args` for a bench script: `--help` prints `description` and the options and
 * exits 0; bad input prints one line and exits 2, as `runCommand` (lib/cli/exit.ts) does for
 * the tasks (a bench script's top level has no command to wrap).
 */
export function benchOptions<S extends Record<string, BenchOption>>(
  description: string,
  options: S,
): BenchValues<S> {
  const names = Object.keys(options);
  const usage = () => {
    const placeholder = (option: BenchOption) =>
      option.kind === "choice"
        ? option.choices.join("|")
        : option.kind === "path"
        ? "PATH"
        : option.kind === "params"
        ? "'NAME=VALUE …'"
        : option.kind === "integer"
        ? "N"
        : "N,N…";
    const left = names.map((name) => `--${name} ${placeholder(options[name])}`);
    const width = Math.max(...left.map((text) => text.length)) + 2;
    return [
      description,
      "",
      "options:",
      ...names.map((name, index) => {
        const { help, default: fallback } = options[name];
        const suffix = fallback === undefined || fallback === "" ? "" : ` (default: ${fallback})`;
        return `  ${left[index].padEnd(width)}${help}${suffix}`;
      }),
    ].join("\n");
  };
  try {
    const { values } = parseCommandLine({
      args: Deno.args,
      options: {
        help: { type: "boolean", short: "h" },
        ...Object.fromEntries(names.map((name) => [name, { type: "string" as const }])),
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      console.log(usage());
      Deno.exit(0);
    }
    const parsed: Record<string, unknown> = {};
    for (const name of names) {
      const given = (values as Record<string, string | boolean | undefined>)[name];
      const text = typeof given === "string" ? given : options[name].default;
      parsed[name] = text === undefined ? undefined : parseValue(name, options[name], text);
    }
    return parsed as BenchValues<S>;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}`);
    Deno.exit(EXIT_USAGE);
  }
}
