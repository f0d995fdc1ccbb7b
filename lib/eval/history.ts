/**
 * Reading a training history (`TrainingHistory`, one entry per batch): its mean over windows of
 * batches, as the training reports show it, where a run's mean cost first fell below a threshold
 * and from where it stayed below, and a chart of runs' means side by side.
 *
 * @example
 * ```ts
 * import { convergence, windowMeans } from "./history.ts";
 *
 * const means = windowMeans([40, 30, 0.5, 0, 2, 0, 7], 2); // batches 2, 4, 7: 35, 0.25, 3
 * const { firstBelow, belowFrom } = convergence(means, 1); // 4, undefined (window 7 is 3)
 * ```
 *
 * @module
 */

import { type Chart, lineChart } from "./chart.ts";

/** The mean of one window of batches. */
export interface WindowMean {
  /** The number of the window's last batch, from 1. */
  readonly end: number;
  /** The mean over the window's batches; NaN if any of them is NaN (a diverged batch). */
  readonly mean: number;
}

/**
 * The means of `values` (one per batch, batch 1 first) over consecutive windows of `window`
 * batches: batches 1 to `window`, then the next `window`, …; the last window also takes the
 * fewer than `window` batches left after it, so no window is shorter unless it is the only one
 * (a run shorter than `window`).
 */
export function windowMeans(values: readonly number[], window: number): WindowMean[] {
  if (!Number.isInteger(window) || window < 1) {
    throw new RangeError(`Cannot average over windows of ${window} batches: it must be 1 or more`);
  }
  const means: WindowMean[] = [];
  for (let start = 0; start < values.length;) {
    let end = Math.min(start + window, values.length);
    if (values.length - end < window) end = values.length;
    let sum = 0;
    for (let index = start; index < end; index++) sum += values[index];
    means.push({ end, mean: sum / (end - start) });
    start = end;
  }
  return means;
}

/** Where a run's windowed mean first fell below a threshold, and from where it stayed below. */
export interface Convergence {
  /** The last batch of the first window whose mean is below the threshold, if any. */
  readonly firstBelow?: number;
  /**
   * The last batch of the first window from which every window, the last included, is below
   * the threshold; undefined when the last window is not below it.
   */
  readonly belowFrom?: number;
}

/** Where `means` first fell below `threshold`, and from where they stayed below it. */
export function convergence(means: readonly WindowMean[], threshold: number): Convergence {
  const below = (window: WindowMean) => window.mean < threshold;
  const firstBelow = means.find(below)?.end;
  let belowFrom: number | undefined;
  for (let index = means.length - 1; index >= 0 && below(means[index]); index--) {
    belowFrom = means[index].end;
  }
  return { firstBelow, belowFrom };
}

/**
 * A window for `batches` batches that gives at most 30 windows: the smallest 1, 2 or 5 × 10^k
 * batches that is at least `batches / 30`, and at least 1 (30,000 batches: 1,000; 31,000: 2,000,
 * so 15 windows).
 */
export function defaultWindow(batches: number): number {
  const wanted = batches / 30;
  if (wanted <= 1) return 1;
  for (let power = 1;; power *= 10) {
    for (const step of [1, 2, 5]) {
      if (step * power >= wanted) return step * power;
    }
  }
}

/** A run's windowed means, named for a chart's legend. */
export interface NamedMeans {
  /** The run's name, such as `seed 10`. */
  readonly name: string;
  /** Its mean over each window, in order. */
  readonly means: readonly WindowMean[];
}

/**
 * The chart of runs' windowed means against each window's last batch, one line per run; a NaN
 * mean leaves a gap. `yTitle` names what is averaged.
 */
export function historyChart(
  runs: readonly NamedMeans[],
  yTitle = "mean cost (bits per sequence)",
): Chart {
  return lineChart(
    runs.map((run) => ({
      name: run.name,
      points: run.means.map((window) => [window.end, window.mean] as const),
    })),
    { xTitle: "batch", yTitle, xIntegers: true },
  );
}
