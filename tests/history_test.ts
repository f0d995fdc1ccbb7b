import assert from "node:assert/strict";
import { convergence, defaultWindow, windowMeans } from "../lib/eval/history.ts";

Deno.test("windowMeans averages whole windows, the last taking what is left after it", () => {
  assert.deepEqual(windowMeans([40, 30, 0.5, 0, 2, 0, 7], 2), [
    { end: 2, mean: 35 },
    { end: 4, mean: 0.25 },
    { end: 7, mean: 3 },
  ]);
  assert.deepEqual(windowMeans([40, 30, 0.5, 0], 2), [{ end: 2, mean: 35 }, {
    end: 4,
    mean: 0.25,
  }]);
  // A run shorter than the window is one window.
  assert.deepEqual(windowMeans([1, 2, 3], 5), [{ end: 3, mean: 2 }]);
  // 2,001 batches in windows of 100: the last of 101 batches.
  const means = windowMeans(Array.from({ length: 2001 }, (_, index) => index), 100);
  assert.equal(means.length, 20);
  assert.deepEqual(means.at(-1), { end: 2001, mean: (1900 + 2000) / 2 });
  assert.deepEqual(windowMeans([], 5), []);
  const diverged = windowMeans([1, NaN, 3, 4], 2);
  assert.ok(Number.isNaN(diverged[0].mean));
  assert.equal(diverged[1].mean, 3.5);
  for (const window of [0, -1, 1.5, NaN]) {
    assert.throws(
      () => windowMeans([1], window),
      (error: Error) =>
        error instanceof RangeError &&
        error.message === `Cannot average over windows of ${window} batches: it must be 1 or more`,
    );
  }
});

Deno.test("convergence finds the first window below the threshold, and where it stayed below", () => {
  const means = (values: number[]) =>
    values.map((mean, index) => ({ end: 10 * (index + 1), mean }));
  assert.deepEqual(convergence(means([30, 0.5, 4, 0.9, 0.2]), 1), {
    firstBelow: 20,
    belowFrom: 40,
  });
  assert.deepEqual(convergence(means([30, 0.5, 4]), 1), { firstBelow: 20, belowFrom: undefined });
  assert.deepEqual(convergence(means([30, 4]), 1), { firstBelow: undefined, belowFrom: undefined });
  // A mean equal to the threshold is not below it; NaN is never below.
  assert.deepEqual(convergence(means([1, 0.5, NaN, 0.5]), 1), { firstBelow: 20, belowFrom: 40 });
  assert.deepEqual(convergence(means([0.5, 0.5]), 1), { firstBelow: 10, belowFrom: 10 });
  assert.deepEqual(convergence([], 1), { firstBelow: undefined, belowFrom: undefined });
});

Deno.test("defaultWindow gives at most 30 windows of 1, 2 or 5 × 10^k batches", () => {
  const cases: [number, number][] = [
    [0, 1],
    [7, 1],
    [30, 1],
    [31, 2],
    [100, 5],
    [20_000, 1_000],
    [30_000, 1_000],
    [30_001, 2_000],
    [100_000, 5_000],
    [1_000_000, 50_000],
  ];
  for (const [batches, window] of cases) assert.equal(defaultWindow(batches), window, `${batches}`);
});
