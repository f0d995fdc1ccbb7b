/**
 * Learning-rate schedules: the learning rate drops (or rises) to given values after given
 * batches, as `-p rmsprop_lr_schedule=200000:1e-5,300000:3e-6` writes it. Both backends look the
 * rate up by batch number, so a scheduled run trains exactly like a run resumed at each switch
 * with the new `rmsprop_lr`.
 *
 * @module
 */

import { parseDecimal, parseInteger } from "../io/number_text.ts";

/** From batch `after + 1` on, the learning rate is `lr`. */
export interface LrSwitch {
  /** The last batch trained at the previous rate. */
  readonly after: number;
  /** The rate of the batches after it. */
  readonly lr: number;
}

/** The most switches a schedule may hold (the GPU keeps them in a uniform). */
export const MAX_LR_SWITCHES = 8;

/** What `parseLrSchedule` accepts, for messages and `--help`. */
export const LR_SCHEDULE_FORMAT: string =
  `comma-separated BATCH:LR switches (the learning rate after ` +
  `batch BATCH), batches increasing from 1, rates > 0, at most ${MAX_LR_SWITCHES}`;

/** The switches `BATCH:LR,…` (empty: none), or what is wrong with them. */
function readLrSchedule(text: string): LrSwitch[] | string {
  if (text.trim() === "") return [];
  const parts = text.split(",");
  if (parts.length > MAX_LR_SWITCHES) {
    return `it has ${parts.length} switches, at most ${MAX_LR_SWITCHES} are allowed`;
  }
  const schedule: LrSwitch[] = [];
  for (const part of parts) {
    const [batchText, lrText, extra] = part.split(":");
    const after = parseInteger(batchText?.trim() ?? "", 1, Number.MAX_SAFE_INTEGER);
    const lr = parseDecimal(lrText?.trim() ?? "");
    if (
      after === undefined || lr === undefined || !(lr > 0) || !Number.isFinite(lr) ||
      extra !== undefined
    ) {
      return `"${part.trim()}" is not BATCH:LR; write ${LR_SCHEDULE_FORMAT}`;
    }
    const previous = schedule.at(-1);
    if (previous && after <= previous.after) {
      return `batch ${after} does not come after ${previous.after}; list the switches in order`;
    }
    schedule.push({ after, lr });
  }
  return schedule;
}

/** What is wrong with the schedule `text`, or undefined when it parses. */
export function lrScheduleProblem(text: string): string | undefined {
  const schedule = readLrSchedule(text);
  return typeof schedule === "string" ? schedule : undefined;
}

/**
 * Parses `BATCH:LR,…` (empty: no switches). Throws RangeError naming the first bad switch and
 * the format.
 */
export function parseLrSchedule(text: string): LrSwitch[] {
  const schedule = readLrSchedule(text);
  if (typeof schedule === "string") {
    throw new RangeError(`Cannot parse the learning-rate schedule "${text}": ${schedule}`);
  }
  return schedule;
}

/** The learning rate of batch `batch` (1-based): `base` until the first switch. */
export function learningRateAt(
  base: number,
  schedule: readonly LrSwitch[],
  batch: number,
): number {
  let lr = base;
  for (const change of schedule) {
    if (batch > change.after) lr = change.lr;
  }
  return lr;
}
