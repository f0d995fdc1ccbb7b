/**
 * Task params on the command line: `-p name=value` assignments parsed and checked against a
 * task's schema, and the params printed when a run starts.
 *
 * @module
 */

import { UsageError } from "../config.ts";
import { parseDecimal, parseInteger } from "../io/number_text.ts";
import { formatLrSchedule, LR_SCHEDULE_FORMAT, readLrSchedule } from "../train/lr_schedule.ts";
import { paramRecord, type ParamSchema, type ParamSpec, type ParamValues } from "../train/task.ts";

/** Splits `name=value` at its first `=`; throws UsageError when there is none. */
export function parseAssignment(text: string): [name: string, value: string] {
  const split = text.indexOf("=");
  if (split <= 0) {
    throw new UsageError(`Cannot parse param "${text}": write it as name=value, e.g. batch_size=4`);
  }
  return [text.slice(0, split).trim(), text.slice(split + 1).trim()];
}

/** Integer params are 32-bit. */
const MAX_INTEGER = 0x7fff_ffff;

function describeRange(spec: ParamSpec): string {
  if (spec.kind === "heads") return "a comma-separated list of read and write";
  if (spec.kind === "schedule") return LR_SCHEDULE_FORMAT;
  const kind = spec.kind === "integer" ? "an integer" : "a number";
  const low = spec.kind === "number" && spec.minExclusive ? `> ${spec.min}` : `≥ ${spec.min}`;
  if (spec.max === undefined) {
    return spec.kind === "integer" ? `${kind} ${low} and ≤ ${MAX_INTEGER}` : `${kind} ${low}`;
  }
  const high = spec.kind === "number" && spec.maxExclusive ? `< ${spec.max}` : `≤ ${spec.max}`;
  return `${kind} ${low} and ${high}`;
}

/**
 * Checks a value against its spec; throws UsageError naming the param, the value (`text`, as
 * the user wrote it, when given) and the valid range.
 */
export function checkParamValue(
  spec: ParamSpec,
  name: string,
  value: unknown,
  text = typeof value === "number" ? String(value) : JSON.stringify(value),
): number | string {
  const fail = (): never => {
    throw new UsageError(`Cannot set param ${name}=${text}: it must be ${describeRange(spec)}`);
  };
  if (spec.kind === "heads") {
    if (typeof value !== "string") fail();
    return value as string;
  }
  if (spec.kind === "schedule") {
    if (typeof value !== "string") return fail();
    const schedule = readLrSchedule(value);
    if (typeof schedule === "string") {
      throw new UsageError(`Cannot set param ${name}=${text}: ${schedule}`);
    }
    // One text per schedule, so runs compare by meaning: 3:1e-2 and 3:0.01 are both 3:0.01.
    return formatLrSchedule(schedule);
  }
  if (typeof value !== "number" || !Number.isFinite(value)) return fail();
  if (spec.kind === "integer" && !Number.isInteger(value)) fail();
  const tooLow = spec.kind === "number" && spec.minExclusive ? value <= spec.min : value < spec.min;
  const tooHigh = spec.max !== undefined &&
    (spec.kind === "number" && spec.maxExclusive ? value >= spec.max : value > spec.max);
  if (tooLow || tooHigh) fail();
  if (spec.kind === "integer") {
    if (Math.abs(value) > MAX_INTEGER) fail();
    // A 32-bit integer keeps V8's small-integer representation, so index arithmetic on sizes
    // built from params stays integer arithmetic in every object that shares their shape.
    return value | 0;
  }
  return value;
}

/** Parses the text of one param by its spec (integers in decimal, numbers as JS literals). */
export function parseParamValue(spec: ParamSpec, name: string, text: string): number | string {
  if (spec.kind === "heads" || spec.kind === "schedule") {
    return checkParamValue(spec, name, text, text);
  }
  if (spec.kind === "integer") {
    return checkParamValue(spec, name, parseInteger(text, spec.min, MAX_INTEGER), text);
  }
  return checkParamValue(spec, name, parseDecimal(text), text);
}

/**
 * The params of a run: `base` values (a checkpoint's params; defaults for names it lacks, or
 * when there is none), then the `-p` assignments in order. Every value is checked against the
 * schema; an unknown name lists the valid ones.
 */
export function resolveParams<S extends ParamSchema>(
  schema: S,
  assignments: readonly string[],
  base?: Readonly<Record<string, unknown>>,
): ParamValues<S> {
  const values: Record<string, number | string> = {};
  for (const [name, spec] of Object.entries(schema)) {
    values[name] = base && Object.hasOwn(base, name)
      ? checkParamValue(spec, name, base[name])
      : spec.default;
  }
  for (const assignment of assignments) {
    const [name, text] = parseAssignment(assignment);
    const spec = Object.hasOwn(schema, name) ? schema[name] : undefined;
    if (!spec) {
      throw new UsageError(
        `Cannot set param "${name}": valid params are ${Object.keys(schema).join(", ")}`,
      );
    }
    values[name] = parseParamValue(spec, name, text);
  }
  return values as ParamValues<S>;
}

/** A param's value as messages and listings show it: an empty string as `""`. */
export function formatParamValue(value: number | string): string {
  return value === "" ? '""' : String(value);
}

/** The params as aligned `name  value  (description)` lines. */
export function formatParams<S extends ParamSchema>(schema: S, params: ParamValues<S>): string[] {
  const names = Object.keys(schema);
  const width = Math.max(...names.map((name) => name.length));
  const values = names.map((name) => formatParamValue(paramRecord(params)[name]));
  const valueWidth = Math.max(8, ...values.map((value) => value.length));
  return names.map((name, index) =>
    `  ${name.padEnd(width)}  ${values[index].padEnd(valueWidth)}  ${schema[name].description}`
  );
}

/** The usage lines of a schema for `--help`: each param's default, range and meaning. */
export function describeParams(schema: ParamSchema): string[] {
  const names = Object.keys(schema);
  const width = Math.max(...names.map((name) => name.length));
  return names.map((name) => {
    const spec = schema[name];
    const shown = spec.default === "" ? '""' : String(spec.default);
    return `  ${name.padEnd(width)}  ${shown.padEnd(8)}  ${spec.description} (${
      describeRange(spec)
    })`;
  });
}
