/**
 * Learning-rate schedules: the learning rate drops (or rises) to given values after given
 * batches, as `-p rmsprop_lr_schedule=200000:1e-5,300000:3e-6` writes it. Both backends look the
 * rate up by batch number, so a scheduled run trains exactly like a run resumed at each switch
 * with the new `rmsprop_lr`.
 *
 * @module
 */

import { parseDecimal, parseInteger } from "../io/number_text.ts";
import { MAX_BATCHES } from "./task.ts";

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
  `comma-separated BATCH:LR switches, each the learning rate after batch BATCH, with batches ` +
  `increasing from 1, rates > 0, at most ${MAX_LR_SWITCHES}`;

/** The switches `BATCH:LR,…` (empty: none), or what is wrong with them. */
export function readLrSchedule(text: string): LrSwitch[] | string {
  if (text.trim() === "") return [];
  const parts = text.split(",");
  const schedule: LrSwitch[] = [];
  for (const part of parts) {
    if (part.trim() === "") return `it has an empty switch; write ${LR_SCHEDULE_FORMAT}`;
    const [batchText, lrText, extra] = part.split(":");
    const after = parseInteger(batchText.trim(), 1, MAX_BATCHES);
    const lr = parseDecimal(lrText?.trim() ?? "");
    if (
      after === undefined || lr === undefined || !(lr > 0) || !Number.isFinite(lr) ||
      extra !== undefined
    ) {
      return `"${part.trim()}" is not BATCH:LR with BATCH from 1 to ${MAX_BATCHES}; write ` +
        LR_SCHEDULE_FORMAT;
    }
    const previous = schedule.at(-1);
    if (previous && after <= previous.after) {
      return `batch ${after} does not come after ${previous.after}; list the switches in order`;
    }
    schedule.push({ after, lr });
  }
  if (schedule.length > MAX_LR_SWITCHES) {
    return `it has ${schedule.length} switches, at most ${MAX_LR_SWITCHES} are allowed`;
  }
  return schedule;
}

/** A schedule as the param stores it: `BATCH:LR,…`, each rate in JavaScript's shortest form. */
export function formatLrSchedule(schedule: readonly LrSwitch[]): string {
  return schedule.map(({ after, lr }) => `${after}:${lr}`).join(",");
}

/**
 * The learning rates of batches `first` to `last` under `schedule` from `base`, for the start-up
 * listing: `0.0001 for batches 1–200000, 0.00001 for 200001–300000`, and the switches the run
 * never reaches.
 */
export function describeLrSchedule(
  base: number,
  schedule: readonly LrSwitch[],
  first: number,
  last: number,
): string {
  const parts: string[] = [];
  let start = first;
  for (const { after } of [...schedule.filter((change) => change.after < last), { after: last }]) {
    if (after < start) continue;
    const span = start === after ? `${start}` : `${start}–${after}`;
    const range = parts.length > 0 ? span : start === after ? `batch ${span}` : `batches ${span}`;
    parts.push(`${learningRateAt(base, schedule, start)} for ${range}`);
    start = after + 1;
  }
  const unreached = schedule.filter((change) => change.after >= last);
  const note = unreached.length === 0
    ? ""
    : `; the switch${unreached.length > 1 ? "es" : ""} after batch ` +
      `${unreached.map((change) => change.after).join(", ")} come${
        unreached.length > 1 ? "" : "s"
      } after num_batches (${last})`;
  return parts.join(", ") + note;
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
